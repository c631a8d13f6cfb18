#pragma once

#include "balint/core/json.hpp"
#include "balint/core/result.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace balint::reproduction {

/// A scored instrument of the design block: a sum of `items` integer answers, each in
/// [item_min, item_max] when the range is known.
struct instrument {
  std::string key;  ///< "ee"
  std::string label;
  int items = 1;
  std::optional<double> item_min;
  std::optional<double> item_max;
};

/// What the paper says about its sample: n per arm ("intervention", "control") and in total.
struct design {
  int n_total = 0;
  std::map<std::string, int, std::less<>> n_per_arm;
  std::map<std::string, instrument, std::less<>> instruments;

  /// n of an arm ("all" gives n_total), or nullopt for an arm the design does not know.
  std::optional<int> n_of(std::string_view arm) const;
};

/// One printed number. Empty strings stand for fields the transcription leaves out.
struct cell {
  std::string id;  ///< "T3.ee.intervention.pre.mean"
  std::string source;
  std::string section;
  std::string table;
  std::string row;
  std::string quote;
  std::string cell_printed;
  std::string variable;
  std::string arm;
  std::string timepoint;
  std::string stat;  ///< mean, sd, t, p, chisq, count, percent, n, ...
  std::string test;  ///< independent_t, paired_t, chisq, ...
  std::string printed;
  double value = 0;
  int decimals = 0;

  /// Half the last printed digit: the rounding interval is value ± half_unit().
  double half_unit() const;
};

/// A parsed transcription (schema "rct-published-transcription/1").
struct summary {
  std::string key;
  std::string title;
  reproduction::design design;
  std::vector<cell> cells;
};

/// Builds the typed summary from a document that has passed the schema.
/// invalid_input when a value contradicts another (n_per_arm not adding up to n_total, an
/// instrument with item_min > item_max, a `printed` whose digits disagree with `decimals`).
core::result<summary> parse_summary(const core::json& doc);

/// Parses JSON text, validates it against `schema_text` (schemas/published.schema.json) and
/// parses it. invalid_input whose field is the JSON path of the first violation
/// ("$.cells[3].printed") or "json" for text that is not JSON.
core::result<summary> load_summary(std::string_view text, std::string_view schema_text);

}  // namespace balint::reproduction
