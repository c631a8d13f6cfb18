#include "balint/app/analysis_service.hpp"

#include "balint/analysis/data_set.hpp"

#include <map>
#include <set>
#include <unordered_map>

namespace balint::app {

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

core::result<analysis::data_set> itt_data_set(const export_data& data,
                                              const analysis_setup& setup) {
  const auto& def = data.trial.definition;
  // The change-score analysis compares two time points: the trial's first and last.
  if (def.timepoints.size() < 2) {
    return core::invalid_input("timepoints", "the trial has " +
                                                 std::to_string(def.timepoints.size()) +
                                                 " time point; the change-score analysis needs "
                                                 "two (before and after)");
  }
  const analysis::timepoint_pair timepoints{def.timepoints.front().id, def.timepoints.back().id};
  // Per outcome, in the trial's order: the instrument and subscale scored (null when the
  // trial's instruments lack them: an empty column, as in the CSV) and the score's range.
  struct column {
    const instruments::instrument* instrument = nullptr;
    const instruments::subscale* subscale = nullptr;
  };
  std::vector<column> columns;
  std::vector<analysis::outcome_spec> specs;
  for (const auto& o : def.outcomes) {
    column c;
    analysis::outcome_spec spec{o.id, o.label, {0, 0}};
    if (const auto it = data.trial.instruments.find(o.instrument);
        it != data.trial.instruments.end()) {
      c.instrument = &it->second;
      c.subscale = it->second.find_subscale(o.subscale);
      if (c.subscale) {
        const double n = c.subscale->scoring == instruments::scoring_rule::mean
                             ? 1.0
                             : static_cast<double>(c.subscale->items.size());
        spec.range = {n * c.instrument->item_scale.min, n * c.instrument->item_scale.max};
      }
    }
    columns.push_back(c);
    specs.push_back(std::move(spec));
  }
  std::unordered_map<std::string, const outcomes::assessment*> index;
  index.reserve(data.assessments.size());
  for (const auto& a : data.assessments) {
    index.emplace(a.participant + '\t' + a.timepoint + '\t' + a.instrument, &a);
  }
  const auto score = [&](const std::string& code, const column& c,
                         const std::string& timepoint) -> std::optional<double> {
    if (!c.subscale) return std::nullopt;
    const auto it = index.find(code + '\t' + timepoint + '\t' + c.instrument->id);
    if (it == index.end()) return std::nullopt;
    return instruments::score_subscale(*c.instrument, *c.subscale, it->second->items);
  };
  std::map<std::int64_t, std::string> arm_of;
  for (const auto& a : data.allocations) arm_of[a.participant_id] = a.arm;
  // Participants with a questionnaire of an analysed instrument, at one of the two time points,
  // answered outside its window: left out of the per-protocol set.
  std::set<std::string> analysed_instruments;
  for (const auto& c : columns) {
    if (c.instrument) analysed_instruments.insert(c.instrument->id);
  }
  std::set<std::string> outside_window;
  for (std::size_t k = 0; k < data.assessments.size() && k < data.windows.size(); ++k) {
    const auto& a = data.assessments[k];
    if (data.windows[k] != outcomes::window_state::outside) continue;
    if (a.timepoint != timepoints[0] && a.timepoint != timepoints[1]) continue;
    if (analysed_instruments.count(a.instrument)) outside_window.insert(a.participant);
  }
  std::vector<analysis::participant_row> rows;
  rows.reserve(data.participants.size());
  for (const auto& r : data.participants) {
    const auto& p = r.participant;
    analysis::participant_row row;
    row.id = p.code;
    if (const auto arm = arm_of.find(r.id); arm != arm_of.end()) row.arm = arm->second;
    row.age = p.age;
    row.gender = p.gender;
    row.outcomes.assign(columns.size(), analysis::score_pair{});
    for (std::size_t o = 0; o < columns.size(); ++o) {
      row.outcomes[o] = {score(p.code, columns[o], timepoints[0]),
                         score(p.code, columns[o], timepoints[1])};
    }
    if (const auto n = data.sessions_attended.find(r.id); n != data.sessions_attended.end()) {
      row.sessions_attended = n->second;
    }
    row.outside_window = outside_window.count(p.code) > 0;
    rows.push_back(std::move(row));
  }
  // The Tongji outcomes keep the paper's short labels in tables (EE, DP, PA); the ranges stay
  // the trial's instruments'.
  if (analysis::wide_csv_header_for(specs, timepoints) == analysis::wide_csv_header) {
    const auto tongji = analysis::tongji_outcomes();
    for (std::size_t o = 0; o < specs.size(); ++o) specs[o].label = tongji[o].label;
  }
  return analysis::make_data_set(std::move(rows), setup.arms, std::move(specs), timepoints);
}

core::result<analysis_input> analysis_input_of(storage::database& db) {
  auto data = read_export_data(db);
  if (!data) return std::move(data).error();
  auto setup = analysis_setup_of(data->trial);
  if (!setup) return std::move(setup).error();
  auto itt = itt_data_set(data.value(), setup.value());
  if (!itt) return std::move(itt).error();
  return analysis_input{std::move(setup.value()), std::move(itt.value())};
}

namespace {

core::result<analysis::analysis_result> analyze_set(const analysis::data_set& itt,
                                                    const analysis_setup& setup,
                                                    const analysis_choice& choice) {
  if (!choice.per_protocol) return analysis::analyze(itt, setup.options);
  const int required = choice.required_sessions.value_or(setup.required_sessions);
  return analysis::analyze(analysis::per_protocol(itt, required), setup.options);
}

}  // namespace

core::result<analysis::analysis_result> analyze_database(storage::database& db, const request& req,
                                                         const analysis_choice& choice) {
  if (auto ok = authorize(req, use_case::analyze); !ok) return std::move(ok).error();
  auto input = analysis_input_of(db);
  if (!input) return std::move(input).error();
  return analyze_set(input->itt, input->setup, choice);
}

core::result<analysis::analysis_result> analyze_wide_csv(const std::string& csv,
                                                         const analysis_choice& choice) {
  auto trial = default_trial();
  if (!trial) return std::move(trial).error();
  auto setup = analysis_setup_of(trial.value());
  if (!setup) return std::move(setup).error();
  // The outcomes are the header's: the Tongji ones with their ranges, or any other trial's
  // export (id,arm,age,gender, then <outcome>_<before>,<outcome>_<after> pairs, then
  // sessions_attended), whose scores are then checked as finite numbers only.
  auto outcomes = analysis::outcomes_of_wide_header(csv);
  if (!outcomes) return std::move(outcomes).error();
  auto itt = analysis::read_wide_csv(csv, setup->arms, outcomes->first, outcomes->second);
  if (!itt) return std::move(itt).error();
  return analyze_set(itt.value(), setup.value(), choice);
}

}  // namespace balint::app
