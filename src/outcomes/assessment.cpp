#include "balint/outcomes/assessment.hpp"

#include "balint/core/csv.hpp"
#include "balint/core/dates.hpp"
#include "balint/core/text.hpp"

#include <unordered_map>

namespace balint::outcomes {
namespace {

std::vector<std::string> timepoint_ids(const trial::trial_definition& trial) {
  std::vector<std::string> ids;
  for (const auto& t : trial.timepoints) ids.push_back(t.id);
  return ids;
}

std::vector<std::string> instruments_planned_at(const trial::trial_definition& trial,
                                                std::string_view timepoint) {
  std::vector<std::string> ids;
  for (const auto& plan : trial.assessments) {
    if (plan.timepoint != timepoint) continue;
    for (const auto& i : plan.instruments) {
      bool seen = false;
      for (const auto& have : ids) seen = seen || have == i;
      if (!seen) ids.push_back(i);
    }
  }
  return ids;
}

}  // namespace

core::result<void> check_planned(const trial::trial_definition& trial, const instrument_set& set,
                                 std::string_view timepoint, std::string_view instrument) {
  if (!trial.has_timepoint(timepoint)) {
    return core::invalid_input("timepoint", "time point \"" + std::string(timepoint) +
                                                "\" is not part of this trial; allowed: " +
                                                core::one_of(timepoint_ids(trial)));
  }
  const auto planned = instruments_planned_at(trial, timepoint);
  bool found = false;
  for (const auto& p : planned) found = found || p == instrument;
  if (!found || set.find(instrument) == set.end()) {
    return core::invalid_input("instrument", "instrument \"" + std::string(instrument) +
                                                 "\" is not planned at time point " +
                                                 std::string(timepoint) +
                                                 "; allowed: " + core::one_of(planned));
  }
  return {};
}

core::result<std::vector<assessment>> parse_long_csv(const trial::trial_definition& trial,
                                                     const instrument_set& set,
                                                     std::string_view csv_text) {
  std::vector<assessment> out;
  std::unordered_map<std::string, std::size_t> index;  // "participant\ttimepoint\tinstrument"
  std::string key;
  // Validated (timepoint, instrument) pairs, so each is checked once, not once per row.
  std::map<std::pair<std::string, std::string>, const instruments::instrument*> planned;
  bool header_seen = false;
  bool with_dates = false;
  std::vector<std::vector<bool>> answered;  // which items of each assessment have a row

  auto at = [](std::size_t line, const std::string& field, const std::string& what) {
    return core::invalid_input(field, "line " + std::to_string(line) + ": " + what);
  };

  auto status = core::for_each_csv_row(
      csv_text, [&](const std::vector<std::string>& f, std::size_t line) -> core::result<void> {
        if (!header_seen) {
          header_seen = true;
          std::string header;
          for (std::size_t i = 0; i < f.size(); ++i) header += (i ? "," : "") + f[i];
          with_dates = header == std::string(long_csv_header) + ",assessment_date";
          if (header != long_csv_header && !with_dates) {
            return at(line, "header",
                      "the header is \"" + header + "\"; expected exactly \"" +
                          std::string(long_csv_header) + "\", optionally followed by " +
                          "\",assessment_date\"");
          }
          return {};
        }
        const std::string& code = f[0];
        if (code.empty()) return at(line, "participant", "the participant code is empty");
        auto pair = std::make_pair(f[1], f[2]);
        auto p = planned.find(pair);
        if (p == planned.end()) {
          if (auto ok = check_planned(trial, set, f[1], f[2]); !ok) {
            return at(line, ok.error().field, ok.error().message);
          }
          p = planned.emplace(pair, &set.find(f[2])->second).first;
        }
        const instruments::instrument& inst = *p->second;
        const auto item = core::parse_integer(f[3]);
        if (!item || *item < 1 || *item > inst.item_count) {
          return at(line, "item",
                    "item \"" + f[3] + "\" is not an item of " + inst.id + "; allowed: 1-" +
                        std::to_string(inst.item_count));
        }
        std::optional<int> value;
        const std::string_view cell = core::trim(f[4]);
        if (!cell.empty()) {
          const auto v = core::parse_integer(cell);
          if (!v || *v < inst.item_scale.min || *v > inst.item_scale.max) {
            return at(line, "value",
                      "item " + std::to_string(*item) + " of " + inst.id + " is \"" + f[4] +
                          "\"; allowed: " + std::to_string(inst.item_scale.min) + "-" +
                          std::to_string(inst.item_scale.max) + ", or empty for a missing answer");
          }
          value = static_cast<int>(*v);
        }
        key.clear();
        key.append(code).push_back('\t');
        key.append(f[1]).push_back('\t');
        key.append(f[2]);
        auto [it, inserted] = index.try_emplace(key, out.size());
        if (inserted) {
          assessment a;
          a.participant = code;
          a.timepoint = f[1];
          a.instrument = f[2];
          a.items.assign(static_cast<std::size_t>(inst.item_count), std::nullopt);
          a.first_line = line;
          if (with_dates) {
            const auto date = core::trim(f[5]);
            if (!date.empty() && !core::day_number(date)) {
              return at(line, "assessment_date",
                        "assessment_date " + core::shown_value(date) +
                            " is not a date; allowed: a date as YYYY-MM-DD, or empty for today");
            }
            a.assessment_date = std::string(date);
          }
          out.push_back(std::move(a));
        }
        assessment& a = out[it->second];
        if (with_dates && core::trim(f[5]) != a.assessment_date) {
          return at(line, "assessment_date",
                    "the assessment_date of participant " + code + "'s " + a.instrument + " at " +
                        a.timepoint + " differs from line " + std::to_string(a.first_line) +
                        "'s (" + (a.assessment_date.empty() ? "empty" : a.assessment_date) +
                        "); allowed: the same date on every row of one questionnaire");
        }
        auto& slot = a.items[static_cast<std::size_t>(*item - 1)];
        if (answered.size() < out.size()) answered.resize(out.size());
        auto& seen = answered[it->second];
        if (seen.empty()) seen.assign(static_cast<std::size_t>(inst.item_count), false);
        if (seen[static_cast<std::size_t>(*item - 1)]) {
          return at(line, "item",
                    "item " + std::to_string(*item) + " of " + inst.id + " for participant " +
                        code + " at " + f[1] + " is given twice");
        }
        seen[static_cast<std::size_t>(*item - 1)] = true;
        slot = value;
        return {};
      });
  if (!status) return std::move(status).error();
  return out;
}

std::vector<std::string> baseline_gaps(const trial::trial_definition& trial,
                                       const instrument_set& set,
                                       const std::vector<assessment>& recorded) {
  std::vector<std::string> gaps;
  for (const auto& id : trial.baseline_required) {
    const assessment* found = nullptr;
    for (const auto& a : recorded) {
      if (a.timepoint == trial.baseline_timepoint && a.instrument == id) found = &a;
    }
    if (!found) {
      gaps.push_back(id + " at " + trial.baseline_timepoint + " is not recorded");
      continue;
    }
    const auto it = set.find(id);
    if (it == set.end()) continue;
    std::string missing;
    for (std::size_t i = 0; i < static_cast<std::size_t>(it->second.item_count); ++i) {
      if (i >= found->items.size() || !found->items[i]) {
        missing += (missing.empty() ? "" : ", ") + std::to_string(i + 1);
      }
    }
    for (const auto& sub : it->second.subscales) {
      if (!instruments::score_subscale(it->second, sub, found->items)) {
        gaps.push_back(id + " at " + trial.baseline_timepoint + " has missing answers (items " +
                       missing + ") that leave subscale " + sub.id + " without a score");
        break;
      }
    }
  }
  return gaps;
}

}  // namespace balint::outcomes
