// SPDX-License-Identifier: Apache-2.0
// treadctl: staff's command-line tool. Speaks only the control socket protocol; never drives hardware.
// Its verbs and options come from verbs() (the daemon's command registry plus client-only verbs);
// this file turns a command line into a request and a reply into what a person or a script reads.
//
// The contract (treadctl(1) EXIT STATUS, docs/protocol.md "treadctl --json"):
//   exit 0 done, 1 refused or failed, 2 usage error, 3 treadd unreachable;
//   --json: one JSON object per answer on stdout, {"v":1,"ok":…,"error":…} plus the verb's fields
//   at the top level — errors included.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <cstdlib>
#include <cstdio>
#include <regex>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>

#include "config/machine_keys.hpp"
#include "config/prescriptions.hpp"
#include "core/spelling.hpp"
#include "config/profile_keys.hpp"
#include "core/calendar.hpp"
#include "core/patient.hpp"
#include "tools/treadctl/check_config.hpp"
#include "tools/treadctl/client.hpp"
#include "tools/treadctl/render.hpp"
#include "tools/treadctl/report.hpp"
#include "tools/treadctl/report_html.hpp"
#include "tools/treadctl/verbs.hpp"

namespace {

using nlohmann::json;
using treadctl::Client;
using treadctl::Option;
using treadctl::Verb;

// Asks and waits as long as the request's declaration says its answer may take (a records query
// over years of sessions is slow, not lost).
json ask(Client& client, const json& request) {
  const treadd::CommandSpec* spec = treadd::find_command(request.value("cmd", std::string()));
  return client.call(request, (spec != nullptr ? spec->answer_within_s : 5) * 1000);
}
json ask(Client&& client, const json& request) { return ask(client, request); }

constexpr int exit_ok = 0;
constexpr int exit_refused = 1;
constexpr int exit_usage = 2;
constexpr int exit_unreachable = 3;

struct Globals {
  std::string socket = "/run/treadd/control.sock";
  bool json_output = false;
};

// How a verb ended. With --json: the envelope on stdout; otherwise `text` on stdout, `error` on stderr.
struct Outcome {
  int exit = exit_ok;
  json fields = json::object();  // the verb's fields, at the envelope's top level
  std::string text;
  std::string error;
};

json envelope(const Outcome& o) {
  json e = {{"v", 1}, {"ok", o.exit == exit_ok}};
  if (!o.error.empty()) e["error"] = o.error;
  for (const auto& [key, value] : o.fields.items()) e[key] = value;
  return e;
}

int emit(const Globals& g, const Outcome& o) {
  if (g.json_output) {
    std::cout << envelope(o).dump() << std::endl;
  } else {
    std::cout << o.text << std::flush;
    if (!o.error.empty()) std::cerr << o.error << (o.error.back() == '\n' ? "" : "\n");
  }
  return o.exit;
}

Outcome failure(int code, std::string error, json fields = json::object()) {
  return Outcome{code, std::move(fields), "", std::move(error)};
}

// Whether stderr is the journal: systemd sets JOURNAL_STREAM to its device and inode (as for
// ExecReload's `treadctl reload`), and an interactive stderr is something else.
bool stderr_is_the_journal() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  unsigned long long dev = 0, ino = 0;
  if (stream == nullptr || std::sscanf(stream, "%llu:%llu", &dev, &ino) != 2) return false;
  struct stat st {};
  return fstat(STDERR_FILENO, &st) == 0 && st.st_dev == dev && st.st_ino == ino;
}

// A refused file's error ("FILE:LINE:COLUMN: message") as the journal may keep it: read back into
// a Diagnostic and put through treadd's own rule (config/prescriptions.hpp, for_the_journal).
std::string for_the_journal(const std::string& error) {
  static const std::regex place(R"(^(.*\.yaml)(:([0-9]+):([0-9]+))?: (.*)$)");
  std::smatch m;
  if (!std::regex_match(error, m, place)) return error;
  treadd::Diagnostic d{m[1], m[2].matched ? std::stoi(m[3]) : 0, m[2].matched ? std::stoi(m[4]) : 0, m[5]};
  return treadd::for_the_journal({d}).front().to_string();
}

// A daemon reply as an outcome: its fields (less v/ok) go to the envelope.
Outcome from_reply(json reply, const std::string& text_when_ok = "") {
  const bool ok = reply.value("ok", false);
  std::string error = reply.value("error", "");
  if (!ok && reply.contains("errors")) {
    const bool journal = stderr_is_the_journal();
    for (const auto& e : reply["errors"]) error += "\n  " + (journal ? for_the_journal(e.get<std::string>()) : e.get<std::string>());
  }
  const std::string message = reply.value("message", "");
  reply.erase("v");
  reply.erase("ok");
  reply.erase("error");
  if (!ok) return failure(exit_refused, error.empty() ? "refused" : error, reply);
  return Outcome{exit_ok, reply, text_when_ok.empty() ? message + "\n" : text_when_ok, ""};
}

// What the command line said, beyond the request itself.
struct Invocation {
  const Verb* verb = nullptr;
  json request;
  std::map<std::string, std::string> text;  // client-only options given
  std::map<std::string, bool> flags;
  std::vector<std::string> files;
};

volatile std::sig_atomic_t interrupted = 0;

Outcome status(const Globals& g, const Invocation& in) {
  json reply = ask(Client(g.socket), in.request);
  if (!reply.value("ok", false)) return from_reply(reply);
  // `--json status` keeps the status fields at the top level: scripts read them there.
  return Outcome{exit_ok, reply["status"], treadctl::render_status(reply["status"]), ""};
}

Outcome limits(const Globals& g, const Invocation& in) {
  json reply = ask(Client(g.socket), in.request);
  return from_reply(reply, reply.value("ok", false) ? treadctl::render_limits(reply) : "");
}

Outcome history(const Globals& g, const Invocation& in) {
  json reply = ask(Client(g.socket), in.request);
  if (!reply.value("ok", false)) return from_reply(reply);
  std::string text = treadctl::render_history(reply["sessions"]);
  if (reply.contains("limited_to")) text += "(" + reply["limited_to"].get<std::string>() + ")\n";
  text += "(records are kept in " + reply.value("records_dir", std::string("the state directory")) + ")\n";
  return from_reply(reply, text);
}

// All of `content` to `fd`; 0 or the errno that stopped it.
int write_all(int fd, const std::string& content) {
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return n < 0 ? errno : EIO;
    done += static_cast<std::size_t>(n);
  }
  return 0;
}

// The report being written, removed if Ctrl-C comes first: a half-written file of patient data
// must not stay behind under a temporary name.
volatile sig_atomic_t writing_temp = 0;
char temp_path[4096];
void remove_temp_and_leave(int signal) {
  if (writing_temp) ::unlink(temp_path);
  ::_exit(128 + signal);
}

// A file the user asked for is written or the command fails: never "written" without a file.
// Reports hold patient data: a new file of the caller's, mode 0600, created exclusively beside
// the target, flushed to disk and renamed onto it, so an existing file's owner and mode are never
// kept and a power cut leaves the old file or the new one, never an empty one. A symlink at the
// path is not followed to a file: it is replaced (in a sticky directory such as /tmp, where only
// its owner may, the write fails instead). A file the caller may not write is refused, as a plain
// write would be; a device or pipe (/dev/stdout) is written to as it is.
std::optional<Outcome> write_file(const std::string& path, const std::string& content, const std::string& what) {
  auto fail = [&](int error) {
    return failure(exit_refused, "treadctl: cannot write the " + what + " to " + path + ": " + std::strerror(error));
  };
  struct stat target {};
  if (::stat(path.c_str(), &target) == 0 && !S_ISREG(target.st_mode)) {
    if (S_ISDIR(target.st_mode)) return fail(EISDIR);
    const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) return fail(errno);
    const int error = write_all(fd, content);
    ::close(fd);
    return error != 0 ? std::optional<Outcome>(fail(error)) : std::nullopt;
  }
  struct stat link {};
  if (::lstat(path.c_str(), &link) == 0 && S_ISREG(link.st_mode) && ::access(path.c_str(), W_OK) != 0) {
    return fail(errno);
  }
  std::string tmp = path + ".XXXXXX";
  if (tmp.size() >= sizeof temp_path) return fail(ENAMETOOLONG);
  std::signal(SIGINT, remove_temp_and_leave);
  std::signal(SIGTERM, remove_temp_and_leave);
  const int fd = ::mkostemp(tmp.data(), O_CLOEXEC);  // O_EXCL, mode 0600
  if (fd < 0) return fail(errno);
  std::memcpy(temp_path, tmp.c_str(), tmp.size() + 1);
  writing_temp = 1;
  int error = write_all(fd, content);
  if (error == 0 && ::fsync(fd) != 0) error = errno;
  if (::close(fd) != 0 && error == 0) error = errno;
  if (error == 0 && ::rename(tmp.c_str(), path.c_str()) != 0) error = errno;
  if (error != 0) ::unlink(tmp.c_str());
  writing_temp = 0;
  return error != 0 ? std::optional<Outcome>(fail(error)) : std::nullopt;
}

// Every session of one patient, in time order: the progression report.
Outcome progression(const Globals& g, const Invocation& in) {
  const std::string patient = in.text.at("patient");
  if (!treadd::is_patient_code(patient)) {
    return failure(exit_usage, std::string("treadctl: --patient must be a patient code: ") + treadd::patient_code_form);
  }
  Client client(g.socket);
  json list = ask(client, {{"v", 1}, {"cmd", "history"}, {"patient", patient}});
  if (!list.value("ok", false)) return from_reply(list);
  // A session's row needs only its start and end lines, which `history` already carries: one
  // request, a few hundred bytes a session, never a whole record (2 MB of samples) in memory —
  // 10,000 sessions are a few megabytes, not 20 GB.
  Outcome o{exit_ok, {{"patient", patient}}, "", ""};
  o.fields["sessions"] = treadctl::progression_rows(std::move(list["sessions"]));  // moved, not copied
  const json& rows = o.fields["sessions"];
  if (list.contains("limited_to")) {
    // An operator's view is today's sessions: say so, never present it as the whole progression.
    o.fields["limited_to"] = list["limited_to"];
    if (!g.json_output) {
      std::cerr << "treadctl: only " << list["limited_to"].get<std::string>() << "; ask a clinician for the progression\n";
    }
  }
  if (auto html = in.text.find("html"); html != in.text.end()) {
    if (auto failed = write_file(html->second, treadctl::progression_html(patient, rows), "report")) return *failed;
    o.fields["html"] = html->second;
    o.text = "progression report of " + std::to_string(rows.size()) + " sessions written to " + html->second + "\n";
  }
  // Without --html (or with --csv), stdout is the table as CSV for the clinic's own systems.
  if (in.flags.count("csv") || o.text.empty()) o.text = treadctl::progression_csv(rows);
  return o;
}

Outcome report(const Globals& g, const Invocation& in) {
  if (in.text.count("patient")) return progression(g, in);
  json request = in.request;
  if (!request.contains("session")) {
    // No SESSION: the last one (the session at the machine, or the one that just ended).
    const json list = ask(Client(g.socket), {{"v", 1}, {"cmd", "history"}});
    if (!list.value("ok", false)) return from_reply(list);
    if (list["sessions"].empty()) return failure(exit_refused, "treadctl: there is no recorded session yet");
    request["session"] = list["sessions"].back()["id"];
  }
  json reply = ask(Client(g.socket), request);
  if (!reply.value("ok", false)) return from_reply(reply);
  // The patient's previous session rides with the record, for the report to set beside it.
  json record = reply["record"];
  if (reply.contains("previous") && reply["previous"].is_object()) record["previous"] = reply["previous"];
  Outcome o{exit_ok, {{"record", reply["record"]}, {"previous", reply.value("previous", json())}}, "", ""};
  if (auto svg = in.text.find("svg"); svg != in.text.end()) {
    if (auto failed = write_file(svg->second, treadctl::session_chart_svg(record), "chart")) return *failed;
    o.fields["chart"] = svg->second;
    o.text = "chart written to " + svg->second + "\n";
  }
  if (auto html = in.text.find("html"); html != in.text.end()) {
    if (auto failed = write_file(html->second, treadctl::session_html(record), "report")) return *failed;
    o.fields["html"] = html->second;
    o.text += "report written to " + html->second + "\n";
  }
  if (in.flags.count("csv")) {
    o.text = treadctl::render_csv(record);  // stdout carries the CSV alone; the files are on disk
  } else if (o.text.empty()) {
    o.text = treadctl::render_summary(record);
  }
  return o;
}

Outcome watch(const Globals& g, const Invocation& in) {
  Client client(g.socket);
  client.send(in.request);
  const bool tty = isatty(STDOUT_FILENO) && !g.json_output;
  std::signal(SIGINT, [](int) { interrupted = 1; });
  auto first = client.receive(5000);
  if (!first) return failure(exit_unreachable, "treadctl: treadd did not answer");
  if (!first->value("ok", false)) return from_reply(*first);
  const long limit = in.text.count("count") ? std::stol(in.text.at("count")) : 0;  // client-side: not sent
  long shown = 0;
  while (!interrupted && (limit <= 0 || shown < limit)) {
    auto update = client.receive(5000);
    if (!update) {
      // On its own line: a live view may have left the cursor mid-screen.
      if (tty) std::cout << "\n";
      return failure(exit_unreachable, "treadctl: treadd stopped sending updates");
    }
    const json& st = (*update)["status"];
    if (g.json_output) {
      emit(g, Outcome{exit_ok, st, "", ""});
    } else if (tty) {
      std::cout << "\033[H\033[2J" << treadctl::render_status(st) << "\n(Ctrl-C to leave; the belt is not affected)"
                << std::flush;
    } else {
      std::cout << treadctl::render_status_line(st) << std::endl;
    }
    ++shown;
  }
  if (tty) std::cout << "\n";
  return Outcome{exit_ok, {}, "", ""};
}

// Hold-to-run (operator presence): a heartbeat every 200 ms while this runs. Letting go —
// Ctrl-C, closing the terminal — asks for a normal stop at once; a killed process or a lost
// connection sends nothing more, and the daemon ramps the belt down after the profile's
// operator_presence time.
Outcome hold(const Globals& g, const Invocation&) {
  Client client(g.socket);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) std::signal(sig, [](int) { interrupted = 1; });
  std::cerr << "holding: the session runs while this runs; Ctrl-C (or closing the terminal) stops the belt\n";
  bool said_waiting = false;
  while (!interrupted) {
    client.send({{"v", 1}, {"cmd", "heartbeat"}});
    auto reply = client.receive(2000);
    if (!reply) return failure(exit_unreachable, "treadd stopped answering; without heartbeats the belt ramps to a stop");
    if (!reply->value("ok", false)) return from_reply(*reply);
    if (reply->value("message", "") != "ok" && !said_waiting) {
      std::cerr << reply->value("message", "") << "\n";
      said_waiting = true;
    }
    for (int i = 0; i < 20 && !interrupted; ++i) usleep(10'000);
  }
  json stopped = ask(client, {{"v", 1}, {"cmd", "stop"}, {"reason", "operator let go of hold-to-run"}});
  Outcome o = from_reply(stopped);
  o.exit = exit_ok;  // letting go is the normal end of hold, whatever the stop found
  o.text = "let go: " + stopped.value("message", stopped.value("error", "")) + "\n";
  o.error.clear();
  return o;
}

// The e-stop socket beside the control socket: its queue is never crowded by other clients.
// A daemon without one (older) is reached on the control socket.
Outcome estop(const Globals& g, const Invocation& in) {
  try {
    return from_reply(ask(Client(g.socket + ".estop"), in.request));
  } catch (const treadctl::NotRunning&) {
    return from_reply(ask(Client(g.socket), in.request));
  }
}

Outcome check_config(const Globals&, const Invocation& in) {
  Outcome o;
  json files = json::array();
  for (const auto& c : treadctl::check_config(in.files, in.text.count("machine") ? in.text.at("machine") : "")) {
    files.push_back({{"file", c.file}, {"ok", c.errors.empty()}, {"errors", c.errors}});
    if (!c.unchecked.empty()) files.back()["unchecked"] = c.unchecked;
    if (c.errors.empty()) o.text += c.file + (c.unchecked.empty() ? ": ok\n" : ": ok, except that " + c.unchecked + "\n");
    else if (!c.unchecked.empty()) o.error += c.file + ": " + c.unchecked + "\n";
    for (const auto& e : c.errors) o.error += e + "\n";
    if (!c.errors.empty()) o.exit = exit_refused;
  }
  o.fields["files"] = std::move(files);
  if (o.exit != exit_ok) o.error += "treadctl: the files above are not valid; treadd would refuse them";
  return o;
}

// The right to erasure is irreversible: the code is typed twice (--confirm, or asked on a terminal).
Outcome forget(const Globals& g, const Invocation& in) {
  json request = in.request;
  if (!request.contains("confirm") && isatty(STDIN_FILENO)) {
    std::cerr << "This erases every session record of patient " << request["patient"].get<std::string>()
              << " for good. Type the code again to confirm: " << std::flush;
    std::string typed;
    std::getline(std::cin, typed);
    std::transform(typed.begin(), typed.end(), typed.begin(), [](unsigned char c) { return std::toupper(c); });
    request["confirm"] = typed;  // as --patient was: the code on the card, whatever the case typed
  }
  return from_reply(ask(Client(g.socket), request));
}

Outcome completion(const Globals&, const Invocation&) { return Outcome{exit_ok, {}, treadctl::bash_completion(), ""}; }

// Not for people: text generated for the docs and the completion script (see tools/update-docs.sh).
Outcome reference(const Globals& g, const std::string& what) {
  if (what == "man") return Outcome{exit_ok, {}, treadctl::man_commands(), ""};
  if (what == "protocol") return Outcome{exit_ok, {}, treadctl::protocol_table(), ""};
  if (what == "rules") return Outcome{exit_ok, {}, treadctl::rules_table(), ""};
  if (what == "profile-keys-md") return Outcome{exit_ok, {}, treadd::profile_keys_markdown(), ""};
  if (what == "profile-keys-roff") return Outcome{exit_ok, {}, treadd::profile_keys_roff(), ""};
  if (what == "machine-keys-md") return Outcome{exit_ok, {}, treadd::machine_keys_markdown(), ""};
  if (what == "machine-keys-roff") return Outcome{exit_ok, {}, treadd::machine_keys_roff(), ""};
  // profiles / programs: names for completion, from the daemon if it answers, else none.
  std::string names;
  try {
    json reply = ask(Client(g.socket), {{"v", 1}, {"cmd", "limits"}});
    // Held in locals: items() over a temporary would read a dead object (ASan found it).
    if (what == "profiles") {
      const json profiles = reply.value("profiles", json::object());
      for (const auto& [name, p] : profiles.items()) names += name + "\n";
    } else {
      const json programs = reply.value("programs", json::array());
      for (const auto& name : programs) names += name.get<std::string>() + "\n";
    }
  } catch (const std::exception&) {
  }
  return Outcome{exit_ok, {}, names, ""};
}

Outcome send_as_is(const Globals& g, const Invocation& in) { return from_reply(ask(Client(g.socket), in.request)); }

using Handler = Outcome (*)(const Globals&, const Invocation&);
const std::map<std::string, Handler> handlers = {
    {"status", status}, {"limits", limits}, {"history", history},           {"report", report},
    {"watch", watch},   {"hold", hold},     {"estop", estop},               {"check-config", check_config}, {"forget", forget},
    {"completion", completion}};

// The verb word on the command line (the first word that is not a global option or its value),
// or "" if there is none.
std::string verb_word(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--socket") {
      ++i;
    } else if (a.empty() || a[0] != '-') {
      return a;
    }
  }
  return "";
}

std::optional<std::string> unknown_verb_message(const std::string& word) {
  if (word.empty() || word == "reference") return std::nullopt;
  std::string best;
  std::size_t best_distance = 3;  // suggest only a near miss
  for (const Verb& v : treadctl::verbs()) {
    if (v.name == word) return std::nullopt;
    const std::size_t d = treadd::edit_distance(word, v.name);
    if (d < best_distance || (best.empty() && v.name.rfind(word, 0) == 0)) {
      best = v.name;
      best_distance = std::min(d, best_distance);
    }
  }
  std::string m = "treadctl: unknown command '" + word + "'";
  return best.empty() ? m + "; see treadctl --help" : m + "; did you mean '" + best + "'?";
}

CLI::Validator direction_validator() {
  return CLI::Validator(
      [](std::string& word) {
        return treadd::parse_direction(word) ? std::string() : std::string("must be ") + treadd::direction_words;
      },
      "reverse|forward");
}

// A number typed the way many clinics write it ("2,5") gets an answer in words, not a parser's.
CLI::Validator decimal_point_validator() {
  return CLI::Validator(
      [](std::string& typed) {
        if (typed.find(',') == std::string::npos) return std::string();
        std::string with_point = typed;
        std::replace(with_point.begin(), with_point.end(), ',', '.');
        return "'" + typed + "' has a decimal comma; use a decimal point: " + with_point;
      },
      "NUMBER");
}

// Patient codes are capitals (P-0042); typed in lower case at the machine, they are meant the same.
CLI::Validator patient_code_upper_case() {
  return CLI::Validator(
      [](std::string& typed) {
        std::transform(typed.begin(), typed.end(), typed.begin(), [](unsigned char c) { return std::toupper(c); });
        return std::string();
      },
      "CODE");
}

// Each verb's options on its subcommand; the values land in `in` after parsing.
struct OptionValues {
  std::map<std::string, std::string> text;
  std::map<std::string, double> number;
  std::map<std::string, bool> flag;
  std::vector<std::string> many;
};

void add_verb(CLI::App& app, const Verb& v, OptionValues& values) {
  std::string help = v.help;
  if (v.role && *v.role != treadd::Role::viewer) help += std::string(" (") + treadd::to_string(*v.role) + ")";
  CLI::App* sub = app.add_subcommand(v.name, help);
  for (const Option& o : v.options) {
    const std::string name = o.cli_name();
    CLI::Option* opt = nullptr;
    if (o.many) {
      opt = sub->add_option(name, values.many, o.help);
    } else if (o.kind == treadd::FieldKind::flag) {
      opt = sub->add_flag(name, values.flag[o.name], o.help);
    } else if (o.kind == treadd::FieldKind::number) {
      opt = sub->add_option(name, values.number[o.name], o.help);
      opt->check(decimal_point_validator());  // before the range check, which cannot read "2,5"
      if (o.max > o.min) opt->check(CLI::Range(o.min, o.max));
    } else {
      opt = sub->add_option(name, values.text[o.name], o.help);
      if (o.kind == treadd::FieldKind::direction) opt->check(direction_validator());
      if (o.kind == treadd::FieldKind::date) opt->type_name(std::string("WHEN"));
      if (o.kind == treadd::FieldKind::patient) opt->transform(patient_code_upper_case());
    }
    if (o.required) opt->required();
  }
}

// The request, from the options given; dates as typed become the protocol's UTC form.
std::variant<Invocation, std::string> invocation(const Verb& v, CLI::App& sub, OptionValues& values) {
  Invocation in;
  in.verb = &v;
  in.request = {{"v", 1}, {"cmd", v.name}};
  in.files = values.many;
  for (const Option& o : v.options) {
    const std::string name = o.cli_name();
    if (o.many || sub.count(name) == 0) continue;
    if (!o.from_field) {
      if (o.kind == treadd::FieldKind::flag) in.flags[o.name] = true;
      else in.text[o.name] = o.kind == treadd::FieldKind::number ? std::to_string(values.number[o.name]) : values.text[o.name];
      continue;
    }
    switch (o.kind) {
      case treadd::FieldKind::number: in.request[o.name] = values.number[o.name]; break;
      case treadd::FieldKind::flag: in.request[o.name] = values.flag[o.name]; break;
      case treadd::FieldKind::date: {
        auto iso = treadd::iso_utc_from_user_text(values.text[o.name], static_cast<std::int64_t>(std::time(nullptr)));
        if (!iso) return name + ": '" + values.text[o.name] + "' is not a date; use " + std::string(treadd::date_forms);
        in.request[o.name] = *iso;
        break;
      }
      default: in.request[o.name] = values.text[o.name];
    }
  }
  return in;
}

}  // namespace

int main(int argc, char** argv) {
  // Reports and charts hold patient data: files treadctl writes are the user's alone.
  umask(077);
  Globals g;
  CLI::App app{"treadctl: start, steer, stop and watch a treadd treadmill session"};
  app.fallthrough();  // --json and --socket may come after the verb, as with systemctl
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("treadctl ") + TREADD_VERSION);
  app.add_option("--socket", g.socket, "treadd control socket")->capture_default_str()->envname("TREADD_SOCKET");
  app.add_flag("--json", g.json_output, "machine-readable output: one JSON object per answer, errors included");
  app.footer(
      "Exit status: 0 done, 1 refused or failed, 2 usage error, 3 treadd unreachable.\n"
      "treadctl VERB --help shows a verb's options.");

  std::map<std::string, OptionValues> values;  // per verb; std::map keeps the addresses stable
  for (const Verb& v : treadctl::verbs()) add_verb(app, v, values[v.name]);
  std::string what;
  app.add_subcommand("reference", "")  // hidden: generated docs and completion data
      ->group("")
      ->add_option("WHAT", what)
      ->required()
      ->check(CLI::IsMember({"man", "protocol", "rules", "profile-keys-md", "profile-keys-roff", "machine-keys-md", "machine-keys-roff", "profiles", "programs"}));

  for (int i = 1; i < argc; ++i) g.json_output = g.json_output || std::string(argv[i]) == "--json";
  if (auto unknown = unknown_verb_message(verb_word(argc, argv))) return emit(g, failure(exit_usage, *unknown));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    if (g.json_output) return emit(g, failure(exit_usage, std::string("treadctl: ") + e.what()));
    app.exit(e);
    return exit_usage;
  }

  try {
    CLI::App* sub = app.get_subcommands().front();
    if (sub->get_name() == "reference") return emit(g, reference(g, what));
    const Verb& verb = *std::find_if(treadctl::verbs().begin(), treadctl::verbs().end(),
                                     [&](const Verb& v) { return v.name == sub->get_name(); });
    auto in = invocation(verb, *sub, values[verb.name]);
    if (auto* usage = std::get_if<std::string>(&in)) return emit(g, failure(exit_usage, "treadctl: " + *usage));
    auto handler = handlers.find(verb.name);
    return emit(g, (handler == handlers.end() ? send_as_is : handler->second)(g, std::get<Invocation>(in)));
  } catch (const treadctl::NotRunning& e) {
    return emit(g, failure(exit_unreachable, std::string("treadctl: ") + e.what()));
  } catch (const std::exception& e) {
    return emit(g, failure(exit_refused, std::string("treadctl: ") + e.what()));
  }
}
