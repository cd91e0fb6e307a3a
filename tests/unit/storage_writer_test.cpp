// SPDX-License-Identifier: Apache-2.0
// The writer the loop hands every disk and journal write to: bounded, never waited on, never fatal.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <stdexcept>
#include <thread>

#include "daemon/records/storage_writer.hpp"

namespace treadd {
namespace {

using namespace std::chrono_literals;

TEST(StorageWriter, a_full_queue_drops_and_counts_and_posting_never_waits_for_a_stuck_disk) {
  StorageWriter writer(4);
  std::promise<void> release;
  std::shared_future<void> disk = release.get_future().share();
  std::atomic<int> ran{0};
  ASSERT_TRUE(writer.post([disk, &ran] { disk.wait(); ++ran; }));  // a write stuck on the disk
  std::this_thread::sleep_for(50ms);                                  // ... now running on the writer
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(writer.post([&ran] { ++ran; }));
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 1000; ++i) EXPECT_FALSE(writer.post([&ran] { ++ran; }));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 100ms) << "posting waited for the writer";
  EXPECT_EQ(writer.dropped(), 1000u);
  EXPECT_EQ(writer.waiting(), 5u) << "the stuck write and the four queued behind it";
  release.set_value();
  writer.drain();
  EXPECT_EQ(ran, 5);
  EXPECT_EQ(writer.waiting(), 0u);
}

TEST(StorageWriter, a_write_that_throws_is_counted_and_the_writer_goes_on) {
  StorageWriter writer(8);
  std::atomic<int> ran{0};
  writer.post([] { throw std::runtime_error("disk on fire"); });
  writer.post([&ran] { ++ran; });
  writer.drain();
  EXPECT_EQ(writer.failed_jobs(), 1u);
  EXPECT_EQ(ran, 1);
}

// A records query drains the writer first (to read a just-ended session whole) while a running
// session posts a line every tick: it waits for what was posted before it, not for a quiet queue.
TEST(StorageWriter, drain_waits_for_earlier_jobs_only_while_new_ones_keep_coming) {
  StorageWriter writer(4096);
  std::atomic<bool> earlier_done{false}, stop{false};
  writer.post([&earlier_done] {
    std::this_thread::sleep_for(20ms);
    earlier_done = true;
  });
  std::thread session([&] {
    const auto until = std::chrono::steady_clock::now() + 2s;  // a drain that waits for a quiet queue fails, not hangs
    while (!stop && std::chrono::steady_clock::now() < until) {
      writer.post([] { std::this_thread::sleep_for(1ms); });
      writer.post([] { std::this_thread::sleep_for(1ms); });
      std::this_thread::sleep_for(1ms);
    }
  });
  const auto t0 = std::chrono::steady_clock::now();
  writer.drain();
  const auto waited = std::chrono::steady_clock::now() - t0;
  EXPECT_TRUE(earlier_done);
  stop = true;
  session.join();
  EXPECT_LT(waited, 1s) << "drain waited for jobs posted after it";
}

TEST(StorageWriter, what_is_queued_is_written_before_the_writer_stops) {
  std::atomic<int> ran{0};
  {
    StorageWriter writer(64);
    for (int i = 0; i < 50; ++i) writer.post([&ran] { std::this_thread::sleep_for(1ms); ++ran; });
  }
  EXPECT_EQ(ran, 50) << "a session's end line must not be lost at shutdown";
}

}  // namespace
}  // namespace treadd
