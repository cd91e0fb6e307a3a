// SPDX-License-Identifier: Apache-2.0
// treadctl's command line, described once: every protocol request from the command registry
// (daemon/supervisor/commands.hpp) plus the verbs and options that live only in the client.
// main.cpp builds the parser from it; the bash completion, treadctl(1)'s command list and
// docs/protocol.md's request table are rendered from it (`treadctl reference …`), and a test fails
// when a committed copy drifts.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "daemon/supervisor/commands.hpp"

namespace treadctl {

struct Option {
  std::string name;     // the field name; on the command line --name-with-dashes, or NAME if positional
  std::string help;
  treadd::FieldKind kind = treadd::FieldKind::text;
  bool required = false;
  bool positional = false;
  bool many = false;       // positional: one or more
  bool from_field = true;  // false: used by treadctl itself, never sent
  double min = 0, max = 0;
  std::string flag_name() const;  // --via-stop
  std::string metavar() const;     // KMH, reverse|forward, WHEN: what help shows
  std::string cli_name() const;    // the parser's name: --via-stop, or KMH for a positional
};

struct Verb {
  std::string name;
  std::string help;
  std::optional<treadd::Role> role;  // empty: needs no daemon
  std::vector<Option> options;
  bool request = true;  // sends the request of the same name
};

const std::vector<Verb>& verbs();

std::string bash_completion();
std::string man_commands();     // the .SH COMMANDS section of treadctl(1)
std::string protocol_table();   // the request table of docs/protocol.md
std::string rules_table();      // the rules table of docs/safety.md

}  // namespace treadctl
