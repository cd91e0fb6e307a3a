#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>

#include "config/drive_profile.hpp"
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

  std::optional<ScaledRegister> scaled(YamlSection& parent, const std::string& key, Need need) {
    YAML::Node node = parent.child(key);
    if (!node.IsDefined()) {
      if (need == Need::required) parent.error(parent.node().Mark(), parent.path() + " is missing the required key '" + key + "'");
      return std::nullopt;
    }
    YamlSection s(node, parent.path() + "." + key, diag);
    if (!s.valid()) return std::nullopt;
    ScaledRegister r;
    bool ok = word(s, "register", r.address, Need::required, true);
    std::string type = "holding";
    if (s.text("type", type, Need::optional) && type != "holding" && type != "input") {
      s.error_at("type", s.path() + ".type must be 'holding' or 'input'");
      ok = false;
    }
    r.type = type == "input" ? RegisterType::input : RegisterType::holding;
    s.ratio("scale", r.scale, Need::optional);
    std::string sign = "false";
    if (s.text("signed", sign, Need::optional)) r.is_signed = sign == "true";
    s.finish();
    return ok ? std::optional(r) : std::nullopt;
  }
};

}  // namespace

Loaded<DriveProfile> parse_drive_profile(const std::string& yaml_text, const std::string& file_name) {
  return parse_document<DriveProfile>(
      yaml_text, file_name, "drive profile",
      [](YamlSection& top, const YAML::Node&, DriveProfile& p, Diagnostics& diag) {
        Reader rd{diag};
        top.text("name", p.name, Need::required);
        top.integer("address_base", rd.base, Need::optional, 0, 1);
        if (YamlSection c(top.child("commands"), "commands", diag); c.valid()) {
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
        }
        if (auto sp = rd.scaled(top, "setpoint", Need::required)) p.setpoint = *sp;
        std::string mode = "command";
        if (top.text("direction_by", mode, Need::optional) && mode != "command" && mode != "sign") {
          top.error_at("direction_by", "direction_by must be 'command' (reverse has its own command value) or 'sign'");
        }
        p.direction_by_sign = mode == "sign";
        if (YamlSection f(top.child("feedback"), "feedback", diag); f.valid()) {
          if (auto r = rd.scaled(f, "output_hz", Need::required)) p.output_hz = *r;
          p.fault_code = rd.scaled(f, "fault_code", Need::optional);
          p.safety_key = rd.scaled(f, "safety_key", Need::optional);
          rd.word(f, "safety_key_mask", p.safety_key_mask, Need::optional, false);
          rd.word(f, "fault_code_mask", p.fault_code_mask, Need::optional, false);
          f.finish();
        }
        if (auto w = top.child("watchdog"); w.IsDefined()) {
          if (!w.IsSequence()) {
            top.error(w.Mark(), "watchdog must be a list of {register, value} writes");
          } else {
            for (const auto& item : w) {
              YamlSection ws(item, "watchdog entry", diag);
              RegisterWrite rw;
              if (rd.word(ws, "register", rw.address, Need::required, true) &&
                  rd.word(ws, "value", rw.value, Need::required, false)) {
                p.watchdog.push_back(rw);
              }
              ws.child("what");  // a free-text note for the technician
              ws.finish();
            }
          }
        }
        p.comms_timeout = rd.scaled(top, "comms_timeout", Need::optional);
        if (!p.direction_by_sign && top.valid() && p.run_reverse == 0) {
          top.error(top.node().Mark(), "commands.run_reverse is required unless direction_by is 'sign'");
        }
      });
}

Loaded<DriveProfile> load_drive_profile(const std::string& path) {
  std::vector<Diagnostic> errors;
  auto text = read_config_file(path, errors);
  if (!text) return {std::nullopt, errors};
  return parse_drive_profile(*text, path);
}

}  // namespace treadd
