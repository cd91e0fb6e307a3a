// SPDX-License-Identifier: Apache-2.0
// treadline: an RS-485 line for tests and benchmarks. Two pseudo-terminals joined the way a
// half-duplex two-wire bus joins a master and a drive: every byte takes its character time at the
// configured baud (start + data + parity + stop bits), one byte on the wire at a time in either
// direction, and a turnaround from one direction to the other waits the Modbus RTU inter-frame gap
// (3.5 characters, fixed 1.75 ms above 19200 baud). A socat pty pair moves bytes instantly; this
// one moves them as a real line would, so RTU timing can be measured without hardware.
//   treadline --a /tmp/ttyA --b /tmp/ttyB --baud 19200 [--parity E] [--stop-bits 1]
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <iostream>
#include <thread>

namespace {

using Clock = std::chrono::steady_clock;

struct End {
  int master = -1;
  int slave = -1;  // kept open so the far program may close and reopen its side
  std::string link;
};

End open_end(const std::string& link) {
  End e;
  e.link = link;
  if (openpty(&e.master, &e.slave, nullptr, nullptr, nullptr) != 0) throw std::runtime_error("openpty failed");
  termios t{};
  tcgetattr(e.slave, &t);
  cfmakeraw(&t);
  tcsetattr(e.slave, TCSANOW, &t);
  fcntl(e.master, F_SETFL, fcntl(e.master, F_GETFL) | O_NONBLOCK);
  std::filesystem::remove(link);
  std::filesystem::create_symlink(ttyname(e.slave), link);
  return e;
}

struct Byte {
  Clock::time_point arrived;
  unsigned char value;
};

volatile sig_atomic_t stopping = 0;

}  // namespace

int main(int argc, char** argv) {
  std::string a_link, b_link, parity = "N";
  int baud = 19200, stop_bits = 1, data_bits = 8;
  CLI::App app{"treadline: a baud-paced half-duplex RS-485 line between two pseudo-terminals"};
  app.add_option("--a", a_link, "symlink to the first end (the master, treadd)")->required();
  app.add_option("--b", b_link, "symlink to the second end (the drive, treadsim)")->required();
  app.add_option("--baud", baud, "line speed")->capture_default_str()->check(CLI::Range(1200, 921600));
  app.add_option("--parity", parity, "N, E or O")->capture_default_str()->check(CLI::IsMember({"N", "E", "O"}));
  app.add_option("--data-bits", data_bits, "7 or 8")->capture_default_str()->check(CLI::IsMember({7, 8}));
  app.add_option("--stop-bits", stop_bits, "1 or 2")->capture_default_str()->check(CLI::IsMember({1, 2}));
  CLI11_PARSE(app, argc, argv);

  const int bits = 1 + data_bits + (parity == "N" ? 0 : 1) + stop_bits;
  const auto char_time = std::chrono::nanoseconds(1'000'000'000LL * bits / baud);
  // Modbus over serial line, 2.12.1: 3.5 characters, a fixed 1.75 ms above 19200 baud.
  const auto gap = baud > 19200 ? std::chrono::nanoseconds(1'750'000) : char_time * 7 / 2;

  End ends[2];
  try {
    ends[0] = open_end(a_link);
    ends[1] = open_end(b_link);
  } catch (const std::exception& e) {
    std::cerr << "treadline: " << e.what() << "\n";
    return 1;
  }
  signal(SIGTERM, [](int) { stopping = 1; });
  signal(SIGINT, [](int) { stopping = 1; });
  std::cerr << "treadline: " << a_link << " <-> " << b_link << " at " << baud << " baud, " << bits
            << " bits a character (" << std::chrono::duration<double, std::micro>(char_time).count() << " us), gap "
            << std::chrono::duration<double, std::micro>(gap).count() << " us\n";

  std::deque<Byte> queue[2];  // bytes written into end i, waiting to reach the other end
  Clock::time_point line_free = Clock::now();
  int last_direction = -1;
  while (!stopping) {
    // Which byte goes on the wire next: the one that arrived first.
    int next = -1;
    if (!queue[0].empty()) next = 0;
    if (!queue[1].empty() && (next < 0 || queue[1].front().arrived < queue[0].front().arrived)) next = 1;
    Clock::time_point due = Clock::time_point::max();
    if (next >= 0) {
      auto start = std::max(queue[next].front().arrived, line_free);
      if (last_direction >= 0 && last_direction != next) start = std::max(start, line_free + gap);
      due = start + char_time;  // the receiver has the byte once its stop bit is through
    }
    const auto now = Clock::now();
    if (next >= 0 && due <= now) {
      const unsigned char v = queue[next].front().value;
      queue[next].pop_front();
      [[maybe_unused]] auto n = write(ends[1 - next].master, &v, 1);
      line_free = due;
      last_direction = next;
      continue;
    }
    int timeout_ms = 100;
    if (next >= 0) timeout_ms = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(due - now).count());
    pollfd fds[2] = {{ends[0].master, POLLIN, 0}, {ends[1].master, POLLIN, 0}};
    if (timeout_ms <= 1 && next >= 0) {
      // Sub-millisecond precision: poll without waiting, then sleep to the byte's due time.
      poll(fds, 2, 0);
      if (!(fds[0].revents & POLLIN) && !(fds[1].revents & POLLIN)) std::this_thread::sleep_until(due);
    } else {
      poll(fds, 2, timeout_ms);
    }
    for (int i = 0; i < 2; ++i) {
      if (!(fds[i].revents & POLLIN)) continue;
      unsigned char buf[512];
      const ssize_t n = read(ends[i].master, buf, sizeof buf);
      const auto at = Clock::now();
      for (ssize_t k = 0; k < n; ++k) queue[i].push_back(Byte{at, buf[k]});
    }
  }
  for (const auto& e : ends) std::filesystem::remove(e.link);
  return 0;
}
