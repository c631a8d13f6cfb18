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
  for (const auto& l : v) {
    core::json j;
    j["id"] = l.id;
    j["label"] = l.label;
    a.push_back(std::move(j));
  }
  return core::json(std::move(a));
}

}  // namespace

core::json to_json(const app::allocation_view& v) {
  core::json j;
  j["participant"] = v.participant;
  j["arm"] = v.arm;
  j["stratum"] = v.stratum;
  j["allocated_at"] = v.allocated_at;
  j["allocated_by"] = v.allocated_by;
  return j;
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
  core::json j;
  j["code"] = v.code;
  j["enrolment_number"] = v.enrolment_number;
  j["age"] = v.age;
  j["gender"] = v.gender;
  j["specialty"] = or_null(v.specialty);
  j["consent"] = v.consent;
  j["balint_knowledge"] = or_null(v.balint_knowledge);
  j["balint_times"] = or_null(v.balint_times);
  j["available"] = strings(v.available);
  j["enrolled_at"] = v.enrolled_at;
  j["status"] = v.withdrawn() ? "withdrawn" : "enrolled";
  j["withdrawn_at"] = or_null(v.withdrawn_at);
  j["withdrawal_reason"] = or_null(v.withdrawal_reason);
  if (v.allocation) {
    core::json a;
    a["arm"] = v.allocation->arm;
    a["stratum"] = v.allocation->stratum;
    a["allocated_at"] = v.allocation->allocated_at;
    j["allocation"] = std::move(a);
  } else {
    j["allocation"] = core::json();
  }
  core::json b;
  b["complete"] = v.baseline.complete;
  b["missing"] = strings(v.baseline.missing);
  b["gaps"] = strings(v.baseline.gaps);
  j["baseline"] = std::move(b);
  return j;
}

core::json to_json(const app::outcome_view& v) {
  core::json j;
  j["participant"] = v.participant;
  j["timepoint"] = v.timepoint;
  j["instrument"] = v.instrument;
  j["recorded_at"] = v.recorded_at;
  core::json::array items;
  for (const auto& i : v.items) items.push_back(or_null(i));
  j["items"] = core::json(std::move(items));
  core::json scores = core::json::object{};
  for (const auto& s : v.scores) {
    core::json x;
    x["score"] = or_null(s.score);
    x["answered"] = s.answered;
    x["missing"] = s.missing;
    x["case"] = or_null(s.is_case);
    scores[s.subscale] = std::move(x);
  }
  j["scores"] = std::move(scores);
  return j;
}

core::json to_json(const app::recorded_outcome& v) {
  core::json j = report::to_json(v.outcome);
  j["correction"] = v.correction;
  return j;
}

core::json to_json(const app::trial_view& v) {
  core::json j;
  j["id"] = v.id;
  j["title"] = v.title;
  j["planned_participants"] = v.planned_participants;
  j["arms"] = labels(v.arms);
  j["timepoints"] = labels(v.timepoints);
  j["outcomes"] = labels(v.outcomes);
  j["instruments"] = strings(v.instruments);
  j["baseline_timepoint"] = v.baseline_timepoint;
  j["baseline_instruments"] = strings(v.baseline_instruments);
  j["required_sessions"] = v.required_sessions;
  j["time_zone"] = v.time_zone;
  return j;
}

core::json to_json(const app::user_view& v) {
  core::json j;
  j["name"] = v.name;
  j["role"] = std::string(app::to_string(v.user_role));
  j["created_at"] = v.created_at;
  j["disabled_at"] = or_null(v.disabled_at);
  return j;
}

core::json to_json(const app::audit_entry_view& e) {
  core::json j;
  j["seq"] = e.seq;
  j["at"] = e.at;
  j["actor"] = e.actor;
  j["action"] = e.action;
  j["entity"] = e.entity;
  // before/after are stored as canonical JSON text; shown as JSON values.
  auto value = [](const std::optional<std::string>& text) {
    if (!text) return core::json();
    auto parsed = core::parse_json(*text);
    return parsed ? std::move(parsed.value()) : core::json(*text);
  };
  j["before"] = value(e.before);
  j["after"] = value(e.after);
  j["reason"] = or_null(e.reason);
  j["hash"] = e.hash;
  return j;
}

core::json to_json(const app::audit_verification& v) {
  core::json j;
  j["ok"] = v.ok;
  j["entries"] = v.entries;
  j["head_hash"] = v.head_hash;
  j["first_broken"] = v.first_broken;
  j["problem"] = v.problem;
  return j;
}

core::json to_json(const app::session_view& v) {
  core::json j;
  j["number"] = v.number;
  j["kind"] = v.kind;
  j["cohort"] = v.cohort;
  j["start"] = v.start;
  j["end"] = v.end;
  j["status"] = v.status;
  j["leaders"] = strings(v.leaders);
  j["participants"] = strings(v.participants);
  return j;
}

core::json to_json(const app::session_roster& v) {
  core::json j = report::to_json(v.session);
  core::json::array marks;
  for (const auto& e : v.entries) {
    core::json m;
    m["participant"] = e.participant;
    m["status"] = or_null(e.status);
    m["reason"] = or_null(e.reason);
    marks.push_back(std::move(m));
  }
  j["attendance"] = core::json(std::move(marks));
  return j;
}

core::json to_json(const app::plan_view& v) {
  core::json j;
  j["feasible"] = v.feasible;
  j["participants"] = v.participants;
  j["held_sessions"] = v.held_sessions;
  j["notes"] = strings(v.notes);
  j["problems"] = strings(v.problems);
  j["sessions"] = report::to_json(v.sessions);
  return j;
}

core::json to_json(const attendance::progress& v) {
  core::json j;
  j["participant"] = v.participant;
  j["attended"] = v.attended;
  j["required"] = v.required;
  j["remaining_possible"] = v.remaining_possible;
  j["status"] = std::string(attendance::to_string(v.status));
  return j;
}

core::json to_json(const app::reproduction_outcome& o) {
  core::json j = reproduction::to_json(o.comparison);
  core::json rec;
  rec["seed"] = static_cast<long long>(o.data.seed);
  rec["source"] = o.data.source;
  rec["attempts"] = o.data.attempts;
  core::json::array unmet;
  for (const auto& u : o.data.unmet) unmet.emplace_back(u);
  rec["unmet"] = core::json(std::move(unmet));
  rec["note"] =
      "The reconstructed participants are one of many data sets consistent with the published "
      "numbers, not the trial's data.";
  j["reconstruction"] = std::move(rec);
  core::json rep;
  rep["list_seed"] = static_cast<long long>(o.replayed.list_seed);
  rep["commitment"] = o.replayed.init.commitment;
  rep["enrolled"] = o.replayed.enrolled;
  rep["randomized"] = o.replayed.randomized;
  rep["sessions_held"] = o.replayed.sessions_held;
  rep["attendance_marks"] = o.replayed.attendance_marks;
  core::json::array notes;
  for (const auto& n : o.replayed.notes) notes.emplace_back(n);
  rep["notes"] = core::json(std::move(notes));
  j["replay"] = std::move(rep);
  return j;
}

}  // namespace balint::report
