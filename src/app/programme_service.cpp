#include "programme_state.hpp"

#include "balint/app/schedule_service.hpp"
#include "balint/scheduling/planner.hpp"
#include "balint/scheduling/programme.hpp"

#include <algorithm>
#include <map>

// Use cases of the plan (who attends which session slot): planning a cohort and moving one
// participant. The rules are the domain's (scheduling::programme); this file loads, writes and
// audits.
namespace balint::app {

using detail::programme_state;

core::result<plan_view> plan_schedule(storage::database& db, const request& req,
                                      const std::string& cohort) {
  return detail::change_programme(
      db, req, use_case::plan_sessions, [&](programme_state& st) -> core::result<plan_view> {
        if (auto ok = detail::check_cohort(st.trial.definition, cohort); !ok) {
          return std::move(ok).error();
        }
        const auto programme = detail::programme_of(st, cohort);
        if (auto ok = programme.check_plan(); !ok) return std::move(ok).error();
        const auto r = programme.plan_request_of();
        const auto result = scheduling::plan_sessions(r);
        plan_view view;
        view.feasible = result.feasible;
        view.participants = r.participants.size();
        view.notes = result.notes;
        view.problems = result.problems;
        if (!result.feasible) return view;
        std::vector<std::int64_t> slot_ids;
        for (const int number : r.slot_numbers) slot_ids.push_back(st.slot(cohort, number)->id);
        std::map<std::string, std::int64_t> id_of;
        for (const auto& p : st.participants) id_of[p.participant.code] = p.id;
        std::vector<std::pair<std::int64_t, std::int64_t>> entries;
        for (std::size_t i = 0; i < r.participants.size(); ++i) {
          const auto member_id = id_of.at(r.participants[i]);
          for (const int k : result.assignment[i]) {
            entries.emplace_back(slot_ids[static_cast<std::size_t>(k)], member_id);
          }
        }
        for (const bool h : result.held) view.held_sessions += h ? 1 : 0;
        db.replace_roster(slot_ids, entries);
        core::json after;
        after["cohort"] = cohort;
        after["participants"] = r.participants.size();
        after["held_sessions"] = view.held_sessions;
        after["places"] = entries.size();
        append_audit(db, req, "schedule.plan", "schedule:" + cohort, std::nullopt, after,
                     std::nullopt);
        auto listed =
            detail::schedule_of(db, cohort);  // inside the transaction: sees the new roster
        if (!listed) return std::move(listed).error();
        view.sessions = std::move(listed.value());
        return view;
      });
}

core::result<std::pair<session_view, session_view>> move_participant(
    storage::database& db, const request& req, const std::string& participant, int from, int to,
    const std::optional<std::string>& reason) {
  using moved = std::pair<session_view, session_view>;
  return detail::change_programme(
      db, req, use_case::move_participant, [&](programme_state& st) -> core::result<moved> {
        const auto* p = st.participant(participant);
        if (!p) return detail::not_enrolled(participant);
        const auto arm = st.arm_of.find(p->id);
        if (arm == st.arm_of.end()) {
          return core::precondition_failed(
              "participant",
              "participant " + participant + " is not randomized and has no sessions");
        }
        const std::string& cohort = arm->second;
        auto programme = detail::programme_of(st, cohort);
        if (auto ok = programme.move(participant, from, to); !ok) return std::move(ok).error();
        const auto* a = st.slot(cohort, from);
        const auto* b = st.slot(cohort, to);
        db.move_roster(core::participant_id(p->id), core::slot_id(a->id), core::slot_id(b->id));
        core::json before;
        before["session"] = from;
        core::json after;
        after["session"] = to;
        append_audit(db, req, "schedule.move", "participant:" + participant, before, after, reason);
        auto& ra = st.roster[a->id];
        ra.erase(std::remove(ra.begin(), ra.end(), p->id), ra.end());
        st.roster[b->id].push_back(p->id);
        return std::make_pair(detail::view_of(st, *a), detail::view_of(st, *b));
      });
}

}  // namespace balint::app
