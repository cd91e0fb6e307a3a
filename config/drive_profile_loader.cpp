// SPDX-License-Identifier: Apache-2.0
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <set>
#include <fstream>
#include <sstream>

#include "config/drive_profile.hpp"
#include "config/loader.hpp"
#include "config/yaml_section.hpp"

namespace treadd {
namespace {

// Register numbers and values may be written in decimal or hex (0x2000), as manuals do.
std::optional<long> number(const std::string& text) {
  try {
    std::size_t used = 0;
    long v = std::stol(text, &used, 0);
    if (used != text.size()) return std::nullopt;
    return v;
  } catch (...) {
    return std::nullopt;
  }
}

struct Reader {
  Diagnostics& diag;
  int base = 0;

  bool word(YamlSection& s, const std::string& key, std::uint16_t& out, Need need, bool is_address) {
    std::string text;
    if (!s.text(key, text, need)) return false;
    auto v = number(text);
    const long value = v ? *v - (is_address ? base : 0) : -1;
    if (!v || value < 0 || value > 0xFFFF) {
      s.error_at(key, s.path() + "." + key + " must be a number from " + std::to_string(is_address ? base : 0) +
                          " to 65535 (decimal or 0x hex), got '" + text + "'");
      return false;
    }
    out = static_cast<std::uint16_t>(value);
    return true;
  }

  // Each entry of the list under `key`; `shape` is the error when it is not a list.
  template <class PerEntry>
  void each_entry(YamlSection& top, const char* key, const char* shape, PerEntry per_entry) {
    YAML::Node list = top.child(key);
    if (!list.IsDefined()) return;
    if (!list.IsSequence()) {
      top.error(list.Mark(), shape);
      return;
    }
    for (const auto& item : list) per_entry(item);
  }

  // `type: holding | input` (default holding), as every register of a profile may say.
  bool register_type(YamlSection& s, RegisterType& out) {
    std::string type = "holding";
    if (s.text("type", type, Need::optional) && type != "holding" && type != "input") {
      s.error_at("type", s.path() + ".type must be 'holding' or 'input'");
      return false;
    }
    out = type == "input" ? RegisterType::input : RegisterType::holding;
    return true;
  }

  std::optional<ScaledRegister> scaled(YamlSection& parent, const std::string& key, Need need) {
    YAML::Node node = parent.child(key);
    if (!node.IsDefined()) {
      if (need == Need::required) parent.missing(key);
      return std::nullopt;
    }
    YamlSection s(node, parent.path() + "." + key, diag);
    if (!s.valid()) return std::nullopt;
    ScaledRegister r;
    bool ok = word(s, "register", r.address, Need::required, true);
    ok = register_type(s, r.type) && ok;
    s.ratio("scale", r.scale, Need::optional);
    std::string sign = "false";
    if (s.text("signed", sign, Need::optional)) r.is_signed = sign == "true";
    s.finish();
    return ok ? std::optional(r) : std::nullopt;
  }

  std::optional<long> signed_value(YamlSection& s, const std::string& key) {
    std::string text;
    if (!s.text(key, text, Need::optional)) return std::nullopt;
    auto v = number(text);
    if (!v || *v < -32768 || *v > 65535) {
      s.error_at(key, s.path() + "." + key + " must be a number from -32768 to 65535, got '" + text + "'");
      return std::nullopt;
    }
    return v;
  }

  void parameters(YamlSection& top, std::vector<ParameterCheck>& out) {
    each_entry(top, "parameters", "parameters must be a list of {parameter, register, write | equals | min/max, what, fix}",
               [&](const YAML::Node& item) {
      // Messages name the parameter as the technician knows it, once it is known.
      const bool named = item.IsMap() && item["parameter"].IsScalar();
      YamlSection s(item, named ? "parameter " + item["parameter"].Scalar() : std::string("parameters entry"), diag);
      if (!s.valid()) return;
      ParameterCheck c;
      bool ok = s.text("parameter", c.parameter, Need::required);
      ok = word(s, "register", c.address, Need::required, true) && ok;
      ok = register_type(s, c.type) && ok;
      std::uint16_t w = 0;
      if (s.child("write").IsDefined() && word(s, "write", w, Need::required, false)) c.write = w;
      word(s, "mask", c.mask, Need::optional, false);
      c.equals = signed_value(s, "equals");
      c.min = signed_value(s, "min");
      c.max = signed_value(s, "max");
      s.text("what", c.what, Need::required);
      s.text("fix", c.fix, Need::required);
      s.finish();  // first: a misspelt key makes the key it meant unsound for the checks below
      if (!s.sound({"write", "equals", "min", "max"})) return;
      if (c.write && c.type == RegisterType::input) s.error_at("write", s.path() + ": an input register cannot be written");
      if (c.write && (c.equals || c.min || c.max)) {
        s.error_at("write", s.path() + ": a written parameter must read back what was written; drop equals/min/max");
      }
      if (!c.write && !c.equals && !c.min && !c.max) {
        s.error(item.Mark(), s.path() + " needs write, equals, or min/max: what must the drive hold?");
      }
      if (c.equals && (c.min || c.max)) s.error_at("equals", s.path() + ": give equals or min/max, not both");
      if (c.min && c.max && *c.min > *c.max) s.error_at("min", s.path() + ": min is above max");
      if (ok) out.push_back(c);
    });
  }

  std::optional<TurnBits> turn(YamlSection& parent) {
    if (!parent.child("turn").IsDefined()) return std::nullopt;
    YamlSection s(parent.child("turn"), parent.path() + ".turn", diag);
    if (!s.valid()) return std::nullopt;
    TurnBits t;
    bool ok = word(s, "register", t.word.address, Need::required, true);
    ok = register_type(s, t.word.type) && ok;
    ok = word(s, "mask", t.mask, Need::required, false) && ok;
    ok = word(s, "forward", t.forward, Need::required, false) && ok;
    ok = word(s, "reverse", t.reverse, Need::required, false) && ok;
    if (ok && (t.mask == 0 || (t.forward & ~t.mask) != 0 || (t.reverse & ~t.mask) != 0 || t.forward == t.reverse)) {
      s.error(s.node().Mark(), s.path() + ": forward and reverse must be two different values within the mask");
      ok = false;
    }
    s.finish();
    return ok ? std::optional(t) : std::nullopt;
  }

  std::optional<RestartIndicator> restart(YamlSection& top) {
    if (!top.child("restart").IsDefined()) return std::nullopt;
    YamlSection s(top.child("restart"), "restart", diag);
    if (!s.valid()) return std::nullopt;
    RestartIndicator r;
    std::string kind;
    bool ok = s.text("kind", kind, Need::required);
    if (kind == "counter") r.kind = RestartIndicator::Kind::counter;
    else if (kind == "flag_while_running") r.kind = RestartIndicator::Kind::flag_while_running;
    else if (kind == "marker") r.kind = RestartIndicator::Kind::marker;
    else if (ok) {
      s.error_at("kind", "restart.kind must be counter, flag_while_running or marker, got '" + kind + "'");
      ok = false;
    }
    ok = word(s, "register", r.word.address, Need::required, true) && ok;
    ok = register_type(s, r.word.type) && ok;
    word(s, "mask", r.mask, Need::optional, false);
    const Need value_need = r.kind == RestartIndicator::Kind::marker ? Need::required : Need::optional;
    if (s.child("value").IsDefined() || value_need == Need::required) ok = word(s, "value", r.value, value_need, false) && ok;
    s.text("what", r.what, Need::required);
    if (r.kind == RestartIndicator::Kind::marker && (r.word.type == RegisterType::input || r.value == 0)) {
      s.error(s.node().Mark(), "restart: a marker is a holding register treadd writes, with a value other than 0 "
                               "(power-up clears it to 0)");
      ok = false;
    }
    if (r.mask == 0) {
      s.error_at("mask", "restart.mask of 0 would never see a restart");
      ok = false;
    }
    s.finish();
    return ok ? std::optional(r) : std::nullopt;
  }

  void identity(YamlSection& top, std::vector<IdentityRegister>& out) {
    each_entry(top, "identity", "identity must be a list of {name, register, count}", [&](const YAML::Node& item) {
      YamlSection s(item, "identity entry", diag);
      if (!s.valid()) return;
      IdentityRegister id;
      bool ok = s.text("name", id.name, Need::required);
      ok = word(s, "register", id.first.address, Need::required, true) && ok;
      ok = register_type(s, id.first.type) && ok;
      int count = 1;
      s.integer("count", count, Need::optional, 1, 8);
      id.count = static_cast<std::uint16_t>(count);
      s.finish();
      if (ok) out.push_back(id);
    });
  }

  void fault_names(YamlSection& top, std::map<int, std::string>& out) {
    YAML::Node map = top.child("fault_names");
    if (!map.IsDefined()) return;
    if (!map.IsMap()) {
      top.error(map.Mark(), "fault_names must be a mapping of fault codes to what the drive's manual calls them");
      return;
    }
    for (const auto& kv : map) {
      long code = -1;
      try {
        std::size_t used = 0;
        code = std::stol(kv.first.Scalar(), &used, 0);
        if (used != kv.first.Scalar().size()) code = -1;
      } catch (const std::exception&) {
      }
      if (code <= 0 || code > 0xFFFF) {
        top.error(kv.first.Mark(), "fault_names: '" + kv.first.Scalar() + "' is not a fault code (1 to 65535, or 0x...)");
      } else if (!kv.second.IsScalar() || kv.second.Scalar().empty()) {
        top.error(kv.second.Mark(), "fault_names: code " + kv.first.Scalar() + " needs a name");
      } else {
        out[static_cast<int>(code)] = kv.second.Scalar();
      }
    }
  }

  void panel_questions(YamlSection& top, std::vector<PanelQuestion>& out) {
    each_entry(top, "panel", "panel must be a list of {parameter, ask, value}", [&](const YAML::Node& item) {
      YamlSection s(item, "panel entry", diag);
      if (!s.valid()) return;
      PanelQuestion q;
      s.text("value", q.value, Need::optional);
      if (s.text("parameter", q.parameter, Need::required) && s.text("ask", q.ask, Need::required)) out.push_back(q);
      s.finish();
    });
  }
};

}  // namespace

const char* to_string(DirectionSource s) {
  switch (s) {
    case DirectionSource::status_bits: return "status_bits";
    case DirectionSource::signed_output: return "signed_output";
    case DirectionSource::none: return "none";
  }
  return "none";
}

DirectionSource DriveProfile::direction_source() const {
  if (turn) return DirectionSource::status_bits;
  if (output_hz.is_signed) return DirectionSource::signed_output;
  return DirectionSource::none;
}

std::string describe_fault(const std::map<int, std::string>& fault_names, int code) {
  auto it = fault_names.find(code);
  return it == fault_names.end() ? std::to_string(code) : std::to_string(code) + " (" + it->second + ")";
}

std::string DriveProfile::describe_fault(int code) const { return treadd::describe_fault(fault_names, code); }

bool ParameterCheck::holds(std::uint16_t raw) const {
  if (write) return raw == *write;
  // Ranges are compared as the drive's value (signed when the bound is negative).
  const std::uint16_t masked = raw & mask;
  const bool negative_bounds = (min && *min < 0) || (max && *max < 0) || (equals && *equals < 0);
  const long v = negative_bounds ? static_cast<long>(static_cast<std::int16_t>(masked)) : static_cast<long>(masked);
  if (equals) return v == *equals;
  return (!min || v >= *min) && (!max || v <= *max);
}

std::string ParameterCheck::shown(std::uint16_t raw) const {
  const std::uint16_t masked = raw & mask;
  const bool negative_bounds = (min && *min < 0) || (max && *max < 0) || (equals && *equals < 0);
  return std::to_string(negative_bounds ? static_cast<long>(static_cast<std::int16_t>(masked)) : static_cast<long>(masked));
}

std::string ParameterCheck::expected() const {
  if (write) return std::to_string(*write);
  if (equals) return std::to_string(*equals);
  if (min && max) return "from " + std::to_string(*min) + " to " + std::to_string(*max);
  if (min) return "at least " + std::to_string(*min);
  return "at most " + std::to_string(*max);
}

const ParameterCheck* DriveProfile::parameter(const std::string& wanted) const {
  for (const auto& c : parameters) {
    if (c.parameter == wanted) return &c;
  }
  return nullptr;
}

std::vector<std::string> drive_profile_dirs(const std::string& config_dir) {
  return {config_dir + "/drives", TREADD_DRIVES_DIR};
}

std::optional<std::string> find_drive_profile(const std::string& name, const std::string& config_dir, std::string& why) {
  // A name, never a path: a profile is one of the technician's or one of the shipped ones.
  if (name.empty() || name.find('/') != std::string::npos || name.front() == '.') {
    why = "drive.profile must be the name of a profile (e.g. delta-ms300), got '" + name + "'";
    return std::nullopt;
  }
  std::string looked;
  for (const auto& dir : drive_profile_dirs(config_dir)) {
    const std::string path = dir + "/" + name + ".yaml";
    if (std::filesystem::exists(path)) return path;
    looked += (looked.empty() ? "" : " or ") + dir;
  }
  why = "drive profile '" + name + "' not found in " + looked;
  return std::nullopt;
}

Loaded<DriveProfile> parse_drive_profile(const std::string& yaml_text, const std::string& file_name) {
  auto loaded = parse_document<DriveProfile>(
      yaml_text, file_name, "drive profile",
      [](YamlSection& top, const YAML::Node&, DriveProfile& p, Diagnostics& diag) {
        Reader rd{diag};
        top.text("name", p.name, Need::required);
        top.integer("address_base", rd.base, Need::optional, 0, 1);
        // The checks across sections below compare only what was read as written (YamlSection::sound):
        // a misspelt or absent section has its own error, and its defaults would give false ones.
        bool commands_sound = false;
        if (!top.child("commands").IsDefined()) {
          top.missing("commands");
        } else if (YamlSection c(top.child("commands"), "commands", diag); c.valid()) {
          rd.word(c, "register", p.command_register, Need::required, true);
          rd.word(c, "run_forward", p.run_forward, Need::required, false);
          rd.word(c, "run_reverse", p.run_reverse, Need::optional, false);
          rd.word(c, "stop", p.stop, Need::required, false);
          p.fast_stop = p.stop;
          rd.word(c, "fast_stop", p.fast_stop, Need::optional, false);
          if (auto n = c.child("fault_reset"); n.IsDefined()) {
            YamlSection fr(n, "commands.fault_reset", diag);
            RegisterWrite w;
            if (rd.word(fr, "register", w.address, Need::required, true) && rd.word(fr, "value", w.value, Need::required, false)) {
              p.fault_reset = w;
            }
            fr.finish();
          }
          c.finish();
          commands_sound = c.sound({"register", "run_forward", "run_reverse", "stop", "fast_stop"});
        }
        bool setpoint_sound = false;
        if (auto sp = rd.scaled(top, "setpoint", Need::required)) {
          p.setpoint = *sp;
          setpoint_sound = true;
        }
        std::string mode = "command";
        if (top.text("direction_by", mode, Need::optional) && mode != "command" && mode != "sign") {
          top.error_at("direction_by", "direction_by must be 'command' (reverse has its own command value) or 'sign'");
        }
        p.direction_by_sign = mode == "sign";
        bool output_sound = false;
        if (!top.child("feedback").IsDefined()) {
          top.missing("feedback");
        } else if (YamlSection f(top.child("feedback"), "feedback", diag); f.valid()) {
          if (auto r = rd.scaled(f, "output_hz", Need::required)) {
            p.output_hz = *r;
            output_sound = true;
          }
          p.fault_code = rd.scaled(f, "fault_code", Need::optional);
          p.safety_key = rd.scaled(f, "safety_key", Need::optional);
          p.fault_number = rd.scaled(f, "fault_number", Need::optional);
          rd.word(f, "safety_key_mask", p.safety_key_mask, Need::optional, false);
          rd.word(f, "fault_code_mask", p.fault_code_mask, Need::optional, false);
          p.turn = rd.turn(f);
          // A profile that can never latch a drive trip would let the belt run on a drive in fault.
          if (!f.child("fault_code").IsDefined()) {
            f.missing("fault_code", "feedback.fault_code is required: without it no drive trip is ever latched");
          }
          f.finish();
          output_sound = output_sound && f.sound("output_hz");
          if (p.fault_code && f.sound("fault_code_mask") && p.fault_code_mask == 0) {
            f.error_at("fault_code_mask", "feedback.fault_code_mask of 0 hides every fault code: no drive trip would "
                                          "ever be latched");
          }
        }
        if (auto w = top.child("watchdog"); w.IsDefined()) {
          top.error(w.Mark(), "'watchdog' is now 'parameters': list each write as {parameter, register, write, what, fix}");
        }
        rd.parameters(top, p.parameters);
        rd.panel_questions(top, p.panel_questions);
        p.restart = rd.restart(top);
        rd.identity(top, p.identity);
        rd.fault_names(top, p.fault_names);
        std::string combined = "false";
        if (top.text("combined_write", combined, Need::optional) && combined != "true" && combined != "false") {
          top.error_at("combined_write", "combined_write must be true or false");
        }
        p.combined_write = combined == "true";
        if (top.duration("backstop_within", p.backstop_within, Need::required) &&
            (p.backstop_within <= Millis(0) || p.backstop_within > Millis(10000))) {
          top.error_at("backstop_within", "backstop_within must be more than 0 and at most 10s: the drive must stop the "
                                          "belt by itself soon after treadd falls silent");
        }
        p.comms_timeout = rd.scaled(top, "comms_timeout", Need::optional);
        top.text("backstop_set_by", p.backstop_set_by, Need::required);
        top.finish();  // every key read: a misspelt one now makes the key it meant unsound below
        // Words and registers that would make a check prove nothing, or a stop mean run.
        const bool direction_sound = commands_sound && top.sound("direction_by");
        for (const std::uint16_t word : {p.stop, p.fast_stop}) {
          if (!direction_sound) break;
          if (word == p.run_forward || (!p.direction_by_sign && word == p.run_reverse)) {
            top.error(top.node().Mark(), "commands.stop and commands.fast_stop must differ from the run values: a stop "
                                         "word equal to a run word would run the belt");
          }
        }
        // Which registers treadd writes is known only when the sections naming them were read.
        const bool writes_known = commands_sound && setpoint_sound && top.sound("setpoint");
        const auto written = [&](std::uint16_t a) {
          return a == p.command_register || a == p.setpoint.address || (p.fault_reset && a == p.fault_reset->address);
        };
        if (output_sound && writes_known && p.output_hz.type == RegisterType::holding && written(p.output_hz.address)) {
          top.error(top.node().Mark(), "feedback.output_hz must not be a register treadd writes (control word, setpoint, "
                                       "fault reset): it would read back the command, not the belt");
        }
        std::set<std::pair<int, std::uint16_t>> seen;
        for (const auto& c : p.parameters) {
          if (writes_known && c.type == RegisterType::holding && written(c.address)) {
            top.error(top.node().Mark(), "parameter " + c.parameter + " is on a register treadd writes every cycle "
                                         "(control word, setpoint or fault reset)");
          }
          if (!seen.insert({static_cast<int>(c.type), c.address}).second) {
            top.error(top.node().Mark(), "parameter " + c.parameter + " uses a register another parameter already checks");
          }
          if (c.mask == 0) top.error(top.node().Mark(), "parameter " + c.parameter + ": a mask of 0 would make any value pass");
        }
        if (direction_sound && !p.direction_by_sign && top.valid() && p.run_reverse == 0) {
          top.error(top.node().Mark(), "commands.run_reverse is required unless direction_by is 'sign'");
        }
      });
  if (loaded.value) loaded.value->source_text = yaml_text;
  return loaded;
}

Loaded<DriveProfile> load_drive_profile(const std::string& path) {
  std::vector<Diagnostic> errors;
  auto text = read_config_file(path, errors);
  if (!text) return {std::nullopt, errors};
  return parse_drive_profile(*text, path);
}

}  // namespace treadd
