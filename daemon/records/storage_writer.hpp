// SPDX-License-Identifier: Apache-2.0
// Everything the daemon writes while it runs — session records, the audit file, journal entries,
// the metrics file, the lock-out state, retention's deletions — is done here, on one writer
// thread, never on the control loop: a slow or full disk, a busy journald or an NFS hiccup
// delays the writer, never a tick or an e-stop.
//
// The queue is bounded: when it is full a job is dropped and counted (status.storage.dropped,
// treadd_storage_dropped_total), never waited for. Jobs run in the order they were posted; one
// that throws is counted as a storage error and the writer goes on.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace treadd {

class StorageWriter {
 public:
  explicit StorageWriter(std::size_t capacity = 4096);
  ~StorageWriter();  // runs what is queued (a session's end line), then stops
  StorageWriter(const StorageWriter&) = delete;
  StorageWriter& operator=(const StorageWriter&) = delete;

  // Never blocks: false, and counted, when the queue is full.
  bool post(std::function<void()> job);
  // Waits until every job posted before the call has run (shutdown; a records query reading what
  // was written just before it). Never on the loop.
  void drain();
  // The same, waiting at most `patience`: false when earlier jobs are still running then (a
  // stalled journald or disk must not hold a records query, or a reload behind it, for ever).
  bool drain_for(std::chrono::milliseconds patience);

  std::uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }
  // Jobs posted and not yet finished (queued or running): a disk falling behind shows here first.
  std::size_t waiting() const { return waiting_.load(std::memory_order_relaxed); }
  std::uint64_t failed_jobs() const { return failed_.load(std::memory_order_relaxed); }
  std::size_t capacity() const { return capacity_; }

 private:
  void run();

  const std::size_t capacity_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<std::function<void()>> jobs_;
  std::uint64_t posted_ = 0;    // jobs accepted so far
  std::uint64_t finished_ = 0;  // of those, run (or failed)
  bool stopping_ = false;
  std::atomic<std::uint64_t> dropped_{0};
  std::atomic<std::uint64_t> failed_{0};
  std::atomic<std::size_t> waiting_{0};
  std::thread thread_;
};

}  // namespace treadd
