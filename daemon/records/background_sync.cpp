// SPDX-License-Identifier: Apache-2.0
#include "daemon/records/background_sync.hpp"

#include <fcntl.h>
#include <unistd.h>

namespace treadd {

BackgroundSync::BackgroundSync() : worker_([this] { run(); }) {}

BackgroundSync::~BackgroundSync() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  worker_.join();
}

void BackgroundSync::request(int fd) {
  const int copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) return;
  {
    std::lock_guard lock(mutex_);
    pending_.push_back(copy);
  }
  wake_.notify_one();
}

void BackgroundSync::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
    if (pending_.empty()) return;  // stopping, and nothing left to sync
    const int fd = pending_.front();
    pending_.pop_front();
    lock.unlock();
    fdatasync(fd);
    close(fd);
    lock.lock();
  }
}

}  // namespace treadd
