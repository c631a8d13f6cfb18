#include "balint/app/analysis_service.hpp"

#include "balint/analysis/data_set.hpp"
#include "balint/report/export.hpp"

#include <map>

namespace balint::app {

std::string wide_csv_of(const export_data& data) {
  std::map<std::int64_t, std::string> arm_of;
  for (const auto& a : data.allocations) arm_of[a.participant_id] = a.arm;
  std::vector<report::export_participant> people;
  people.reserve(data.participants.size());
  for (const auto& r : data.participants) {
    const auto arm = arm_of.find(r.id);
    const auto attended = data.sessions_attended.find(r.id);
    people.push_back({r.participant, arm == arm_of.end() ? "" : arm->second,
                      attended == data.sessions_attended.end()
                          ? std::nullopt
                          : std::optional<int>(attended->second),
                      r.withdrawn_at});
  }
  return report::wide_csv(data.trial.definition, data.trial.instruments, people, data.assessments);
}

core::result<std::string> database_wide_csv(storage::database& db) {
  auto data = read_export_data(db);
  if (!data) return std::move(data).error();
  return wide_csv_of(data.value());
}

core::result<analysis_setup> analysis_setup_of(const loaded_trial& trial) {
  const auto& def = trial.definition;
  if (def.arms.size() != 2) {
    return core::invalid_input(
        "db", "the analysis compares two arms; this trial has " + std::to_string(def.arms.size()));
  }
  analysis_setup s;
  s.arms = {def.arms[0].id, def.arms[1].id};
  s.required_sessions = def.programme.required_sessions;
  s.options.caseness.clear();
  for (const auto& o : def.outcomes) {
    const auto inst = trial.instruments.find(o.instrument);
    if (inst == trial.instruments.end()) continue;
    const auto* sub = inst->second.find_subscale(o.subscale);
    if (!sub || !sub->caseness) continue;
    s.options.caseness.push_back(
        {o.id, sub->caseness->threshold, sub->caseness->op == instruments::comparison::at_least});
  }
  return s;
}

core::result<analysis::analysis_result> analyze_database(storage::database& db, bool per_protocol) {
  auto data = read_export_data(db);
  if (!data) return std::move(data).error();
  auto setup = analysis_setup_of(data->trial);
  if (!setup) return std::move(setup).error();
  auto rows = analysis::read_wide_csv(wide_csv_of(data.value()), setup->arms);
  if (!rows) return std::move(rows).error();
  if (per_protocol) {
    return analysis::analyze(analysis::per_protocol(rows.value(), setup->required_sessions),
                             setup->options);
  }
  return analysis::analyze(rows.value(), setup->options);
}

}  // namespace balint::app
