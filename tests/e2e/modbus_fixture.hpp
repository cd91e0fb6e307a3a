// SPDX-License-Identifier: Apache-2.0
// treadd against treadsim (our libmodbus drive simulator) on loopback TCP or a socat pty pair.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>

#include <regex>

#include "tests/e2e/daemon_fixture.hpp"

namespace treadd::e2e {

class ModbusFixture : public DaemonFixture {
 protected:
  void SetUp() override {
    DaemonFixture::SetUp();
    port_ = free_listen_port();
    ASSERT_NE(port_, 0) << "no free loopback port below the ephemeral range";
  }

  // A loopback port for treadsim to listen on: below the kernel's ephemeral range, so no outgoing
  // connection of another test can be holding it (a port picked inside that range did, now and
  // then: treadsim could not listen and the test failed), and free when checked. The test's pid
  // says where to start looking, so tests running side by side look in different places.
  static int free_listen_port() {
    int ephemeral_low = 32768;
    std::ifstream("/proc/sys/net/ipv4/ip_local_port_range") >> ephemeral_low;
    const int low = 20000, span = std::max(1000, ephemeral_low - low);
    for (int i = 0; i < span; ++i) {
      const int port = low + (static_cast<int>(getpid()) + i) % span;
      const int fd = socket(AF_INET, SOCK_STREAM, 0);
      if (fd < 0) return 0;
      const int one = 1;
      setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);  // as libmodbus listens
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_port = htons(static_cast<std::uint16_t>(port));
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      const bool free = bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
      close(fd);
      if (free) return port;
    }
    return 0;
  }

  void use_tcp() {
    rewrite_machine("  transport: tcp\n  host: 127.0.0.1\n  port: " + std::to_string(port_) + "\n");
    start_sim({"--tcp", "127.0.0.1:" + std::to_string(port_), "--frame-log", dir_ + "/frames.log"});
  }

  // treadsim on the RTU side of a socat pty pair (bytes move instantly), or with `paced` of a
  // treadline (every byte takes its time at `baud`, one direction at a time); treadd on the other side.
  void use_rtu(int baud, const std::string& poll_period, bool paced = false) {
    const std::string a = dir_ + "/ttyA", b = dir_ + "/ttyB";
    std::vector<std::string> line{SOCAT_BINARY, "pty,raw,echo=0,link=" + a, "pty,raw,echo=0,link=" + b};
    if (paced) line = {TREADLINE_BINARY, "--a", a, "--b", b, "--baud", std::to_string(baud)};
    socat_ = std::make_unique<Background>(line, dir_ + "/socat.log");
    ASSERT_TRUE(wait_for_path(a, 5s) && wait_for_path(b, 5s));
    rewrite_machine("  transport: rtu\n  device: " + a + "\n  baud: " + std::to_string(baud) + "\n");
    std::string m = read_file(dir_ + "/etc/machine.yaml");
    m.replace(m.find("poll_period: 20ms"), std::string("poll_period: 20ms").size(), "poll_period: " + poll_period);
    std::ofstream(dir_ + "/etc/machine.yaml") << m;
    start_sim({"--rtu", b, "--baud", std::to_string(baud), "--frame-log", dir_ + "/frames.log"});
  }

  // treadsim on `sim_profile_` (generic unless a test says), fault commands fed through its stdin.
  void start_sim(std::vector<std::string> transport_args) {
    std::vector<std::string> argv{TREADSIM_BINARY};
    if (twin_.empty()) {
      argv.insert(argv.end(), {"--profile", std::string(TREADD_SOURCE_DIR) + "/config/drives/" + sim_profile_ + ".yaml"});
    } else {
      argv.insert(argv.end(), {"--twin", twin_});  // the drive from its manual, not from the profile
    }
    argv.insert(argv.end(), transport_args.begin(), transport_args.end());
    sim_ = std::make_unique<Background>(argv, dir_ + "/treadsim.log", /*with_stdin=*/true);
    ASSERT_TRUE(wait_for_text(dir_ + "/treadsim.log", "serving", 5s));
  }

  // Most tests run treadsim as a stand-in drive and waive commissioning, as machine.yaml lets a
  // technician do; the commissioning tests set `waive_commissioning_` false first.
  void rewrite_machine(const std::string& drive_lines) {
    std::string m = read_file(dir_ + "/etc/machine.yaml");
    const std::string waiver = waive_commissioning_ ? "  commissioning_waiver: \"test rig on treadsim\"\n" : "";
    m.replace(m.find("  transport: sim"), std::string("  transport: sim").size(), drive_lines + waiver);
    std::ofstream(dir_ + "/etc/machine.yaml") << m;
  }

  // The belt's speed as treadsim models it, asked on its stdin.
  double sim_belt_hz() {
    const std::string before = read_file(dir_ + "/treadsim.log");
    sim_->write_stdin("status\n");
    for (int i = 0; i < 100; ++i) {
      std::this_thread::sleep_for(20ms);
      const std::string now = read_file(dir_ + "/treadsim.log");
      std::smatch m;
      const std::string fresh = now.substr(before.size());
      if (std::regex_search(fresh, m, std::regex("belt ([0-9.]+) Hz"))) return std::stod(m[1]);
    }
    ADD_FAILURE() << "treadsim did not answer 'status'";
    return -1;
  }

  void run_at(double kmh) {
    ASSERT_TRUE(at_standstill());
    ASSERT_EQ(ctl({"start", "--profile", "lumbar-standard"}).exit_code, 0);
    ASSERT_EQ(ctl({"speed", std::to_string(kmh)}).exit_code, 0);
    ASSERT_TRUE(wait_until([&](const nlohmann::json& s) { return s["measured_kmh"].is_number() && s["measured_kmh"].get<double>() > kmh - 0.2; }, 20s));
  }

  int port_ = 0;
  std::string twin_;  // treadsim --twin MODEL instead of --profile
  bool waive_commissioning_ = true;
  std::string sim_profile_ = "generic";
  std::unique_ptr<Background> socat_;  // declared before sim_: treadsim stops before its pty goes
  std::unique_ptr<Background> sim_;
};


}  // namespace treadd::e2e
