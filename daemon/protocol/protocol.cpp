// SPDX-License-Identifier: Apache-2.0
#include "daemon/protocol/protocol.hpp"

#include "config/profile_keys.hpp"
#include "core/calendar.hpp"
#include "core/patient.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace treadd::protocol {
namespace {

using nlohmann::json;

std::string quoted(std::string_view name) { return "'" + std::string(name) + "'"; }

// The request's fields, checked against its spec; a wrong one throws with the field's name.
Args read_fields(const CommandSpec& spec, const json& j) {
  Args args;
  // A misspelt field is an error, not ignored: {"patinet": …} would start a session under no
  // patient, which that patient's progression and erasure would then never find.
  for (const auto& [key, value] : j.items()) {
    if (key == "v" || key == "cmd") continue;
    const bool known = std::any_of(spec.fields.begin(), spec.fields.end(), [&](const Field& f) { return f.name == key; });
    if (!known) {
      std::string accepted;
      for (const Field& f : spec.fields) {
        if (!f.name.empty()) accepted += (accepted.empty() ? "" : ", ") + std::string(f.name);
      }
      throw std::invalid_argument("unknown field '" + key.substr(0, 40) + "' for '" + std::string(spec.name) +
                                  "'" + (accepted.empty() ? " (it takes none)" : " (it takes " + accepted + ")"));
    }
  }
  for (const Field& f : spec.fields) {
    if (f.name.empty()) continue;
    auto it = j.find(std::string(f.name));
    if (it == j.end() || (it->is_null() && !f.required)) {
      if (f.required) throw std::invalid_argument(quoted(f.name) + " is required");
      continue;
    }
    switch (f.kind) {
      case FieldKind::text: {
        if (!it->is_string()) throw std::invalid_argument(quoted(f.name) + " must be a string");
        const auto text = it->get<std::string>();
        if (f.max > 0 && (static_cast<double>(text.size()) < f.min || static_cast<double>(text.size()) > f.max)) {
          throw std::invalid_argument(quoted(f.name) + " must be " + std::to_string(static_cast<int>(f.min)) + " to " +
                                      std::to_string(static_cast<int>(f.max)) + " characters");
        }
        // No control characters: a stop reason is printed in terminals, logs and reports, where an
        // escape sequence would rewrite the screen (or the clipboard) and a newline forge a line.
        if (std::any_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
          throw std::invalid_argument(quoted(f.name) + " must not contain control characters");
        }
        args.set(f.name, text);
        break;
      }
      case FieldKind::number: {
        if (!it->is_number() || !std::isfinite(it->get<double>())) {
          throw std::invalid_argument(quoted(f.name) + " must be a number");
        }
        const double v = it->get<double>();
        if (f.max > f.min && !(v >= f.min && v <= f.max)) {
          char range[64];
          std::snprintf(range, sizeof range, " must be a number from %g to %g", f.min, f.max);
          throw std::invalid_argument(quoted(f.name) + range);
        }
        args.set(f.name, v);
        break;
      }
      case FieldKind::flag:
        if (!it->is_boolean()) throw std::invalid_argument(quoted(f.name) + " must be true or false");
        args.set(f.name, it->get<bool>());
        break;
      case FieldKind::direction: {
        auto d = it->is_string() ? parse_direction(it->get<std::string>()) : std::nullopt;
        if (!d) throw std::invalid_argument(quoted(f.name) + " must be " + direction_words);
        args.set(f.name, *d);
        break;
      }
      case FieldKind::patient:
        if (!it->is_string() || !is_patient_code(it->get<std::string>())) {
          throw std::invalid_argument(quoted(f.name) + " must be a patient code: " + patient_code_form);
        }
        args.set(f.name, it->get<std::string>());
        break;
      case FieldKind::date:
        if (!it->is_string() || !is_iso_utc(it->get<std::string>())) {
          throw std::invalid_argument(quoted(f.name) + " must be a UTC date, YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ");
        }
        args.set(f.name, it->get<std::string>());
        break;
    }
  }
  return args;
}

// The request whose spec carries `name`, built from its checked fields.
template <std::size_t I = 0>
std::optional<Parsed> build(std::string_view name, const json& j) {
  if constexpr (I < std::variant_size_v<Parsed>) {
    using T = std::variant_alternative_t<I, Parsed>;
    if (T::spec.name == name) return Parsed{std::in_place_index<I>, T::from(read_fields(T::spec, j))};
    return build<I + 1>(name, j);
  } else {
    return std::nullopt;
  }
}

Parsed parse_object(const json& j) {
  if (!j.is_object()) throw std::invalid_argument("a request must be a JSON object");
  // Compared as written: 4294967297 or 1.0 must not pass for 1 through a narrowing conversion.
  if (auto v = j.find("v"); v != j.end() && v->dump() != std::to_string(version)) {
    throw std::invalid_argument("unsupported protocol version (this daemon speaks version 1)");
  }
  auto cmd = j.find("cmd");
  if (cmd == j.end() || !cmd->is_string()) throw std::invalid_argument("'cmd' must be a string");
  const std::string name = cmd->get<std::string>();
  if (auto request = build(name, j)) return *request;
  throw std::invalid_argument("unknown command '" + name + "'");
}


// A latched fault: its rule's code, the sentence people read, and the facts a program reads.
json fault_json(const Fault& f, const Wording& wording) {
  return {{"cause", to_string(f.rule)}, {"detail", wording.fault(f)}, {"facts", wording.facts_json(f.facts)}};
}

json optional_number(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }
json optional_seconds(const std::optional<Millis>& v) {
  return v ? json(std::chrono::duration<double>(*v).count()) : json(nullptr);
}

}  // namespace

json segment_json(const Segment& s) {
  return {{"direction", to_string(s.direction)}, {"speed_kmh", s.speed_kmh},
          {"duration_s", std::chrono::duration<double>(s.duration).count()}};
}

ParseResult parse_request(std::string_view line) {
  if (line.size() > max_line_bytes) return {std::nullopt, "request longer than 4096 bytes"};
  json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return {std::nullopt, "not valid JSON"};
  try {
    return {parse_object(j), {}};
  } catch (const std::exception& e) {
    return {std::nullopt, e.what()};
  }
}

std::string line(const json& reply) { return reply.dump(-1, ' ', false, json::error_handler_t::replace) + "\n"; }

json ok_reply(const std::string& message) { return {{"v", version}, {"ok", true}, {"message", message}}; }
json error_reply(const std::string& message) { return {{"v", version}, {"ok", false}, {"error", message}}; }

json refused_reply(RuleId rule, const std::string& message) {
  json r = error_reply("refused: " + message);
  r["rule"] = to_string(rule);
  return r;
}
json refused_reply(RuleId rule, const Facts& facts, const Wording& wording) {
  return refused_reply(rule, wording.rule(rule, facts));
}

json ceilings_json(const Ceilings& c) {
  return {{"forward_max_kmh", c.forward_max_kmh},
          {"reverse_max_kmh", c.reverse_max_kmh},
          {"max_accel_mps2", c.max_accel_mps2},
          {"max_decel_mps2", c.max_decel_mps2},
          {"emergency_decel_mps2", c.emergency_decel_mps2},
          {"max_session_s", std::chrono::duration<double>(c.max_session).count()}};
}

// Every profile key, under its name with its unit (config/profile_keys.hpp): a new key appears here
// without an edit.
json limits_json(const Profile& p, const Ceilings& c) {
  json j = {{"profile", p.name}};
  for (const ProfileKey& k : profile_keys) {
    j[json_name(k)] = std::visit(
        [&](auto member) -> json {
          const auto& v = p.*member;
          using M = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<M, Direction>) return to_string(v);
          else if constexpr (std::is_same_v<M, double>) return v;
          else if constexpr (std::is_same_v<M, Millis>) return std::chrono::duration<double>(v).count();
          else if constexpr (std::is_same_v<M, std::optional<double>>) return optional_number(v);
          else return optional_seconds(v);
        },
        k.member);
  }
  j["ceilings"] = ceilings_json(c);
  return j;
}

json to_json(const Status& st, const Ceilings& ceilings, const Wording& wording) {
  json j = {{"state", to_string(st.state)},
            {"direction", to_string(st.direction)},
            {"motion", to_string(st.motion)},
            {"target_kmh", st.target_kmh},
            {"commanded_kmh", st.commanded_kmh},
            {"measured_kmh", st.measured_kmh},
            {"profile", st.profile ? json(st.profile->name) : json(nullptr)},
            {"program", st.program ? json(*st.program) : json(nullptr)},
            {"session_s", st.session_s},
            {"session_limit_s", st.session_limit_s},
            {"cooldown_left_s", st.cooldown_left_s ? json(*st.cooldown_left_s) : json(nullptr)},
            {"distance_m", st.distance_m},
            {"at_standstill", st.at_standstill},
            {"warning", st.warning ? json(wording.notice(*st.warning)) : json(nullptr)},
            {"last_end_reason", st.last_ending ? json(wording.ending(*st.last_ending)) : json(nullptr)},
            {"last_end_rule", st.last_ending && st.last_ending->rule ? json(to_string(*st.last_ending->rule)) : json(nullptr)},
            {"fault", st.fault ? fault_json(*st.fault, wording) : json(nullptr)},
            {"limits", st.profile ? limits_json(*st.profile, ceilings) : json{{"ceilings", ceilings_json(ceilings)}}}};
  if (st.segment) {
    j["segment"] = {{"index", st.segment->index},
                    {"count", st.segment->count},
                    {"current", segment_json(st.segment->current)},
                    {"remaining_s", st.segment->remaining_s},
                    {"next", st.segment->next ? segment_json(*st.segment->next) : json(nullptr)},
                    // Staff lowered the speed by hand; it holds until this segment ends (remaining_s).
                    {"lowered_to_kmh", optional_number(st.segment->lowered_to_kmh)}};
  } else {
    j["segment"] = nullptr;
  }
  return j;
}

}  // namespace treadd::protocol
