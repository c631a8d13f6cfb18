#pragma once

#include "balint/core/json.hpp"
#include "balint/reproduction/audit.hpp"
#include "balint/reproduction/published.hpp"

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// Published numbers beside reproduced ones: match, mismatch, or paper-inconsistent. Pure: the
/// reproduced numbers come in as values (the replay computes them from its database).
namespace balint::reproduction {

/// One way the replay computed a published number: the method ("" when there is only one;
/// "student", "welch", "paired", "pearson", "yates") and the unrounded value.
struct candidate {
  std::string method;
  double value = 0;
  /// Where the number comes from, for the reader ("the replay's database: 36 enrolled").
  std::string source;
};

/// Cell id → the reproduced candidates of that printed number.
using reproduced_values = std::map<std::string, std::vector<candidate>, std::less<>>;

/// The JSON spelling: "match", "mismatch", "paper-inconsistent".
enum class comparison_verdict { match, mismatch, paper_inconsistent };
std::string_view to_string(comparison_verdict v);

struct cell_comparison {
  std::string id;
  std::string published;  ///< exactly as printed
  /// The candidate reported: the matching one, else the first; nullopt when the replay has no
  /// counterpart (only for paper-inconsistent cells).
  std::optional<candidate> reproduced;
  std::string reproduced_printed;            ///< the reproduced value at the printed precision
  std::vector<std::string> matched_methods;  ///< every candidate method that matched
  comparison_verdict verdict = comparison_verdict::mismatch;
  std::string reason;
};

struct comparison {
  std::vector<cell_comparison> cells;  ///< in the summary's order
  std::size_t match = 0;
  std::size_t mismatch = 0;
  std::size_t paper_inconsistent = 0;
  /// Consistent cells with no reproduced counterpart (design facts, Cronbach's alpha, ...).
  std::vector<std::string> not_compared;
};

/// Formats `value` with `decimals` digits after the point ("-0.00" printed as "0.00").
std::string format_fixed(double value, int decimals);

/// For every cell of the summary: paper-inconsistent when the audit found it inconsistent (the
/// reason quotes the audit's findings), otherwise match when some candidate lies in the
/// printed number's rounding interval, mismatch when none does. A consistent cell without
/// candidates is listed in not_compared. Where several methods were tried (Student and Welch,
/// chi-square with and without continuity correction) the reason says which one matched.
comparison compare(const summary& s, const audit_report& audit, const reproduced_values& values);

/// {"summary": {"match","mismatch","paper_inconsistent","not_compared"},
///  "cells": [{"id","published","reproduced","verdict","reason","method","matched_methods",
///             "reproduced_value"}], "not_compared": [ids]}
core::json to_json(const comparison& c);

/// One line per cell (id, published, reproduced, verdict, reason), then the summary.
std::string to_text(const comparison& c);

}  // namespace balint::reproduction
