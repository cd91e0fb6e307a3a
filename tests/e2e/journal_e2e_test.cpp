// SPDX-License-Identifier: Apache-2.0
// The journal as a technician reads it: one entry per event (an e-stop is not logged twice), the
// structured fields kept, e-stops and faults at err, refusals at notice, and the drive link's
// comings and goings logged. journald is impersonated: the test binds its socket
// (/run/systemd/journal/socket) where no journald runs, and reads what treadd sends.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <regex>
#include <sstream>

#include "tests/e2e/daemon_fixture.hpp"

namespace treadd::e2e {
namespace {

using Entry = std::map<std::string, std::string>;

// journald's native protocol: "KEY=value\n", or "KEY\n" + 64-bit little-endian length + bytes + "\n".
Entry parse_entry(const std::string& d) {
  Entry e;
  std::size_t at = 0;
  while (at < d.size()) {
    const std::size_t nl = d.find('\n', at);
    if (nl == std::string::npos) break;
    const std::string line = d.substr(at, nl - at);
    const std::size_t eq = line.find('=');
    if (eq != std::string::npos) {
      e[line.substr(0, eq)] = line.substr(eq + 1);
      at = nl + 1;
    } else {
      std::uint64_t len = 0;
      std::memcpy(&len, d.data() + nl + 1, sizeof len);
      e[line] = d.substr(nl + 1 + sizeof len, len);
      at = nl + 1 + sizeof len + len + 1;
    }
  }
  return e;
}

class FakeJournald {
 public:
  static constexpr const char* path = "/run/systemd/journal/socket";
  bool start() {
    if (fs::exists(path)) return false;  // a real journald: leave it alone
    for (const char* dir : {"/run/systemd", "/run/systemd/journal"}) {
      if (!fs::exists(dir)) {
        fs::create_directory(dir);
        created_.insert(created_.begin(), dir);
      }
    }
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strcpy(addr.sun_path, path);
    return bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~FakeJournald() {
    if (fd_ >= 0) {
      close(fd_);
      fs::remove(path);
    }
    for (const auto& d : created_) fs::remove(d);
  }
  std::vector<Entry> entries() {
    std::vector<Entry> out;
    std::string buf(1 << 16, '\0');
    for (;;) {
      const ssize_t n = recv(fd_, buf.data(), buf.size(), 0);
      if (n <= 0) break;
      out.push_back(parse_entry(buf.substr(0, static_cast<std::size_t>(n))));
    }
    return out;
  }

 private:
  int fd_ = -1;
  std::vector<std::string> created_;
};

class JournalE2E : public DaemonFixture {};

TEST_F(JournalE2E, one_structured_entry_per_event_with_its_priority) {
  FakeJournald journald;
  if (!journald.start()) GTEST_SKIP() << "a journald runs here (or its socket cannot be bound)";
  launcher_ = {"/usr/bin/env", "JOURNAL_STREAM=8:1"};  // what systemd sets for a service's stderr
  start_daemon();
  ASSERT_TRUE(at_standstill());
  ASSERT_EQ(ctl({"speed", "3"}).exit_code, 1);  // a refusal: no session
  ASSERT_EQ(ctl({"start", "--profile", "lumbar-standard"}).exit_code, 0);
  ASSERT_EQ(ctl({"estop"}).exit_code, 0);
  std::this_thread::sleep_for(500ms);

  std::map<std::string, std::vector<Entry>> by_event;
  for (auto& e : journald.entries()) by_event[e["TREADD_EVENT"]].push_back(e);
  ASSERT_EQ(by_event["estop"].size(), 1u) << "one journal entry for one e-stop";
  EXPECT_EQ(by_event["estop"][0]["PRIORITY"], "3") << "journalctl -p err shows e-stops";
  EXPECT_NE(by_event["estop"][0]["TREADD_USER"], "");
  EXPECT_EQ(by_event["estop"][0]["SYSLOG_IDENTIFIER"], "treadd");
  ASSERT_EQ(by_event["refusal"].size(), 1u);
  EXPECT_EQ(by_event["refusal"][0]["PRIORITY"], "5");
  EXPECT_NE(by_event["refusal"][0]["MESSAGE"].find("no session"), std::string::npos) << by_event["refusal"][0]["MESSAGE"];
  EXPECT_EQ(by_event["session_started"].size(), 1u);
  ASSERT_EQ(by_event["drive_link"].size(), 1u) << "the link coming up is logged once";
  EXPECT_NE(by_event["drive_link"][0]["MESSAGE"].find("the drive answers"), std::string::npos);

  // Nothing of those events on stderr too (journald would make it a second entry).
  const std::string stderr_text = read_file(dir_ + "/treadd.log");
  for (const char* kind : {"estop:", "refusal:", "session_started:", "drive_link:"}) {
    EXPECT_EQ(stderr_text.find(kind), std::string::npos) << kind << " also on stderr:\n" << stderr_text;
  }
  // And the audit file has each once.
  const std::string audit = written_audit();
  EXPECT_EQ(audit.find("\"kind\":\"estop\""), audit.rfind("\"kind\":\"estop\""));
}

// Issue 24 E and F: a configuration refused at start-up. journald reads a service's stderr line by
// line, so each line of the message carries the error priority (written raw, the errors were at
// journald's default and `journalctl -p err` showed none of them). The journal keeps the errors'
// places only: a clinician's file may quote a person's name, and forget never reaches the journal.
// check-config shows them whole, every one, in line order, after a duplicate key too, with no false
// follow-on error (a cap written "3,5 km/h" made every segment "above the reverse cap of 0.0 km/h").
TEST_F(JournalE2E, a_refused_configuration_is_at_error_priority_on_every_line_and_whole_only_in_check_config) {
  std::string limits = read_file(dir_ + "/etc/limits.yaml");
  for (const auto& [from, to] : {std::pair<std::string, std::string>{"reverse_cap: 3 km/h", "reverse_cap: 3,5 km/h"},
                                 {"max_step: 1 km/h", "max_stepp: 1 km/h"},
                                 {"    cooldown_time: 1min\n", "    cooldown_time: 1min\n    cooldown_time: 2min\n"},
                                 {"  early-walk:", "  Hans walk:"}}) {
    ASSERT_NE(limits.find(from), std::string::npos) << from;
    limits.replace(limits.find(from), from.size(), to);
  }
  std::ofstream(dir_ + "/etc/limits.yaml") << limits;
  const RunResult r = run({"/usr/bin/env", "JOURNAL_STREAM=8:1", TREADD_BINARY, "--config-dir", dir_ + "/etc", "--socket",
                           socket_, "--state-dir", dir_ + "/state"},
                          10s);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  std::istringstream lines(r.err);
  int count = 0;
  for (std::string line; std::getline(lines, line); ++count) EXPECT_EQ(line.rfind("<3>", 0), 0u) << line << "\n" << r.err;
  EXPECT_EQ(count, 5) << "four errors and the refusal: " << r.err;
  EXPECT_EQ(r.err.find("Hans"), std::string::npos) << "a name typed into limits.yaml reached the journal: " << r.err;
  EXPECT_NE(r.err.find("limits.yaml:15:18: an error (not copied here"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("has errors; refusing to start (treadctl check-config " + dir_ + "/etc/limits.yaml, and each"),
            std::string::npos)
      << r.err;

  const RunResult check = run({TREADCTL_BINARY, "check-config", dir_ + "/etc/limits.yaml"});
  EXPECT_EQ(check.exit_code, 1) << check.out << check.err;
  const std::string text = check.out + check.err;
  for (const char* expected : {"limits.yaml:15:18: profile 'lumbar-early'.reverse_cap: '3,5 km/h' has a decimal comma; write a decimal point",
                               "unknown key 'max_stepp': did you mean 'max_step'?", "the key 'cooldown_time' is given twice",
                               "the program name 'Hans walk' is not a code"}) {
    EXPECT_NE(text.find(expected), std::string::npos) << expected << " in:\n" << text;
  }
  EXPECT_EQ(text.find("above the reverse cap"), std::string::npos) << "no false error in the profile's programs: " << text;
  EXPECT_EQ(text.find("no reverse_cap"), std::string::npos) << text;
  // In line order, as a reader meets them in the file.
  std::vector<int> at;
  const std::regex place("limits\\.yaml:([0-9]+):[0-9]+: ");
  for (std::sregex_iterator it(text.begin(), text.end(), place), end; it != end; ++it) at.push_back(std::stoi((*it)[1]));
  EXPECT_EQ(at.size(), 4u) << text;
  EXPECT_TRUE(std::is_sorted(at.begin(), at.end())) << text;

  // A usage error (a typo in an ExecStart drop-in) is at error priority on every line too.
  const RunResult usage = run({"/usr/bin/env", "JOURNAL_STREAM=8:1", TREADD_BINARY, "--config-dri", dir_ + "/etc"}, 10s);
  EXPECT_NE(usage.exit_code, 0);
  EXPECT_NE(usage.err.find("--config-dri"), std::string::npos) << usage.err;
  std::istringstream usage_lines(usage.err);
  for (std::string line; std::getline(usage_lines, line);) EXPECT_EQ(line.rfind("<3>", 0), 0u) << line << "\n" << usage.err;
}

TEST_F(JournalE2E, without_journald_each_event_is_one_stderr_line) {
  start_daemon();
  ASSERT_TRUE(at_standstill());
  ASSERT_EQ(ctl({"speed", "3"}).exit_code, 1);
  ASSERT_EQ(ctl({"estop"}).exit_code, 0);
  std::this_thread::sleep_for(300ms);
  const std::string text = read_file(dir_ + "/treadd.log");
  auto count = [&](const std::string& needle) {
    std::size_t n = 0;
    for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("estop: "), 1u) << text;
  EXPECT_EQ(count("refusal: "), 1u) << text;
}

}  // namespace
}  // namespace treadd::e2e
