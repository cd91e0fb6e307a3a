// SPDX-License-Identifier: Apache-2.0
#include "daemon/protocol/wording.hpp"

#include <chrono>
#include <cstdio>

#include "config/drive_profile.hpp"
#include "core/units.hpp"

namespace treadd {
namespace {

// treadd's own words that read as a phrase, not as themselves. A phrase may name more facts.
// Words not listed (directions, states, roles, what a program sets) read as they are.
struct Phrase {
  std::string_view word;
  std::string_view text;
};
constexpr Phrase phrases[] = {
    // link_loss
    {"link_down", "the drive link is down (connection lost or polls failing)"},
    {"no_reply", "no valid reply from the drive for {silent_for} (limit {limit})"},
    {"reconnected", "the connection to the drive was lost and re-established (it may have restarted)"},
    // drive_restarted
    {"power_up", "it reported a power-up or forgot a setting treadd writes"},
    // loop_overrun
    {"stalled", "stalled for {stalled_for} (limit {limit})"},
    {"late", "ran late {ticks} ticks in a row (limit {limit_ticks})"},
    // implausible_reading
    {"impossible_speed", "the drive reported an impossible speed"},
    {"jump", "measured speed jumped by {jump} between two readings (limit {limit})"},
    // not_at_standstill: where the belt is, what waits for standstill, what may be done instead
    {"unknown_speed", "the belt's speed is unknown while the drive link is down"},
    {"settling", "the belt is settling: below {below} for {settled} of the {dwell} needed"},
    {"moving", "the belt is still moving ({measured})"},
    {"start", "a session starts"},
    {"reset", "reset is allowed"},
    {"direction_changes", "the direction changes"},
    {"via_stop", ", or ask for it via a stop"},
    {"none", ""},
    // not_running: what waits for a running session
    {"direction_can_change", "the direction can change"},
    {"pause", "pause is possible"},
    // confirmations: the program of a session, how the gate reaches the goal, how long a lowered speed holds
    {"program_named", ", program '{program_name}'"},
    {"program_with_segments", ", program '{program_name}' ({segments} segments)"},
    {"from_start_speed", " (from the start speed of {start_speed} first)"},
    {"in_steps", " (in steps of at most {step})"},
    {"until_segment_ends", "until segment {segment} of {segments} ends in {left}"},
    // no_session: what to do instead
    {"start_with_profile", "start one with a profile first"},
    {"choose_direction_at_start", "choose the direction when starting one"},
};

std::string_view phrase(std::string_view word) {
  for (const Phrase& p : phrases) {
    if (p.word == word) return p.text;
  }
  return word;
}

}  // namespace

const DriveSettingText* Wording::setting(std::size_t number) const {
  return number >= 1 && number <= drive_settings_.size() ? &drive_settings_[number - 1] : nullptr;
}

const DriveSettingText* Wording::setting(const Facts& facts) const {
  for (const Fact& f : facts) {
    if (const auto* s = std::get_if<DriveSetting>(&f.value)) return setting(s->number);
  }
  return nullptr;
}

std::string Wording::value(const FactValue& v, const Facts& all, int depth, Reader reader) const {
  struct Render {
    const Wording& w;
    const Facts& all;
    int depth;
    Reader reader;
    std::string operator()(const Kmh& k) const { return units::format_kmh(k.value); }
    std::string operator()(const Metres& m) const { return std::to_string(static_cast<long long>(m.value)) + " m"; }
    std::string operator()(const Span& s) const { return units::format_duration(s.value); }
    std::string operator()(const Ms& m) const { return std::to_string(m.value.count()) + " ms"; }
    std::string operator()(const Count& c) const { return std::to_string(c.value); }
    std::string operator()(const Name& n) const { return n.value; }
    std::string operator()(const Elapsed& e) const {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.1f s", std::chrono::duration<double>(e.value).count());
      return buf;
    }
    std::string operator()(const Word& word) const { return w.fill(phrase(word.value), all, depth + 1, reader); }
    std::string operator()(const DriveFaultCode& c) const { return describe_fault(w.fault_names_, c.value); }
    std::string operator()(const DriveSetting& s) const {
      const DriveSettingText* text = w.setting(s.number);
      return text ? text->name : "setting #" + std::to_string(s.number);
    }
    std::string operator()(const RuleRef& r) const { return w.fill(treadd::rule(r.rule).message, all, depth + 1, reader); }
    std::string operator()(const FromRecord& r) const {
      return reader == Reader::asker ? r.value : "[from the patient's file: not copied here]";
    }
  };
  return std::visit(Render{*this, all, depth, reader}, v);
}

std::string Wording::fill(std::string_view text, const Facts& facts, int depth, Reader reader) const {
  std::string out;
  out.reserve(text.size() + 64);
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t open = text.find('{', i);
    const std::size_t close = open == std::string_view::npos ? open : text.find('}', open);
    if (close == std::string_view::npos) {
      out.append(text.substr(i));
      break;
    }
    out.append(text.substr(i, open - i));
    const std::string_view name = text.substr(open + 1, close - open - 1);
    const Fact* found = find_fact(facts, name);
    const DriveSettingText* s = found ? nullptr : setting(facts);
    if (found != nullptr && depth < 3) {
      out.append(value(found->value, facts, depth, reader));
    } else if (s != nullptr && name == "expected") {
      out.append(s->expected);  // what the drive profile says the setting must read
    } else if (s != nullptr && name == "fix") {
      out.append(s->fix);
    } else if (name == "expected" || name == "fix") {
      out.append(name == "fix" ? "check the drive profile" : "?");  // a setting number the profile lacks
    } else {
      out.append(text.substr(open, close - open + 1));
    }
    i = close + 1;
  }
  return out;
}

std::string Wording::rule(RuleId id, const Facts& facts, Reader reader) const {
  return fill(treadd::rule(id).message, facts, 0, reader);
}

std::string Wording::notice(NoticeId id, const Facts& facts, Reader reader) const {
  return fill(treadd::notice(id).message, facts, 0, reader);
}

std::string Wording::ending(const Ending& e, Reader reader) const {
  if (!e.rule) {
    if (const Fact* program = find_fact(e.facts, "completed")) {
      return "program '" + value(program->value, e.facts, 0, reader) + "' completed";
    }
    return e.reason;
  }
  const Rule& r = treadd::rule(*e.rule);
  if (*e.rule == RuleId::session_time) {
    return find_fact(e.facts, "cooled_down") ? "session time limit reached (completed with cool-down)"
                                             : "session time limit reached";
  }
  if (r.reaction == Reaction::fast_stop_latch && *e.rule != RuleId::emergency_stop) {
    return "fault: " + rule(*e.rule, e.facts, reader);
  }
  return rule(*e.rule, e.facts, reader);
}

std::string Wording::event(const Event& e) const {
  if (e.notice) return notice(*e.notice, e.facts, Reader::journal);
  if (!e.rule) {
    return e.kind == Event::Kind::session_ended ? ending(Ending{std::nullopt, e.facts, e.text, e.by}, Reader::journal) : e.text;
  }
  switch (e.kind) {
    case Event::Kind::session_ended: return ending(Ending{e.rule, e.facts, e.text, e.by}, Reader::journal);
    case Event::Kind::fault: return std::string(to_string(*e.rule)) + ": " + rule(*e.rule, e.facts, Reader::journal);
    default: return rule(*e.rule, e.facts, Reader::journal);
  }
}

nlohmann::json Wording::facts_json(const Facts& facts) const {
  nlohmann::json j = nlohmann::json::object();
  for (const Fact& f : facts) {
    const std::string name(f.name);
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, Kmh>) j[name + "_kmh"] = v.value;
          if constexpr (std::is_same_v<T, Metres>) j[name + "_m"] = v.value;
          if constexpr (std::is_same_v<T, Span> || std::is_same_v<T, Ms> || std::is_same_v<T, Elapsed>) {
            j[name + "_ms"] = v.value.count();
          }
          if constexpr (std::is_same_v<T, Count>) j[name] = v.value;
          if constexpr (std::is_same_v<T, Name>) j[name] = v.value;
          if constexpr (std::is_same_v<T, Word>) j[name] = std::string(v.value);
          if constexpr (std::is_same_v<T, DriveFaultCode>) {
            j[name] = v.value;
            if (auto it = fault_names_.find(v.value); it != fault_names_.end()) j[name + "_name"] = it->second;
          }
          if constexpr (std::is_same_v<T, DriveSetting>) {
            const DriveSettingText* s = setting(v.number);
            j[name] = s ? s->name : "setting #" + std::to_string(v.number);
            if (s) j["expected"] = s->expected;
          }
          if constexpr (std::is_same_v<T, RuleRef>) j[name] = to_string(v.rule);
          if constexpr (std::is_same_v<T, FromRecord>) j[name] = v.value;
        },
        f.value);
  }
  return j;
}

}  // namespace treadd
