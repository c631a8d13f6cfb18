#include "balint/analysis/data_set.hpp"

#include "balint/core/csv.hpp"
#include "balint/core/text.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace balint::analysis {

namespace {

// Shortest text that reads back as v ("54", "12.5").
std::string format_bound(double v) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc{} ? std::string(buf, end) : std::string("?");
}

std::string column_name(const data_set& d, std::size_t outcome, bool post) {
  return d.outcomes[outcome].id + "_" + d.timepoints[post ? 1 : 0];
}

// `where` is "line N" (CSV) or "participant X" (rows from the database).
core::error bad_value(const std::string& where, const std::string& column, std::string_view value,
                      const std::string& allowed) {
  return core::invalid_input(column, where + ", column " + column + ": \"" + std::string(value) +
                                         "\" is not allowed; allowed: " + allowed);
}

std::optional<double> parse_number(std::string_view s) {
  double v = 0;
  const auto* end = s.data() + s.size();
  const auto [ptr, ec] = std::from_chars(s.data(), end, v);
  if (ec != std::errc{} || ptr != end || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::string range_allowed(score_range r) {
  return "a number from " + format_bound(r.low) + " to " + format_bound(r.high) + ", or empty";
}

core::result<void> check_number(const std::string& where, const std::string& column,
                                const std::optional<double>& v, score_range r) {
  if (!v) return {};
  if (!std::isfinite(*v) || *v < r.low || *v > r.high) {
    return bad_value(where, column, format_bound(*v), range_allowed(r));
  }
  return {};
}

// Checks everything a row can get wrong on its own (not duplicates).
core::result<void> check_row(const participant_row& row, const data_set& d,
                             const std::string& where) {
  const auto& arms = d.arms;
  if (core::trim(row.id).empty()) {
    return core::invalid_input("id", where + ", column id: the participant id is empty; allowed: " +
                                         "a non-empty participant code");
  }
  if (!row.arm.empty() && row.arm != arms[0] && row.arm != arms[1]) {
    return bad_value(where, "arm", row.arm, core::one_of(arms) + ", or empty (not randomized)");
  }
  if (!row.gender.empty() && row.gender != "M" && row.gender != "F") {
    return bad_value(where, "gender", row.gender, "M or F, or empty");
  }
  if (auto r = check_number(where, "age", row.age, {0, 150}); !r) return r;
  if (row.outcomes.size() != d.outcomes.size()) {
    return core::invalid_input(
        "outcomes", where + " has scores of " + std::to_string(row.outcomes.size()) +
                        " outcomes; the data set has " + std::to_string(d.outcomes.size()));
  }
  for (std::size_t o = 0; o < d.outcomes.size(); ++o) {
    const auto& s = row.outcomes[o];
    const auto range = d.outcomes[o].range;
    if (auto r = check_number(where, column_name(d, o, false), s.pre, range); !r) return r;
    if (auto r = check_number(where, column_name(d, o, true), s.post, range); !r) return r;
  }
  if (row.sessions_attended && *row.sessions_attended < 0) {
    return bad_value(where, "sessions_attended", std::to_string(*row.sessions_attended),
                     "a whole number >= 0, or empty");
  }
  return {};
}

core::result<void> check_arms(const std::vector<std::string>& arms) {
  if (arms.size() != 2 || arms[0].empty() || arms[1].empty() || arms[0] == arms[1]) {
    return core::invalid_input(
        "arms", "the analysis compares exactly two named arms, the intervention arm first");
  }
  return {};
}

// The column name and the allowed text are built only for an error message (not per cell).
template <class Column>
core::result<std::optional<double>> parse_cell(std::string_view cell, std::size_t line,
                                               const Column& column, score_range r) {
  const auto text = core::trim(cell);
  if (text.empty()) return std::optional<double>{};
  const auto v = parse_number(text);
  if (v && *v >= r.low && *v <= r.high) return std::optional<double>{*v};
  const auto where = "line " + std::to_string(line);
  const std::string name = column();
  if (!v) {
    return core::invalid_input(name, where + ", column " + name + ": \"" + std::string(cell) +
                                         "\" is not a number; allowed: " + range_allowed(r));
  }
  return core::invalid_input(name, where + ", column " + name + ": " + std::string(text) +
                                       " is out of range; allowed: " + range_allowed(r));
}

}  // namespace

std::vector<outcome_spec> tongji_outcomes() {
  static const std::array<const char*, outcome_count> labels{"EE", "DP", "PA",
                                                             "Job satisfaction (MSQ)"};
  std::vector<outcome_spec> out;
  for (std::size_t o = 0; o < outcome_count; ++o) {
    out.push_back({std::string(outcome_ids[o]), labels[o], outcome_ranges[o]});
  }
  return out;
}

std::string wide_csv_header_for(const std::vector<outcome_spec>& outcomes,
                                const timepoint_pair& timepoints) {
  std::string out = "id,arm,age,gender";
  for (const auto& o : outcomes) {
    for (const auto& t : timepoints) out += "," + o.id + "_" + t;
  }
  out += ",sessions_attended";
  return out;
}

core::result<data_set> make_data_set(std::vector<participant_row> rows,
                                     const std::vector<std::string>& arms,
                                     std::vector<outcome_spec> outcomes,
                                     timepoint_pair timepoints) {
  if (auto r = check_arms(arms); !r) return core::fail(r.error());
  data_set out;
  out.arms = arms;
  out.outcomes = std::move(outcomes);
  out.timepoints = std::move(timepoints);
  out.rows.reserve(rows.size());
  std::unordered_set<std::string> seen;
  seen.reserve(rows.size());
  for (auto& row : rows) {
    const auto where = "participant " + row.id;
    if (auto r = check_row(row, out, where); !r) return core::fail(r.error());
    if (!seen.insert(row.id).second) {
      return core::conflict("id", where +
                                      ", column id: the id appears twice; allowed: each "
                                      "participant once");
    }
    if (row.arm.empty()) {
      ++out.not_randomized;
      continue;
    }
    out.rows.push_back(std::move(row));
  }
  return out;
}

core::result<data_set> read_wide_csv(std::string_view text, const std::vector<std::string>& arms,
                                     std::vector<outcome_spec> outcomes,
                                     timepoint_pair timepoints) {
  if (auto r = check_arms(arms); !r) return core::fail(r.error());
  data_set out;
  out.arms = arms;
  out.outcomes = std::move(outcomes);
  out.timepoints = std::move(timepoints);
  const std::size_t outcome_total = out.outcomes.size();
  const std::size_t column_count = 4 + 2 * outcome_total + 1;
  const std::string header = wide_csv_header_for(out.outcomes, out.timepoints);
  std::unordered_map<std::string, std::size_t> seen;  // id -> line
  const auto lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
  seen.reserve(lines + 1);
  out.rows.reserve(lines + 1);
  bool header_seen = false;
  const std::vector<std::string> header_names = [&header] {
    std::vector<std::string> names;
    for (const auto piece : core::split(header, ',')) names.emplace_back(piece);
    return names;
  }();
  const score_range age_range{0, 150};
  auto on_row = [&](const std::vector<std::string>& f, std::size_t line) -> core::result<void> {
    const auto where = [line] { return "line " + std::to_string(line); };
    if (!header_seen) {
      header_seen = true;
      if (f != header_names) {
        return core::invalid_input("header", where() + ": the header is \"" + core::join(f, ",") +
                                                 "\"; allowed: exactly \"" + header + "\"");
      }
      return {};
    }
    if (f.size() != column_count) {  // for_each_csv_row already checks; kept for safety
      return core::invalid_input(
          "csv", where() + ": expected " + std::to_string(column_count) + " columns");
    }
    participant_row row;
    row.outcomes.assign(outcome_total, score_pair{});
    row.id = std::string(core::trim(f[0]));
    if (row.id.empty()) {
      return core::invalid_input(
          "id", where() + ", column id: the participant id is empty; allowed: a participant code");
    }
    row.arm = std::string(core::trim(f[1]));
    if (!row.arm.empty() && row.arm != arms[0] && row.arm != arms[1]) {
      return bad_value(where(), "arm", f[1], core::one_of(arms) + ", or empty (not randomized)");
    }
    auto age = parse_cell(
        f[2], line, [] { return std::string("age"); }, age_range);
    if (!age) return core::fail(std::move(age).error());
    row.age = *age;
    row.gender = std::string(core::trim(f[3]));
    if (!row.gender.empty() && row.gender != "M" && row.gender != "F") {
      return bad_value(where(), "gender", f[3], "M or F, or empty");
    }
    for (std::size_t o = 0; o < outcome_total; ++o) {
      for (int t = 0; t < 2; ++t) {
        auto v = parse_cell(
            f[4 + 2 * o + static_cast<std::size_t>(t)], line,
            [&out, o, t] { return column_name(out, o, t == 1); }, out.outcomes[o].range);
        if (!v) return core::fail(std::move(v).error());
        (t == 0 ? row.outcomes[o].pre : row.outcomes[o].post) = *v;
      }
    }
    const auto sessions_text = core::trim(f[column_count - 1]);
    if (!sessions_text.empty()) {
      const auto n = core::parse_integer(sessions_text);
      if (!n || *n < 0 || *n > 1000000) {
        return bad_value(where(), "sessions_attended", f[column_count - 1],
                         "a whole number >= 0, or empty");
      }
      row.sessions_attended = static_cast<int>(*n);
    }
    if (const auto [it, inserted] = seen.emplace(row.id, line); !inserted) {
      return core::conflict(
          "id", where() + ", column id: \"" + row.id + "\" appears twice (first on line " +
                    std::to_string(it->second) + "); allowed: each participant once");
    }
    if (row.arm.empty()) {
      ++out.not_randomized;
      return {};
    }
    out.rows.push_back(std::move(row));
    return {};
  };
  if (auto r = core::for_each_csv_row(text, on_row); !r) return core::fail(r.error());
  if (!header_seen) {
    return core::invalid_input(
        "header", "line 1: the file is empty; allowed: a header of exactly \"" + header + "\"");
  }
  return out;
}

core::result<std::pair<std::vector<outcome_spec>, timepoint_pair>> outcomes_of_wide_header(
    std::string_view csv) {
  const std::string_view first_line = csv.substr(0, csv.find('\n'));
  std::string header(core::trim(first_line));
  if (!header.empty() && header.back() == '\r') header.pop_back();
  if (header == wide_csv_header) return std::pair{tongji_outcomes(), pre_post};
  const auto refuse = [&header](const std::string& why) {
    return core::invalid_input(
        "header", "line 1: the header is \"" + header.substr(0, 200) + "\"; " + why +
                      "; allowed: id,arm,age,gender, then <outcome>_<before>,<outcome>_<after> "
                      "for each outcome, then sessions_attended (as 'export' writes it)");
  };
  std::vector<std::string> names;
  for (const auto piece : core::split(header, ',')) names.emplace_back(core::trim(piece));
  if (names.size() < 7 || names.size() % 2 == 0 || names[0] != "id" || names[1] != "arm" ||
      names[2] != "age" || names[3] != "gender" || names.back() != "sessions_attended") {
    return refuse("its columns are not those of a wide export");
  }
  if (names.size() > 4 + 2 * 100 + 1) return refuse("it names more than 100 outcomes");
  std::vector<outcome_spec> outcomes;
  timepoint_pair timepoints;
  for (std::size_t c = 4; c + 1 < names.size(); c += 2) {
    const auto& before = names[c];
    const auto& after = names[c + 1];
    const auto cut = before.rfind('_');
    const std::string id = cut == std::string::npos ? "" : before.substr(0, cut);
    if (id.empty() || after.rfind(id + "_", 0) != 0) {
      return refuse("columns " + before + " and " + after + " are not one outcome's pair");
    }
    const timepoint_pair pair{before.substr(cut + 1), after.substr(id.size() + 1)};
    if (c == 4) timepoints = pair;
    if (pair != timepoints || pair[0].empty() || pair[1].empty() || pair[0] == pair[1]) {
      return refuse("column " + before + " or " + after + " breaks the time points " +
                    timepoints[0] + " and " + timepoints[1]);
    }
    outcomes.push_back(
        {id, id, {-std::numeric_limits<double>::max(), std::numeric_limits<double>::max()}});
  }
  return std::pair{std::move(outcomes), std::move(timepoints)};
}

data_set per_protocol(const data_set& itt, int required_sessions) {
  data_set out;
  out.population = "per-protocol";
  out.arms = itt.arms;
  out.outcomes = itt.outcomes;
  out.timepoints = itt.timepoints;
  out.not_randomized = itt.not_randomized;
  for (const auto& row : itt.rows) {
    if (row.outside_window) {
      ++out.excluded_outside_window;
      continue;
    }
    const bool intervention = row.arm == itt.arms[0];
    if (intervention && (!row.sessions_attended || *row.sessions_attended < required_sessions)) {
      ++out.excluded_per_protocol;
      continue;
    }
    out.rows.push_back(row);
  }
  return out;
}

std::string wide_csv_header_of(const trial::trial_definition& trial) {
  std::string out = "id,arm,age,gender";
  for (const auto& o : trial.outcomes) {
    for (const auto& t : trial.timepoints) out += "," + o.id + "_" + t.id;
  }
  out += ",sessions_attended";
  return out;
}

}  // namespace balint::analysis
