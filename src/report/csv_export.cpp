#include "balint/analysis/data_set.hpp"
#include "balint/app/services.hpp"
#include "balint/core/csv.hpp"
#include "balint/core/text.hpp"
#include "balint/outcomes/window.hpp"
#include "balint/report/export.hpp"

#include <cmath>
#include <map>
#include <unordered_map>

namespace balint::report {
namespace {

void number(std::string& out, double v) { core::append_csv_number(out, v); }

struct outcome_column {
  const trial::outcome_variable* outcome;
  const trial::timepoint* timepoint;
  const instruments::instrument* instrument;
  const instruments::subscale* subscale;
};

std::vector<outcome_column> outcome_columns(const trial::trial_definition& trial,
                                            const outcomes::instrument_set& set) {
  std::vector<outcome_column> cols;
  for (const auto& o : trial.outcomes) {
    const auto it = set.find(o.instrument);
    const instruments::instrument* inst = it == set.end() ? nullptr : &it->second;
    const instruments::subscale* sub = inst ? inst->find_subscale(o.subscale) : nullptr;
    for (const auto& t : trial.timepoints) cols.push_back({&o, &t, inst, sub});
  }
  return cols;
}

void row(std::string& out, std::initializer_list<std::string_view> cells) {
  bool first = true;
  for (auto c : cells) {
    if (!first) out.push_back(',');
    first = false;
    core::append_csv_text(out, c);
  }
  out.push_back('\n');
}

std::string range_text(int lo, int hi) { return std::to_string(lo) + "-" + std::to_string(hi); }

}  // namespace

std::string wide_csv_header(const trial::trial_definition& trial) {
  return analysis::wide_csv_header_of(trial);
}

std::string wide_csv(const trial::trial_definition& trial, const outcomes::instrument_set& set,
                     const std::vector<export_participant>& participants,
                     const std::vector<outcomes::assessment>& assessments) {
  const auto cols = outcome_columns(trial, set);
  // Index assessments by participant, time point and instrument.
  std::unordered_map<std::string, const outcomes::assessment*> index;
  index.reserve(assessments.size());
  for (const auto& a : assessments) {
    index.emplace(a.participant + '\t' + a.timepoint + '\t' + a.instrument, &a);
  }
  std::string out = wide_csv_header(trial);
  out.push_back('\n');
  std::string key;
  for (const auto& p : participants) {
    core::append_csv_text(out, p.participant.code);
    out.push_back(',');
    core::append_csv_text(out, p.arm);
    out.push_back(',');
    number(out, p.participant.age);
    out.push_back(',');
    core::append_csv_text(out, p.participant.gender);
    for (const auto& c : cols) {
      out.push_back(',');
      if (!c.subscale) continue;
      key.assign(p.participant.code).append("\t").append(c.timepoint->id).append("\t");
      key.append(c.instrument->id);
      const auto it = index.find(key);
      if (it == index.end()) continue;
      if (const auto s =
              instruments::score_subscale(*c.instrument, *c.subscale, it->second->items)) {
        number(out, *s);
      }
    }
    out.push_back(',');
    if (p.sessions_attended) number(out, *p.sessions_attended);
    out.push_back('\n');
  }
  return out;
}

std::string items_csv(const std::vector<outcomes::assessment>& assessments) {
  std::string out(outcomes::long_csv_header);
  out += ",assessment_date\n";
  out.reserve(assessments.size() * 22 * 24);
  for (const auto& a : assessments) {
    std::string prefix;
    core::append_csv_text(prefix, a.participant);
    prefix.push_back(',');
    core::append_csv_text(prefix, a.timepoint);
    prefix.push_back(',');
    core::append_csv_text(prefix, a.instrument);
    prefix.push_back(',');
    for (std::size_t i = 0; i < a.items.size(); ++i) {
      out += prefix;
      out += std::to_string(i + 1);
      out.push_back(',');
      if (a.items[i]) out += std::to_string(*a.items[i]);
      out.push_back(',');
      out += a.assessment_date;
      out.push_back('\n');
    }
  }
  return out;
}

std::string participants_csv(const app::export_data& data) {
  std::map<std::int64_t, const storage::allocation_record*> allocation_of;
  for (const auto& a : data.allocations) allocation_of[a.participant_id] = &a;
  std::string out =
      "id,arm,consent_date,randomized_on,status,withdrawal_date,withdrawal_category\n";
  for (const auto& r : data.participants) {
    const auto a = allocation_of.find(r.id);
    const auto day = data.randomized_on.find(r.id);
    row(out, {r.participant.code, a == allocation_of.end() ? "" : a->second->arm,
              r.participant.consent_date, day == data.randomized_on.end() ? "" : day->second,
              r.withdrawn() ? "withdrawn" : "enrolled", r.withdrawal_date.value_or(""),
              r.withdrawal_category.value_or("")});
  }
  return out;
}

std::string assessments_csv(const app::export_data& data) {
  std::string out = "participant,timepoint,instrument,assessment_date,window\n";
  for (std::size_t k = 0; k < data.assessments.size(); ++k) {
    const auto& a = data.assessments[k];
    const auto window = k < data.windows.size() ? data.windows[k] : outcomes::window_state::inside;
    row(out,
        {a.participant, a.timepoint, a.instrument, a.assessment_date, outcomes::to_string(window)});
  }
  return out;
}

std::string codebook_csv(const trial::trial_definition& trial,
                         const outcomes::instrument_set& set) {
  std::string out = "variable,label,type,allowed values,missing code\n";
  std::string arms;
  for (const auto& a : trial.arms) arms += (arms.empty() ? "" : "; ") + a.id + " = " + a.label;
  std::string genders;
  for (const auto& g : trial.eligibility.genders) genders += (genders.empty() ? "" : "; ") + g;
  row(out,
      {"id", "participant code (wide.csv)", "text", "letters, digits, - and _", "never missing"});
  row(out, {"arm", "allocated arm (wide.csv)", "category", arms, "empty = not yet randomized"});
  row(out, {"age", "age in years at enrolment (wide.csv)", "integer",
            range_text(trial.eligibility.min_age, trial.eligibility.max_age), "never missing"});
  row(out, {"gender", "gender (wide.csv)", "category", genders, "never missing"});
  for (const auto& o : trial.outcomes) {
    const auto it = set.find(o.instrument);
    if (it == set.end()) continue;
    const auto* sub = it->second.find_subscale(o.subscale);
    if (!sub) continue;
    const int n = static_cast<int>(sub->items.size());
    const bool mean = sub->scoring == instruments::scoring_rule::mean;
    const int lowest = it->second.item_scale.min;
    const int highest = it->second.item_scale.max;
    const std::string allowed =
        mean ? range_text(lowest, highest) : range_text(n * lowest, n * highest);
    // A mean, or a prorated sum, need not be a whole number.
    const bool whole = !mean && it->second.missing.rule == instruments::missing_rule::any_missing;
    for (const auto& t : trial.timepoints) {
      const std::string rule = it->second.missing.rule == instruments::missing_rule::any_missing
                                   ? "empty = not recorded, or any of its items missing"
                                   : "empty = not recorded, or more than " +
                                         std::to_string(it->second.missing.max_missing) +
                                         " items missing (fewer are prorated)";
      row(out, {o.id + "_" + t.id,
                o.label + " (" + it->second.id + " " + sub->id + ", " + (mean ? "mean" : "sum") +
                    " of " + std::to_string(n) + " items" +
                    (it->second.reverse_items.empty() ? "" : ", reverse-scored items reversed") +
                    ") at " + t.id + " (wide.csv)",
                whole ? "integer" : "number", allowed, rule});
    }
  }
  row(out, {"sessions_attended", "Balint sessions attended (wide.csv)", "integer",
            range_text(0, trial.programme.session_slots), "empty = not recorded"});
  row(out, {"participant", "participant code (items.csv)", "text", "as id", "never missing"});
  std::string timepoints;
  for (const auto& t : trial.timepoints)
    timepoints += (timepoints.empty() ? "" : "; ") + t.id + " = " + t.label;
  row(out, {"timepoint", "time point (items.csv)", "category", timepoints, "never missing"});
  std::string insts;
  for (const auto& [id, inst] : set)
    insts += (insts.empty() ? "" : "; ") + id + " = " + inst.name.text();
  row(out, {"instrument", "questionnaire (items.csv)", "category", insts, "never missing"});
  row(out, {"item", "item number within the instrument (items.csv)", "integer",
            "1 to the instrument's item count", "never missing"});
  row(out, {"assessment_date",
            "the day the questionnaire was answered, in the trial's time zone (items.csv, "
            "assessments.csv)",
            "date", "YYYY-MM-DD", "never missing"});
  std::string windows;
  for (const auto& t : trial.timepoints) {
    if (t.window) {
      windows += (windows.empty() ? "" : "; ") + t.id + ": " + outcomes::describe_window(*t.window);
    }
  }
  row(out, {"window",
            "whether the assessment date is inside its time point's window (assessments.csv); "
            "outside = left out of the per-protocol analysis",
            "category",
            "inside; outside; unknown (the window's start is not known yet)" +
                (windows.empty() ? std::string("; this trial sets no windows")
                                 : "; windows: " + windows),
            "never missing"});
  row(out, {"consent_date", "the day the participant gave consent (participants.csv)", "date",
            "YYYY-MM-DD", "never missing"});
  row(out,
      {"randomized_on", "the day of randomization, in the trial's time zone (participants.csv)",
       "date", "YYYY-MM-DD", "empty = not yet randomized"});
  row(out, {"status", "whether the participant is still in the trial (participants.csv)",
            "category", "enrolled; withdrawn", "never missing"});
  row(out, {"withdrawal_date", "the day the participant left the trial (participants.csv)", "date",
            "YYYY-MM-DD", "empty = not withdrawn"});
  row(out,
      {"withdrawal_category", "why the participant left, in CONSORT's words (participants.csv)",
       "category", core::join(enrolment::withdrawal_categories, "; "), "empty = not withdrawn"});
  for (const auto& [id, inst] : set) {
    std::string labels;
    for (const auto& [v, l] : inst.item_scale.labels) {
      labels += (labels.empty() ? "" : "; ") + std::to_string(v) + " = " + l.text();
    }
    row(out, {"value (" + id + ")", "answer to an item of " + inst.name.text() + " (items.csv)",
              "integer",
              range_text(inst.item_scale.min, inst.item_scale.max) +
                  (labels.empty() ? "" : " (" + labels + ")"),
              "empty = missing answer"});
  }
  return out;
}

std::string wide_csv(const app::export_data& data) {
  std::map<std::int64_t, std::string> arm_of;
  for (const auto& a : data.allocations) arm_of[a.participant_id] = a.arm;
  std::vector<export_participant> people;
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
  return wide_csv(data.trial.definition, data.trial.instruments, people, data.assessments);
}

const std::vector<export_file>& export_files() {
  static const std::vector<export_file> files{
      {"wide.csv", "one row per participant: arm, age, gender and every outcome's scores"},
      {"items.csv", "one row per item answer, with the date the questionnaire was answered"},
      {"participants.csv", "consent, randomization and withdrawal dates per participant"},
      {"assessments.csv", "one row per questionnaire: its date and whether inside its window"},
      {"codebook.csv", "every column of the other files: label, type, allowed values"},
  };
  return files;
}

std::optional<std::string> export_file_content(const app::export_data& data,
                                               std::string_view name) {
  if (name == "wide.csv") return wide_csv(data);
  if (name == "items.csv") return items_csv(data.assessments);
  if (name == "participants.csv") return participants_csv(data);
  if (name == "assessments.csv") return assessments_csv(data);
  if (name == "codebook.csv") return codebook_csv(data.trial.definition, data.trial.instruments);
  return std::nullopt;
}

}  // namespace balint::report
