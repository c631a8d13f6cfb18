#include "balint/report/json.hpp"

namespace balint::report {
namespace {

template <class T>
core::json or_null(const std::optional<T>& v) {
  return v ? core::json(*v) : core::json();
}

core::json strings(const std::vector<std::string>& v) {
  core::json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return core::json(std::move(a));
}

core::json labels(const std::vector<app::labelled>& v) {
  core::json::array a;
  for (const auto& l : v) a.emplace_back(core::json::object{{"id", l.id}, {"label", l.label}});
  return core::json(std::move(a));
}

}  // namespace

core::json to_json(const app::list_extension_view& v) {
  return core::json::object{{"segment", v.segment},       {"blocks", v.blocks},
                            {"strata", v.strata},         {"commitment", v.commitment},
                            {"extends", v.extends},       {"reason", v.reason},
                            {"created_at", v.created_at}, {"created_by", v.created_by}};
}

core::json to_json(const app::allocation_view& v) {
  return core::json::object{{"participant", v.participant},
                            {"arm", v.arm},
                            {"stratum", v.stratum},
                            {"allocated_at", v.allocated_at},
                            {"allocated_by", v.allocated_by}};
}

core::json to_json(const app::randomization_counts& c) {
  core::json j;
  j["enrolled"] = c.enrolled;
  j["randomized"] = c.randomized;
  j["planned"] = c.planned;
  j["per_arm"] = core::json::object{};
  for (const auto& [arm, n] : c.per_arm) j["per_arm"][arm] = n;
  j["per_stratum"] = core::json::object{};
  for (const auto& [stratum, arms] : c.per_stratum) {
    for (const auto& [arm, n] : arms) j["per_stratum"][stratum][arm] = n;
  }
  return j;
}

core::json to_json(const app::participant_view& v) {
  const auto& p = v.participant;
  core::json allocation;
  if (v.allocation) {
    const auto& a = *v.allocation;
    allocation = core::json::object{
        {"arm", a.arm}, {"stratum", a.stratum}, {"allocated_at", a.allocated_at}};
  }
  return core::json::object{
      {"code", p.code},
      {"enrolment_number", v.enrolment_number},
      {"age", p.age},
      {"gender", p.gender},
      {"specialty", or_null(p.specialty)},
      {"consent", p.consent},
      {"balint_knowledge", or_null(p.balint_knowledge)},
      {"balint_times", or_null(p.balint_times)},
      {"available", strings(p.available)},
      {"consent_date", p.consent_date},
      {"enrolled_at", v.enrolled_at},
      {"status", v.withdrawn() ? "withdrawn" : "enrolled"},
      {"withdrawn_at", or_null(v.withdrawn_at)},
      {"withdrawal_reason", or_null(v.withdrawal_reason)},
      {"withdrawal_date", or_null(v.withdrawal_date)},
      {"withdrawal_category", or_null(v.withdrawal_category)},
      {"allocation", std::move(allocation)},
      {"baseline", core::json::object{{"complete", v.baseline.complete},
                                      {"missing", strings(v.baseline.missing)},
                                      {"gaps", strings(v.baseline.gaps)}}}};
}

core::json to_json(const app::outcome_view& v) {
  core::json::array items;
  for (const auto& i : v.items) items.push_back(or_null(i));
  core::json::object scores;
  for (const auto& s : v.scores) {
    scores[s.subscale] = core::json::object{{"score", or_null(s.score)},
                                            {"answered", s.answered},
                                            {"missing", s.missing},
                                            {"case", or_null(s.is_case)},
                                            {"band", or_null(s.band)}};
  }
  return core::json::object{{"participant", v.participant},
                            {"timepoint", v.timepoint},
                            {"instrument", v.instrument},
                            {"recorded_at", v.recorded_at},
                            {"assessment_date", v.assessment_date},
                            {"window", v.window},
                            {"items", std::move(items)},
                            {"scores", std::move(scores)}};
}

core::json to_json(const app::recorded_outcome& v) {
  core::json j = report::to_json(v.outcome);
  j["correction"] = v.correction;
  core::json::array warnings;
  for (const auto& w : v.warnings) warnings.push_back(w);
  j["warnings"] = std::move(warnings);
  return j;
}

core::json instrument_details(const std::vector<app::instrument_view>& list) {
  core::json::array out;
  for (const auto& i : list) {
    out.push_back(core::json::object{
        {"id", i.id}, {"name", i.name}, {"items", i.items}, {"min", i.min}, {"max", i.max}});
  }
  return core::json(std::move(out));
}

core::json to_json(const app::trial_view& v) {
  return core::json::object{{"id", v.id},
                            {"title", v.title},
                            {"planned_participants", v.planned_participants},
                            {"arms", labels(v.arms)},
                            {"timepoints", labels(v.timepoints)},
                            {"outcomes", labels(v.outcomes)},
                            {"instruments", strings(v.instruments)},
                            {"baseline_timepoint", v.baseline_timepoint},
                            {"baseline_instruments", strings(v.baseline_instruments)},
                            {"required_sessions", v.required_sessions},
                            {"time_zone", v.time_zone},
                            {"instrument_details", instrument_details(v.instrument_details)}};
}

core::json to_json(const app::user_view& v) {
  return core::json::object{{"name", v.name},
                            {"role", std::string(app::to_string(v.user_role))},
                            {"created_at", v.created_at},
                            {"disabled_at", or_null(v.disabled_at)}};
}

core::json to_json(const app::audit_entry_view& e) {
  // before/after are stored as canonical JSON text; shown as JSON values.
  auto value = [](const std::optional<std::string>& text) {
    if (!text) return core::json();
    auto parsed = core::parse_json(*text);
    return parsed ? std::move(parsed.value()) : core::json(*text);
  };
  return core::json::object{{"seq", e.seq},
                            {"at", e.at},
                            {"actor", e.actor},
                            {"action", e.action},
                            {"entity", e.entity},
                            {"before", value(e.before)},
                            {"after", value(e.after)},
                            {"reason", or_null(e.reason)},
                            {"hash", e.hash}};
}

core::json to_json(const app::audit_verification& v) {
  return core::json::object{{"ok", v.ok},
                            {"entries", v.entries},
                            {"head_hash", v.head_hash},
                            {"first_broken", v.first_broken},
                            {"problem", v.problem}};
}

core::json to_json(const app::session_view& v) {
  return core::json::object{{"number", v.number},
                            {"kind", v.kind},
                            {"cohort", v.cohort},
                            {"start", v.start},
                            {"end", v.end},
                            {"status", v.status},
                            {"leaders", strings(v.leaders)},
                            {"participants", strings(v.participants)}};
}

core::json to_json(const app::session_roster& v) {
  core::json j = report::to_json(v.session);
  core::json::array marks;
  for (const auto& e : v.entries) {
    marks.emplace_back(core::json::object{{"participant", e.participant},
                                          {"status", or_null(e.status)},
                                          {"reason", or_null(e.reason)}});
  }
  j["attendance"] = core::json(std::move(marks));
  return j;
}

core::json to_json(const app::plan_view& v) {
  return core::json::object{
      {"feasible", v.feasible},           {"participants", v.participants},
      {"held_sessions", v.held_sessions}, {"notes", strings(v.notes)},
      {"problems", strings(v.problems)},  {"sessions", report::to_json(v.sessions)}};
}

core::json to_json(const attendance::progress& v) {
  return core::json::object{{"participant", v.participant},
                            {"attended", v.attended},
                            {"required", v.required},
                            {"remaining_possible", v.remaining_possible},
                            {"status", std::string(attendance::to_string(v.status))}};
}

core::json to_json(const app::reproduction_outcome& o) {
  core::json j = reproduction::to_json(o.comparison);
  j["reconstruction"] = core::json::object{
      {"seed", static_cast<long long>(o.data.seed)},
      {"source", o.data.source},
      {"attempts", o.data.attempts},
      {"unmet", strings(o.data.unmet)},
      {"note",
       "The reconstructed participants are one of many data sets consistent with the published "
       "numbers, not the trial's data."}};
  const auto& r = o.replayed;
  j["replay"] = core::json::object{{"list_seed", static_cast<long long>(r.list_seed)},
                                   {"commitment", r.init.commitment},
                                   {"enrolled", r.enrolled},
                                   {"randomized", r.randomized},
                                   {"sessions_held", r.sessions_held},
                                   {"attendance_marks", r.attendance_marks},
                                   {"notes", strings(r.notes)}};
  return j;
}

}  // namespace balint::report
