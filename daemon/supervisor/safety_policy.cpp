// SPDX-License-Identifier: Apache-2.0
#include "daemon/supervisor/safety_policy.hpp"

namespace treadd {

const Rule* SafetyPolicy::row(RuleId id) const {
  for (const Rule& r : table_) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

namespace {
bool latches(const Rule& r) {
  return r.clear == Clear::reset_at_standstill || r.clear == Clear::reset_once_condition_gone ||
         r.clear == Clear::acknowledge_then_reset;
}
bool clears_only_once_gone(const Rule& r) {
  return r.clear == Clear::reset_once_condition_gone || r.clear == Clear::acknowledge_then_reset;
}
}  // namespace

SafetyPolicy::Latched SafetyPolicy::latch(const Conditions& seen) {
  Latched out;
  const Reaction before = strongest_;
  for (const Fault& f : seen.seen()) {
    const Rule* r = row(f.rule);
    if (r == nullptr || !latches(*r) || active(f.rule)) continue;
    active_.set(static_cast<std::size_t>(f.rule));
    if (r->reaction > strongest_) strongest_ = r->reaction;
    out.added.push_back(f);
  }
  out.worse = strongest_ > before;
  return out;
}

std::optional<Fault> SafetyPolicy::session_end(const Conditions& seen) const {
  std::optional<Fault> chosen;
  Reaction strongest = Reaction::refuse;
  for (const Fault& f : seen.seen()) {
    const Rule* r = row(f.rule);
    if (r == nullptr || r->clear != Clear::session_end || (chosen && r->reaction <= strongest)) continue;
    chosen = f;
    strongest = r->reaction;
  }
  return chosen;
}

SafetyPolicy::ResetAnswer SafetyPolicy::reset(const Conditions& standing, bool at_standstill) {
  if (!at_standstill) return {ResetAnswer::Verdict::not_at_standstill, std::nullopt};
  for (const Fault& f : standing.seen()) {
    const Rule* r = row(f.rule);
    if (r == nullptr || !clears_only_once_gone(*r)) continue;
    return {r->clear == Clear::acknowledge_then_reset ? ResetAnswer::Verdict::acknowledge_first
                                                      : ResetAnswer::Verdict::held,
            f};
  }
  active_.reset();
  strongest_ = Reaction::refuse;
  return {ResetAnswer::Verdict::clears, std::nullopt};
}

}  // namespace treadd
