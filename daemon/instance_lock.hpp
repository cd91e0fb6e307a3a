// SPDX-License-Identifier: Apache-2.0
// One daemon per control socket and per state directory. A second treadd started on the same
// socket (or state) must not take over, unlink the live socket or interleave records: it takes an
// flock(2) on a lock file beside it, and refuses to start naming the PID that holds it. The kernel
// drops the lock when its holder dies, so a crash never leaves a stale lock behind.
#pragma once

#include <string>

namespace treadd {

class InstanceLock {
 public:
  // Throws std::runtime_error naming the holder's PID when another process holds `path`.
  InstanceLock(const std::string& path, const std::string& what);
  ~InstanceLock();
  InstanceLock(const InstanceLock&) = delete;
  InstanceLock& operator=(const InstanceLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace treadd
