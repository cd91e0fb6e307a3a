// SPDX-License-Identifier: Apache-2.0
// A treadd in a temporary directory with its own socket, and helpers to drive it with treadctl.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <nlohmann/json.hpp>
#include <thread>

#include "tools/common/process.hpp"

namespace treadd::e2e {

using namespace std::chrono_literals;
using namespace treadd::proc;
namespace fs = std::filesystem;

// A sanitizer build runs several times slower: time bounds are scaled by this, never dropped.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr double sanitizer_slack = 4;
#else
constexpr double sanitizer_slack = 1;
#endif

// Shadow memory multiplies a process's resident size, by a factor of its own: about 3x under ASan
// and 5-10x under TSan (their documentation); memory bounds are scaled by this, never dropped.
#if defined(__SANITIZE_THREAD__)
constexpr double sanitizer_memory_slack = 10;
#elif defined(__SANITIZE_ADDRESS__)
constexpr double sanitizer_memory_slack = 4;
#else
constexpr double sanitizer_memory_slack = 1;
#endif

class DaemonFixture : public ::testing::Test {
 public:
  void SetUp() override {
    char tmpl[] = "/tmp/treadd-e2e-XXXXXX";
    dir_ = mkdtemp(tmpl);
    fs::copy(fs::path(TREADD_SOURCE_DIR) / "config/examples", dir_ + "/etc");
    // The shipped profiles, where a technician's own would be (the binary looks nowhere else).
    fs::create_directory_symlink(fs::path(TREADD_SOURCE_DIR) / "config/drives", dir_ + "/etc/drives");
    socket_ = dir_ + "/control.sock";
  }

  void TearDown() override {
    daemon_.reset();
    if (!HasFailure()) fs::remove_all(dir_);
  }

  void start_daemon() {
    fs::remove(socket_);  // a daemon killed with SIGKILL leaves its socket file behind
    std::vector<std::string> argv = launcher_;  // e.g. prlimit, to start under a descriptor limit
    argv.insert(argv.end(), {TREADD_BINARY, "--config-dir", dir_ + "/etc", "--socket", socket_, "--state-dir",
                             dir_ + "/state"});
    daemon_ = std::make_unique<Background>(argv, dir_ + "/treadd.log");
    ASSERT_TRUE(wait_for_path(socket_, 10s)) << read_file(dir_ + "/treadd.log");
  }

  // treadctl as a user runs it; 20 s, scaled under a sanitizer like every other bound here (a
  // reload of a 250 KiB limits.yaml took seconds under TSan on a busy machine).
  RunResult ctl(std::vector<std::string> args) {
    args.insert(args.begin(), {TREADCTL_BINARY, "--socket", socket_});
    return run(args, std::chrono::milliseconds(static_cast<long>(20000 * sanitizer_slack)));
  }

  nlohmann::json status() {
    RunResult r = ctl({"--json", "status"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out);
  }

  // The status straight from the control socket (no treadctl process per poll): waits measure the
  // daemon, not a process start, which under a sanitizer takes longer than the bounds being checked.
  // Empty while the daemon does not answer (starting, restarting).
  std::optional<nlohmann::json> status_from_socket() {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", socket_.c_str());
    std::string line;
    if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
      const std::string request = "{\"v\":1,\"cmd\":\"status\"}\n";
      if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size())) {
        char buf[4096];
        ssize_t n = 0;
        while (line.find('\n') == std::string::npos && (n = ::read(fd, buf, sizeof buf)) > 0) line.append(buf, static_cast<std::size_t>(n));
      }
    }
    if (fd >= 0) ::close(fd);
    nlohmann::json reply = nlohmann::json::parse(line, nullptr, false);
    if (!reply.is_object() || !reply.value("ok", false) || !reply.contains("status")) return std::nullopt;
    return reply["status"];
  }

  template <class Pred>
  bool wait_until(Pred pred, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (auto st = status_from_socket(); st && pred(*st)) return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }

  // A valid limits.yaml just under the 256 KiB bound: hundreds of profiles.
  void write_big_limits() {
    const std::string good = read_file(dir_ + "/etc/limits.yaml");
    const auto first = good.find("  lumbar-early:");
    const std::string block = good.substr(first, good.find("  lumbar-standard:") - first);
    std::string extra;
    for (int i = 0; good.size() + extra.size() + block.size() < 250 * 1024; ++i) {
      std::string b = block;
      b.replace(0, std::string("  lumbar-early:").size(), "  extra-" + std::to_string(i) + ":");
      extra += b;
    }
    std::string big = good;
    big.insert(first, extra);
    std::ofstream(dir_ + "/etc/limits.yaml") << big;
  }

  // Everything the daemon has posted to its storage writer is done (audit, records, journal).
  bool storage_written() {
    const auto patience = std::chrono::milliseconds(static_cast<long>(5000 * sanitizer_slack));
    return wait_until([](const nlohmann::json& s) { return s["storage"].value("waiting", 1) == 0; }, patience);
  }
  // The audit file once every write posted before this call has landed.
  std::string written_audit() {
    EXPECT_TRUE(storage_written()) << "the storage writer did not catch up";
    return read_file(dir_ + "/state/audit.log");
  }

  static bool wait_for_text(const std::string& path, const std::string& text, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (read_file(path).find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }

  bool at_standstill() {
    return wait_until([](const nlohmann::json& s) { return s["at_standstill"].get<bool>(); }, 10s);
  }

  std::string dir_;
  std::string socket_;
  std::unique_ptr<Background> daemon_;
  std::vector<std::string> launcher_;
};

}  // namespace treadd::e2e
