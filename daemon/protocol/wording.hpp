// SPDX-License-Identifier: Apache-2.0
// The words people read, made from the codes and typed facts the core states (facts.hpp): a rule's
// message filled with its facts, treadd's own words (causes, actions) as phrases, the drive's
// fault numbers and settings as its profile names them. The one place a fact becomes English, at
// the edge: the pure core decides and states, this translates. Never decides anything.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon/supervisor/types.hpp"

namespace treadd {

// A drive setting as a fault names it: "Pr.00-20 (frequency command source: RS-485)", "1",
// "set Pr.00-20 to 1 on the panel".
struct DriveSettingText {
  std::string name;
  std::string expected;
  std::string fix;
};

// Who reads the words: the person who asked sees everything; the journal and the audit log, which
// outlive a patient's erasure and are read by others, never get what came from a patient's file
// (FromRecord facts).
enum class Reader { asker, journal };

class Wording {
 public:
  Wording() = default;
  // From the drive profile: its names for its fault codes, so a fault reads "1025 (overcurrent)",
  // and its settings in its order (DriveSetting facts number them).
  Wording(std::map<int, std::string> fault_names, std::vector<DriveSettingText> drive_settings)
      : fault_names_(std::move(fault_names)), drive_settings_(std::move(drive_settings)) {}

  // The rule's message with its {placeholders} filled; a placeholder without a fact stays visible
  // as {name} (a test renders every rule and refuses that).
  std::string rule(RuleId id, const Facts& facts, Reader reader = Reader::asker) const;
  std::string fault(const Fault& f) const { return rule(f.rule, f.facts); }
  // A notice's message (notices.hpp) with its {placeholders} filled.
  std::string notice(NoticeId id, const Facts& facts, Reader reader = Reader::asker) const;
  std::string notice(const Notice& n) const { return notice(n.id, n.facts); }
  // A refusal's sentence, or an acceptance's confirmation.
  std::string reply(const Reply& r, Reader reader = Reader::asker) const {
    return r.accepted ? notice(r.notice, r.facts, reader) : r.rule ? rule(*r.rule, r.facts, reader) : "refused";
  }
  // How a session ended, as its record and the journal say it.
  std::string ending(const Ending& e, Reader reader = Reader::asker) const;
  // An event's line, as the journal and the audit log keep it: the core's text, or its rule's
  // sentence from the facts.
  std::string event(const Event& e) const;
  // One fact as people read it: "4.5 km/h", "90 s", "1025 (overcurrent)", "the belt ramps down".
  std::string value(const FactValue& v, const Facts& all) const { return value(v, all, 0, Reader::asker); }
  // The facts as a program reads them (fault.facts): numbers with their unit in the key
  // (`measured_kmh`, `limit_ms`), names and codes as strings.
  nlohmann::json facts_json(const Facts& facts) const;

 private:
  // `depth` counts the phrases and rule sentences within one another: a loop among them (a phrase
  // naming itself) stops there, its placeholder left visible, instead of recursing for ever.
  std::string value(const FactValue& v, const Facts& all, int depth, Reader reader) const;
  std::string fill(std::string_view text, const Facts& facts, int depth, Reader reader = Reader::asker) const;
  const DriveSettingText* setting(std::size_t number) const;
  const DriveSettingText* setting(const Facts& facts) const;  // of the first DriveSetting fact

  std::map<int, std::string> fault_names_;
  std::vector<DriveSettingText> drive_settings_;
};

}  // namespace treadd
