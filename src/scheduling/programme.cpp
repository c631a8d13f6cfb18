#include "balint/scheduling/programme.hpp"

#include "balint/core/text.hpp"

#include <algorithm>

namespace balint::scheduling {
namespace {

bool contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

std::string session_text(int number) { return "session " + std::to_string(number); }

/// The plan's rules for one session's roster as it would be: each participant available for
/// it (`unavailable` names those who are not), and 0 or capacity_min..capacity_max of them.
/// The rules are the planner's own (check_assignment), so a move can never make a roster the
/// planner would refuse.
std::vector<std::string> roster_problems(const programme_limits& limits, int number,
                                         const std::vector<std::string>& roster,
                                         const std::vector<std::string>& unavailable) {
  plan_request r;
  r.slot_numbers = {number};
  r.required = 1;
  r.capacity_min = limits.capacity_min;
  r.capacity_max = limits.capacity_max;
  r.participants = roster;
  for (const auto& code : roster) {
    r.available.push_back(contains(unavailable, code) ? std::vector<int>{} : std::vector<int>{0});
  }
  return check_assignment(r, std::vector<std::vector<int>>(roster.size(), {0}));
}

}  // namespace

programme_limits limits_of(const trial::programme& p) {
  return {p.required_sessions, p.capacity_min, p.capacity_max, p.leaders_max};
}

programme::programme(std::string cohort, programme_limits limits,
                     std::vector<programme_session> sessions, std::vector<programme_member> members)
    : cohort_(std::move(cohort)),
      limits_(limits),
      sessions_(std::move(sessions)),
      members_(std::move(members)) {}

const programme_session* programme::session(int number) const {
  for (const auto& s : sessions_) {
    if (s.number == number) return &s;
  }
  return nullptr;
}

programme_session* programme::session_mut(int number) {
  return const_cast<programme_session*>(std::as_const(*this).session(number));
}

const programme_member* programme::member(const std::string& code) const {
  for (const auto& m : members_) {
    if (m.code == code) return &m;
  }
  return nullptr;
}

bool programme::available(const programme_member& m, const programme_session& s) const {
  return !s.availability.empty() && contains(m.available, s.availability);
}

core::result<const programme_session*> programme::find_session(const std::string& field,
                                                               int number) const {
  if (const auto* s = session(number)) return s;
  std::string allowed = "the " + cohort_ + " cohort has no session slots yet";
  if (!sessions_.empty()) {
    allowed = "allowed: " + std::to_string(sessions_.front().number) + " to " +
              std::to_string(sessions_.back().number);
  }
  return core::not_found(field, "the " + cohort_ + " cohort has no session " +
                                    std::to_string(number) + "; " + allowed);
}

// --- plan -------------------------------------------------------------------------------

std::vector<const programme_session*> programme::open_sessions() const {
  std::vector<const programme_session*> out;
  for (const auto& s : sessions_) {
    if (!s.cancelled) out.push_back(&s);
  }
  return out;
}

std::vector<const programme_member*> programme::active_members() const {
  std::vector<const programme_member*> out;
  for (const auto& m : members_) {
    if (!m.withdrawn) out.push_back(&m);
  }
  return out;
}

core::result<void> programme::check_plan() const {
  const auto open = open_sessions();
  if (open.empty()) {
    return core::precondition_failed("cohort", "the " + cohort_ +
                                                   " cohort has no session slots yet; generate "
                                                   "its calendar first");
  }
  for (const auto* s : open) {
    if (s->held) {
      return core::precondition_failed(
          "cohort", "attendance is already recorded for session " + std::to_string(s->number) +
                        " of the " + cohort_ +
                        " cohort; the plan is fixed now (move participants one by one)");
    }
  }
  if (active_members().empty()) {
    return core::precondition_failed(
        "cohort", "nobody is randomized to the " + cohort_ + " cohort yet; randomize first");
  }
  return {};
}

plan_request programme::plan_request_of() const {
  const auto open = open_sessions();
  plan_request r;
  r.required = limits_.required;
  r.capacity_min = limits_.capacity_min;
  r.capacity_max = limits_.capacity_max;
  for (const auto* s : open) r.slot_numbers.push_back(s->number);
  for (const auto* m : active_members()) {
    r.participants.push_back(m->code);
    std::vector<int> avail;
    for (std::size_t k = 0; k < open.size(); ++k) {
      if (available(*m, *open[k])) avail.push_back(static_cast<int>(k));
    }
    r.available.push_back(std::move(avail));
  }
  return r;
}

// --- move -------------------------------------------------------------------------------

core::result<void> programme::check_move(const std::string& participant, int from, int to) const {
  const auto* m = member(participant);
  if (!m) {
    return core::invalid_input("participant", "participant " + participant +
                                                  " is not randomized to the " + cohort_ +
                                                  " cohort; allowed: a participant of that cohort");
  }
  auto a = find_session("from", from);
  if (!a) return std::move(a).error();
  auto b = find_session("to", to);
  if (!b) return std::move(b).error();
  const std::string who = "participant " + participant;
  if (!contains(a.value()->roster, participant)) {
    return core::invalid_input("from", who + " is not planned for " + session_text(from) +
                                           "; allowed: a session on their plan");
  }
  if (contains(b.value()->roster, participant)) {
    return core::invalid_input("to", who + " is already planned for " + session_text(to) +
                                         "; allowed: a session not yet on their plan");
  }
  if (b.value()->cancelled) {
    return core::invalid_input("to", session_text(to) +
                                         " was cancelled; allowed: a session that is not "
                                         "cancelled");
  }
  if (a.value()->held || b.value()->held) {
    return core::precondition_failed("session", "attendance is already recorded for " +
                                                    session_text(a.value()->held ? from : to) +
                                                    "; a held session's roster is history");
  }
  // The two rosters as they would be, checked by the planner's rules.
  auto to_roster = b.value()->roster;
  to_roster.push_back(participant);
  const auto to_problems =
      roster_problems(limits_, to, to_roster,
                      available(*m, *b.value()) ? std::vector<std::string>{}
                                                : std::vector<std::string>{participant});
  if (!to_problems.empty()) {
    std::string text = "moving " + who + " to " + session_text(to) +
                       " breaks the plan's rules: " + core::join(to_problems, "; ");
    if (!available(*m, *b.value())) {
      const auto& cat = b.value()->availability;
      text += " (" + session_text(to) + " is " +
              (cat.empty() ? "in no availability category" : cat) +
              "; their stated availability: " +
              (m->available.empty() ? std::string("none") : core::join(m->available, ", ")) + ")";
    }
    return core::invalid_input("to", text);
  }
  auto from_roster = a.value()->roster;
  from_roster.erase(std::remove(from_roster.begin(), from_roster.end(), participant),
                    from_roster.end());
  const auto from_problems = roster_problems(limits_, from, from_roster, {});
  if (!from_problems.empty()) {
    return core::invalid_input("from",
                               "moving " + who + " out of " + session_text(from) +
                                   " breaks the plan's rules: " + core::join(from_problems, "; "));
  }
  return {};
}

core::result<void> programme::move(const std::string& participant, int from, int to) {
  if (auto ok = check_move(participant, from, to); !ok) return ok;
  auto& a = session_mut(from)->roster;
  a.erase(std::remove(a.begin(), a.end(), participant), a.end());
  session_mut(to)->roster.push_back(participant);
  return {};
}

// --- cancel -----------------------------------------------------------------------------

core::result<void> programme::check_cancel(int number, const std::string& reason) const {
  if (core::trim(reason).empty()) {
    return core::invalid_input("reason",
                               "cancelling a session needs a reason; allowed: any non-blank text");
  }
  auto s = find_session("session", number);
  if (!s) return std::move(s).error();
  if (s.value()->cancelled) {
    return core::conflict("session", session_text(number) + " is already cancelled");
  }
  if (s.value()->held) {
    return core::precondition_failed("session", "attendance is already recorded for " +
                                                    session_text(number) +
                                                    "; a held session cannot be cancelled");
  }
  return {};
}

std::vector<replacement> programme::replacements_for(int number, utc_time now) const {
  std::vector<replacement> out;
  const auto* cancelled = session(number);
  if (!cancelled) return out;
  for (const auto& code : cancelled->roster) {
    replacement r{code, {}};
    const auto* m = member(code);
    for (const auto* s : open_sessions()) {
      if (s == cancelled || s->start <= now || contains(s->roster, code)) continue;
      if (!m || !available(*m, *s)) continue;
      if (static_cast<int>(s->roster.size()) >= limits_.capacity_max) continue;
      r.sessions.push_back(s->number);
    }
    out.push_back(std::move(r));
  }
  return out;
}

core::result<std::vector<replacement>> programme::cancel(int number, const std::string& reason,
                                                         utc_time now) {
  if (auto ok = check_cancel(number, reason); !ok) return std::move(ok).error();
  auto out = replacements_for(number, now);
  session_mut(number)->cancelled = true;
  return out;
}

// --- leaders ----------------------------------------------------------------------------

core::result<void> programme::check_assign_leader(int number, const std::string& leader) const {
  auto s = find_session("session", number);
  if (!s) return std::move(s).error();
  const auto& current = s.value()->leaders;
  if (contains(current, leader)) {
    return core::conflict("leader", leader + " already leads " + session_text(number));
  }
  if (static_cast<int>(current.size()) >= limits_.leaders_max) {
    return core::invalid_input("leader", session_text(number) + " already has " +
                                             std::to_string(current.size()) + " group leaders (" +
                                             core::join(current, ", ") + "); allowed: at most " +
                                             std::to_string(limits_.leaders_max) + " per session");
  }
  return {};
}

}  // namespace balint::scheduling
