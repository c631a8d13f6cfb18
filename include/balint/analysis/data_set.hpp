#pragma once

#include "balint/core/result.hpp"
#include "balint/trial/trial_definition.hpp"

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace balint::analysis {

/// The Tongji trial's outcomes, in the order of DESIGN.md's wide CSV and of its JSON output (a
/// trial's own outcomes are given as outcome_spec, below).
inline constexpr std::array<std::string_view, 4> outcome_ids{"ee", "dp", "pa", "msq"};
inline constexpr std::size_t outcome_count = outcome_ids.size();

/// The allowed range of a score (subscale sum), inclusive.
struct score_range {
  double low;
  double high;
};

/// Ranges of ee (MBI-HSS EE 0-54), dp (0-30), pa (0-48) and msq (MSQ total 20-100).
inline constexpr std::array<score_range, outcome_count> outcome_ranges{
    {{0, 54}, {0, 30}, {0, 48}, {20, 100}}};

/// One outcome analysed: its id (the stem of its wide CSV columns), its label in tables, and
/// the range its score can take.
struct outcome_spec {
  std::string id;
  std::string label;
  score_range range{0, 0};
};

/// The Tongji trial's outcomes: outcome_ids with outcome_ranges and the paper's labels.
std::vector<outcome_spec> tongji_outcomes();

/// The two time points whose difference is the change score: the wide CSV's column suffixes.
using timepoint_pair = std::array<std::string, 2>;
inline const timepoint_pair pre_post{"pre", "post"};

/// The wide CSV header, exactly (DESIGN.md "Wide CSV").
inline constexpr std::string_view wide_csv_header =
    "id,arm,age,gender,ee_pre,ee_post,dp_pre,dp_post,pa_pre,pa_post,msq_pre,msq_post,"
    "sessions_attended";

/// One outcome of one participant: the scores before and after (empty = missing).
struct score_pair {
  std::optional<double> pre;
  std::optional<double> post;
};

/// One participant as the analysis sees them.
struct participant_row {
  std::string id;
  /// One of the data set's arms; empty = not randomized (left out of every analysis, counted).
  std::string arm;
  /// Years, 0-150; empty = missing.
  std::optional<double> age;
  /// "M", "F", or empty = missing.
  std::string gender;
  /// One per outcome of the data set, in its order (by default the Tongji four).
  std::vector<score_pair> outcomes = std::vector<score_pair>(outcome_count);
  /// Balint sessions attended (>= 0); empty = missing (e.g. a waitlist participant).
  std::optional<int> sessions_attended;
  /// A questionnaire of an analysed outcome was answered outside its time point's window
  /// (known only from the database, never from a wide CSV).
  bool outside_window = false;
};

/// Randomized participants of one analysis population.
struct data_set {
  /// "itt" (everyone randomized, as randomized) or "per-protocol".
  std::string population = "itt";
  /// arms[0] is the intervention arm (the minuend of every difference), arms[1] the comparator.
  std::vector<std::string> arms{"intervention", "waitlist"};
  /// The outcomes every row has scores of, in column order.
  std::vector<outcome_spec> outcomes = tongji_outcomes();
  /// The time points of each outcome's two scores (before, after).
  timepoint_pair timepoints = pre_post;
  /// Randomized rows only, in input order.
  std::vector<participant_row> rows;
  /// Rows with an empty arm that were left out.
  std::size_t not_randomized = 0;
  /// Intervention rows left out by per_protocol() for too few sessions (0 for ITT).
  std::size_t excluded_per_protocol = 0;
  /// Rows of either arm left out by per_protocol() for a questionnaire outside its window.
  std::size_t excluded_outside_window = 0;
};

/// Builds an ITT data set from plain rows (the database path): checks each row as
/// read_wide_csv() does, drops rows with an empty arm and counts them. `arms` must hold two
/// names, the intervention arm first. invalid_input (field = the column, message naming the
/// participant and what is allowed) on an unknown arm, gender or out-of-range value;
/// conflict on a duplicate id.
/// `outcomes` and `timepoints` describe the rows' scores (each row has one score pair per
/// outcome; invalid_input "outcomes" otherwise).
core::result<data_set> make_data_set(std::vector<participant_row> rows,
                                     const std::vector<std::string>& arms,
                                     std::vector<outcome_spec> outcomes = tongji_outcomes(),
                                     timepoint_pair timepoints = pre_post);

/// id,arm,age,gender, then <outcome>_<time point> for each outcome and both time points, then
/// sessions_attended. For tongji_outcomes() and pre_post this is exactly wide_csv_header.
std::string wide_csv_header_for(const std::vector<outcome_spec>& outcomes,
                                const timepoint_pair& timepoints = pre_post);

/// The wide CSV header of a trial: id,arm,age,gender, then <outcome>_<timepoint> for every
/// outcome and time point, then sessions_attended. For the Tongji trial this is exactly
/// wide_csv_header.
std::string wide_csv_header_of(const trial::trial_definition& trial);

/// Reads DESIGN.md's wide CSV (header exactly wide_csv_header_for(outcomes, timepoints); by
/// default wide_csv_header; an empty cell is missing) into an ITT data set. Errors name the line,
/// the column and what is allowed: invalid_input for a wrong header, an unknown arm or gender, a
/// non-numeric or out-of-range value (each outcome's range, for Tongji ee 0-54, dp 0-30,
/// pa 0-48, msq 20-100; age 0-150, sessions_attended a whole number >= 0), an empty id;
/// conflict for a duplicate id.
core::result<data_set> read_wide_csv(std::string_view text, const std::vector<std::string>& arms,
                                     std::vector<outcome_spec> outcomes = tongji_outcomes(),
                                     timepoint_pair timepoints = pre_post);

/// The outcomes and time points a wide CSV's header names: tongji_outcomes() and pre_post for
/// DESIGN.md's header; otherwise "id,arm,age,gender", then pairs "<outcome>_<t1>,<outcome>_<t2>"
/// with the same two time points throughout, then "sessions_attended" (the export of any trial
/// with two time points), each outcome labelled by its id and allowed any finite score.
/// invalid_input (field "header") naming what a header must look like otherwise.
core::result<std::pair<std::vector<outcome_spec>, timepoint_pair>> outcomes_of_wide_header(
    std::string_view csv);

/// The per-protocol population: intervention rows with sessions_attended >= required_sessions
/// (a missing count does not qualify), plus every row of the other arm; rows of either arm
/// with a questionnaire outside its window are left out too (counted apart).
data_set per_protocol(const data_set& itt, int required_sessions);

}  // namespace balint::analysis
