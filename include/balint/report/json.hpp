#pragma once

#include "balint/app/audit.hpp"
#include "balint/app/randomization_service.hpp"
#include "balint/app/reproduce_service.hpp"
#include "balint/app/schedule_service.hpp"
#include "balint/app/user_service.hpp"
#include "balint/app/views.hpp"
#include "balint/attendance/progress.hpp"
#include "balint/core/json.hpp"

#include <vector>

/// Every view of the application rendered to JSON, once: `--format json` on the command line
/// and the web API both call these, so the same state always gives the same JSON. The keys are
/// the contract documented in docs/api.md.
namespace balint::report {

/// {"participant", "arm", "stratum", "allocated_at", "allocated_by"}
core::json to_json(const app::allocation_view& v);
core::json to_json(const app::list_extension_view& v);
/// {"enrolled", "randomized", "planned", "per_arm": {ARM: n}, "per_stratum": {STRATUM: {ARM: n}}}
core::json to_json(const app::randomization_counts& c);
/// {"code", "enrolment_number", "age", "gender", "specialty", "consent", "balint_knowledge",
/// "balint_times", "available", "consent_date", "enrolled_at", "status", "withdrawn_at",
/// "withdrawal_reason", "withdrawal_date", "withdrawal_category",
/// "allocation": null | {"arm", "stratum", "allocated_at"}, "baseline": {"complete",
/// "missing", "gaps"}}
core::json to_json(const app::participant_view& v);
/// {"participant", "timepoint", "instrument", "recorded_at", "assessment_date", "window",
/// "items",
/// "scores": {SUBSCALE: {"score", "answered", "missing", "case"}}}
core::json to_json(const app::outcome_view& v);
/// to_json(outcome) plus "correction": true | false.
core::json to_json(const app::recorded_outcome& v);
/// {"id", "title", "planned_participants", "arms", "timepoints", "outcomes", "instruments",
/// "baseline_timepoint", "baseline_instruments", "required_sessions", "time_zone"}
core::json to_json(const app::trial_view& v);
/// {"name", "role", "created_at", "disabled_at"}
core::json to_json(const app::user_view& v);
/// {"seq", "at", "actor", "action", "entity", "before", "after", "reason", "hash"}; before and
/// after as JSON values
core::json to_json(const app::audit_entry_view& e);
/// {"ok", "entries", "head_hash", "first_broken", "problem"}
core::json to_json(const app::audit_verification& v);
/// {"number", "kind", "cohort", "start", "end", "status", "leaders", "participants"}
core::json to_json(const app::session_view& v);
/// to_json(session) plus "attendance": [{"participant", "status", "reason"}]
core::json to_json(const app::session_roster& v);
/// {"feasible", "participants", "held_sessions", "notes", "problems", "sessions"}
core::json to_json(const app::plan_view& v);
/// {"participant", "attended", "required", "remaining_possible", "status"}
core::json to_json(const attendance::progress& v);

/// {"summary", "cells", "not_compared", "reconstruction": {"seed","source","attempts","unmet"},
///  "replay": {"list_seed","commitment","enrolled","randomized","sessions_held",
///  "attendance_marks","notes"}}
core::json to_json(const app::reproduction_outcome& o);

/// A list of views as a JSON array.
template <class View>
core::json to_json(const std::vector<View>& views) {
  core::json::array a;
  a.reserve(views.size());
  for (const auto& v : views) a.push_back(report::to_json(v));
  return core::json(std::move(a));
}

}  // namespace balint::report
