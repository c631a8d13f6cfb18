#include "balint/analysis/data_set.hpp"

#include "balint/core/csv.hpp"
#include "balint/core/text.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace balint::analysis {

namespace {

constexpr std::size_t column_count = 4 + 2 * outcome_count + 1;

// Shortest text that reads back as v ("54", "12.5").
std::string format_bound(double v) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc{} ? std::string(buf, end) : std::string("?");
}

std::string column_name(std::size_t outcome, bool post) {
  return std::string(outcome_ids[outcome]) + (post ? "_post" : "_pre");
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
core::result<void> check_row(const participant_row& row, const std::vector<std::string>& arms,
                             const std::string& where) {
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
  for (std::size_t o = 0; o < outcome_count; ++o) {
    const auto& s = row.outcomes[o];
    if (auto r = check_number(where, column_name(o, false), s.pre, outcome_ranges[o]); !r) return r;
    if (auto r = check_number(where, column_name(o, true), s.post, outcome_ranges[o]); !r) return r;
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

core::result<data_set> make_data_set(std::vector<participant_row> rows,
                                     const std::vector<std::string>& arms) {
  if (auto r = check_arms(arms); !r) return core::fail(r.error());
  data_set out;
  out.arms = arms;
  out.rows.reserve(rows.size());
  std::unordered_set<std::string> seen;
  seen.reserve(rows.size());
  for (auto& row : rows) {
    const auto where = "participant " + row.id;
    if (auto r = check_row(row, arms, where); !r) return core::fail(r.error());
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

core::result<data_set> read_wide_csv(std::string_view text, const std::vector<std::string>& arms) {
  if (auto r = check_arms(arms); !r) return core::fail(r.error());
  data_set out;
  out.arms = arms;
  std::unordered_map<std::string, std::size_t> seen;  // id -> line
  const auto lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
  seen.reserve(lines + 1);
  out.rows.reserve(lines + 1);
  bool header_seen = false;
  const std::vector<std::string> header_names = [] {
    std::vector<std::string> names;
    for (const auto piece : core::split(wide_csv_header, ',')) names.emplace_back(piece);
    return names;
  }();
  const score_range age_range{0, 150};
  auto on_row = [&](const std::vector<std::string>& f, std::size_t line) -> core::result<void> {
    const auto where = [line] { return "line " + std::to_string(line); };
    if (!header_seen) {
      header_seen = true;
      if (f != header_names) {
        return core::invalid_input("header", where() + ": the header is \"" + core::join(f, ",") +
                                                 "\"; allowed: exactly \"" +
                                                 std::string(wide_csv_header) + "\"");
      }
      return {};
    }
    if (f.size() != column_count) {  // for_each_csv_row already checks; kept for safety
      return core::invalid_input(
          "csv", where() + ": expected " + std::to_string(column_count) + " columns");
    }
    participant_row row;
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
    for (std::size_t o = 0; o < outcome_count; ++o) {
      for (int t = 0; t < 2; ++t) {
        auto v = parse_cell(
            f[4 + 2 * o + static_cast<std::size_t>(t)], line,
            [o, t] { return column_name(o, t == 1); }, outcome_ranges[o]);
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
    return core::invalid_input("header",
                               "line 1: the file is empty; allowed: a header of exactly \"" +
                                   std::string(wide_csv_header) + "\"");
  }
  return out;
}

data_set per_protocol(const data_set& itt, int required_sessions) {
  data_set out;
  out.population = "per-protocol";
  out.arms = itt.arms;
  out.not_randomized = itt.not_randomized;
  for (const auto& row : itt.rows) {
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
