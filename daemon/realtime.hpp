// SPDX-License-Identifier: Apache-2.0
// Scheduling protection for the two threads the belt depends on — the control loop and the drive's
// I/O thread — so that a busy host (a backup, a browser on the clinic PC) cannot starve them into a
// loop_overrun mid-session. Everything else (writer, workers, name lookups) stays at normal priority.
//
// It needs the unit's LimitRTPRIO (systemd/treadd.service.in) or CAP_SYS_NICE; without either the
// daemon says so once and runs with normal scheduling (tests, a developer's shell).
#pragma once

#include <optional>
#include <string>
#include <thread>

namespace treadd {

// The control loop's priority; the drive's I/O thread gets one less, the writer none.
inline constexpr int loop_rt_priority = 50;

// SCHED_FIFO at `priority` for `thread`; empty on success, else why not.
std::string raise_to_realtime(std::thread::native_handle_type thread, int priority);
// Locks the pages mapped now (code, libraries, the loop's buffers) so a page-out cannot stall a
// tick; later allocations are not locked (a large query must not fail for it). Empty on success.
std::string lock_current_memory();

}  // namespace treadd
