// SPDX-License-Identifier: Apache-2.0
// fdatasync() off the control loop: a record's start, end or e-stop line must reach the disk,
// but a slow disk must never make a control tick late. Files hand over a dup() of their
// descriptor; one worker thread syncs and closes it.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace treadd {

class BackgroundSync {
 public:
  BackgroundSync();
  ~BackgroundSync();  // finishes every pending sync before returning
  BackgroundSync(const BackgroundSync&) = delete;
  BackgroundSync& operator=(const BackgroundSync&) = delete;

  void request(int fd);  // never blocks on the disk

 private:
  void run();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<int> pending_;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace treadd
