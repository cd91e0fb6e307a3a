// SPDX-License-Identifier: Apache-2.0
// PolledDrive apart from Modbus: a second transport written here (frames into a list) gets the
// poll thread, the e-stop's priority, the re-arm after a restart, the back-off and the silence
// without copying them — and each of those is checked on it. Bounded: every wait is a few seconds
// at most, on a 5 ms poll.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <thread>

#include "hal/polled_drive.hpp"

namespace treadd::testing {
namespace {

using namespace std::chrono_literals;

// What went over the "wire", in order.
enum class Frame { fast_stop, command_stop, command_run, command_fast_stop, acknowledge, read };

class ListTransport final : public PolledDrive {
 public:
  explicit ListTransport(Millis poll = Millis{5}) : PolledDrive(poll, 3) {}
  ~ListTransport() override { disconnect(); }

  std::string describe() const override { return "list transport"; }

  std::vector<Frame> frames() const {
    std::lock_guard lock(m_);
    return frames_;
  }
  void clear() {
    std::lock_guard lock(m_);
    frames_.clear();
  }
  void answer(bool yes) { answers_ = yes; }
  void restart_on_next_read() { restart_ = true; }
  int opens() const { return opens_; }
  // Frames until `pred` holds over them, or 3 s.
  template <class Pred>
  bool wait_for(Pred pred) const {
    const auto until = std::chrono::steady_clock::now() + 3s;
    while (std::chrono::steady_clock::now() < until) {
      if (pred(frames())) return true;
      std::this_thread::sleep_for(2ms);
    }
    return false;
  }

 private:
  void note(Frame f) {
    std::lock_guard lock(m_);
    frames_.push_back(f);
  }
  bool open_link(std::string& why) override {
    ++opens_;
    if (!answers_) why = "no answer";
    open_ = answers_.load();
    return open_;
  }
  bool arm(std::string&) override { return true; }
  void close_link() override { open_ = false; }
  bool link_open() const override { return open_; }
  bool link_broken() const override { return !answers_; }  // a peer that hung up
  LinkCounters transport_counters() const override { return {}; }
  bool write_fast_stop() override {
    if (!answers_) return false;
    note(Frame::fast_stop);
    return true;
  }
  bool write_command(const DriveCommand& cmd, bool acknowledge) override {
    if (!answers_) return false;
    if (acknowledge) note(Frame::acknowledge);
    // The e-stop asked for between this command's two frames goes between them.
    if (!send_pending_estop()) return false;
    note(cmd.motion == Motion::run ? Frame::command_run
         : cmd.motion == Motion::fast_stop ? Frame::command_fast_stop : Frame::command_stop);
    return true;
  }
  bool read_feedback() override {
    if (!answers_) return false;
    note(Frame::read);
    if (restart_.exchange(false)) report_restart();
    publish_reading({1.0, Direction::reverse, true, 0, true});
    return true;
  }

  mutable std::mutex m_;
  std::vector<Frame> frames_;
  std::atomic<bool> answers_{true};
  std::atomic<bool> restart_{false};
  std::atomic<bool> open_{false};
  std::atomic<int> opens_{0};
};

bool has(const std::vector<Frame>& fs, Frame f) { return std::find(fs.begin(), fs.end(), f) != fs.end(); }

TEST(PolledDrive, a_second_transport_polls_on_its_own_thread_and_publishes_what_it_read) {
  ListTransport drive;
  drive.connect();
  drive.command({Motion::run, Direction::reverse, 2.0});
  ASSERT_TRUE(drive.wait_for([](const auto& fs) { return has(fs, Frame::command_run); }));
  const DriveFeedback fb = drive.feedback();
  EXPECT_TRUE(fb.link_up);
  EXPECT_GT(fb.sequence, 0u);
  EXPECT_DOUBLE_EQ(fb.measured_kmh, 1.0);
  ASSERT_TRUE(drive.io_thread().has_value());
}

TEST(PolledDrive, an_estop_is_the_next_frame_and_a_repeated_one_adds_none) {
  ListTransport drive;
  drive.connect();
  drive.command({Motion::run, Direction::reverse, 2.0});
  ASSERT_TRUE(drive.wait_for([](const auto& fs) { return has(fs, Frame::command_run); }));
  drive.clear();
  drive.emergency_stop();
  ASSERT_TRUE(drive.wait_for([](const auto& fs) { return fs.size() >= 3; }));
  const auto first = drive.frames();
  // The frame in flight may finish first (a command's run word, then its read), never a new poll.
  EXPECT_TRUE(first[0] == Frame::fast_stop || first[1] == Frame::fast_stop || first[2] == Frame::fast_stop)
      << "the next frame after the one in flight, never behind a routine poll";
  ASSERT_TRUE(drive.wait_for([](const auto& fs) { return has(fs, Frame::command_fast_stop); }));
  drive.clear();
  drive.emergency_stop();  // already stopping: every poll carries the fast-stop word anyway
  std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(has(drive.frames(), Frame::fast_stop));
  EXPECT_FALSE(has(drive.frames(), Frame::command_run));
}

// Between two polls a second apart, the e-stop does not wait for the next one: the poll thread
// wakes for it.
TEST(PolledDrive, an_estop_between_slow_polls_goes_out_at_once) {
  ListTransport drive(Millis{1000});
  drive.connect();
  drive.command({Motion::run, Direction::reverse, 2.0});
  ASSERT_TRUE(drive.wait_for([](const auto& fs) { return has(fs, Frame::read); }));
  std::this_thread::sleep_for(50ms);  // the poll is over; the next is about a second away
  drive.clear();
  const auto asked = std::chrono::steady_clock::now();
  drive.emergency_stop();
  ASSERT_TRUE(drive.wait_for([](const auto& fs) { return has(fs, Frame::fast_stop); }));
  EXPECT_LT(std::chrono::steady_clock::now() - asked, 400ms) << "it waited for the next poll";
}

TEST(PolledDrive, a_clinicians_fault_acknowledge_goes_out_once) {
  ListTransport drive;
  drive.connect();
  drive.command({Motion::stop, Direction::reverse, 0, true});
  drive.command({Motion::stop, Direction::reverse, 0, false});  // the next tick's command: the acknowledge is sticky
  ASSERT_TRUE(drive.wait_for([](const auto& fs) { return has(fs, Frame::acknowledge); }));
  std::this_thread::sleep_for(50ms);
  const auto fs = drive.frames();
  EXPECT_EQ(std::count(fs.begin(), fs.end(), Frame::acknowledge), 1);
}

TEST(PolledDrive, after_a_restart_no_run_goes_out_until_the_supervisor_answered_with_a_stop) {
  ListTransport drive;
  drive.connect();
  drive.command({Motion::run, Direction::reverse, 2.0});
  ASSERT_TRUE(drive.wait_for([](const auto& fs) { return has(fs, Frame::command_run); }));
  const auto restarts = drive.feedback().drive_restarts;
  drive.restart_on_next_read();
  ASSERT_TRUE(drive.wait_for([&](const auto&) { return drive.feedback().drive_restarts == restarts + 1; }));
  drive.clear();
  drive.command({Motion::run, Direction::reverse, 2.0});  // the run still wanted
  std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(has(drive.frames(), Frame::command_run)) << "held to a stop";
  EXPECT_TRUE(has(drive.frames(), Frame::command_stop));
  drive.command({Motion::fast_stop, Direction::reverse, 0});  // the supervisor's answer
  drive.command({Motion::run, Direction::reverse, 2.0});      // a new start, later
  ASSERT_TRUE(drive.wait_for([](const auto& fs) { return has(fs, Frame::command_run); }));
}

TEST(PolledDrive, a_drive_that_stops_answering_is_a_lost_link_then_a_reconnect_the_supervisor_sees) {
  ListTransport drive;
  drive.start_connecting();
  ASSERT_TRUE(drive.wait_for([&](const auto&) { return drive.feedback().link_up; }));
  const auto generation = drive.feedback().link_generation;
  drive.answer(false);
  ASSERT_TRUE(drive.wait_for([&](const auto&) { return !drive.feedback().link_up && !drive.link_problem().empty(); }))
      << "down at once, and why";
  const int opens = drive.opens();
  ASSERT_TRUE(drive.wait_for([&](const auto&) { return drive.opens() > opens; })) << "retried with back-off";
  drive.answer(true);
  ASSERT_TRUE(drive.wait_for([&](const auto&) { return drive.feedback().link_up; }));
  EXPECT_GT(drive.feedback().link_generation, generation) << "a reconnect is news to the supervisor";
  EXPECT_TRUE(drive.link_problem().empty());
}

TEST(PolledDrive, a_silent_drive_hears_only_estops_and_is_read_before_it_is_written_again) {
  ListTransport drive;
  drive.connect();
  drive.command({Motion::run, Direction::reverse, 2.0});
  ASSERT_TRUE(drive.wait_for([](const auto& fs) { return has(fs, Frame::command_run); }));
  drive.set_silent(true);
  std::this_thread::sleep_for(100ms);  // the cycle in flight ends
  drive.clear();
  std::this_thread::sleep_for(50ms);
  EXPECT_TRUE(drive.frames().empty()) << "silent: no poll";
  drive.emergency_stop();
  ASSERT_TRUE(drive.wait_for([](const auto& fs) { return has(fs, Frame::fast_stop); })) << "an e-stop still goes out";
  drive.clear();
  drive.set_silent(false);
  ASSERT_TRUE(drive.wait_for([](const auto& fs) { return fs.size() >= 2; }));
  EXPECT_EQ(drive.frames().front(), Frame::read) << "speaking again starts with a read";
}

}  // namespace
}  // namespace treadd::testing
