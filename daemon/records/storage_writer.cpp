// SPDX-License-Identifier: Apache-2.0
#include "daemon/records/storage_writer.hpp"

#include <exception>

#include "daemon/records/log.hpp"

namespace treadd {

StorageWriter::StorageWriter(std::size_t capacity) : capacity_(capacity), thread_([this] { run(); }) {}

StorageWriter::~StorageWriter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

bool StorageWriter::post(std::function<void()> job) {
  {
    std::lock_guard lock(mutex_);
    if (jobs_.size() >= capacity_) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    jobs_.push_back(std::move(job));
    ++posted_;
    waiting_.fetch_add(1, std::memory_order_relaxed);
  }
  wake_.notify_one();
  return true;
}

void StorageWriter::drain() {
  std::unique_lock lock(mutex_);
  // Jobs posted after this call (a running session's ticks) are not waited for.
  const std::uint64_t posted_before = posted_;
  idle_.wait(lock, [this, posted_before] { return finished_ >= posted_before; });
}

bool StorageWriter::drain_for(std::chrono::milliseconds patience) {
  std::unique_lock lock(mutex_);
  const std::uint64_t posted_before = posted_;
  return idle_.wait_for(lock, patience, [this, posted_before] { return finished_ >= posted_before; });
}

void StorageWriter::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
    if (jobs_.empty()) return;  // stopping, and everything queued has run
    std::function<void()> job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    try {
      job();
    } catch (const std::exception& e) {
      failed_.fetch_add(1, std::memory_order_relaxed);
      log::error(std::string("storage writer: a write failed: ") + e.what());
    } catch (...) {
      failed_.fetch_add(1, std::memory_order_relaxed);
      log::error("storage writer: a write failed");
    }
    lock.lock();
    waiting_.fetch_sub(1, std::memory_order_relaxed);
    ++finished_;
    idle_.notify_all();
  }
}

}  // namespace treadd
