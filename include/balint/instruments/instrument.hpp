#pragma once

#include "balint/core/json.hpp"
#include "balint/core/result.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace balint::instruments {

/// The answer scale shared by all items of an instrument: integers min..max, with optional
/// labels per value ("0" -> "never").
struct scale {
  int min = 0;
  int max = 0;
  std::map<int, std::string> labels;
};

/// How a caseness cut-off compares a score with its threshold: ">=" or "<=" in the JSON.
enum class comparison { at_least, at_most };

/// A published cut-off on a subscale score ("EE >= 27 is high emotional exhaustion").
struct caseness_rule {
  comparison op = comparison::at_least;
  double threshold = 0;
  std::string label;

  /// True when `score` is a case: score >= threshold (at_least) or score <= threshold (at_most).
  bool is_case(double score) const;
};

/// A named set of items whose answers are summed ("ee" = items 1 2 3 6 8 13 14 16 20).
struct subscale {
  std::string id;
  std::string label;
  /// 1-based item numbers, each within 1..instrument::item_count.
  std::vector<int> items;
  std::optional<caseness_rule> caseness;
};

/// What a subscale with missing answers scores: "any-missing" (missing) or "prorate".
enum class missing_rule { any_missing, prorate };

/// `max_missing` only matters for prorate: at most that many items of a subscale may be missing.
struct missing_policy {
  missing_rule rule = missing_rule::any_missing;
  int max_missing = 0;
};

/// A questionnaire definition from schemas/instruments/<id>.json. Items are identified by
/// number only; no item wording is ever stored.
struct instrument {
  std::string id;
  std::string name;
  std::string version;
  int item_count = 0;
  scale item_scale;
  missing_policy missing;
  std::vector<subscale> subscales;

  /// The subscale with this id, or nullptr.
  const subscale* find_subscale(std::string_view subscale_id) const;
};

/// item_values[i] is the answer to item i+1; nullopt = missing.
using item_values = std::vector<std::optional<int>>;

/// Builds an instrument from its JSON definition. The document is expected to have passed
/// schemas/instrument.schema.json already; this re-checks what the schema cannot: every item
/// number is within 1..items and appears once per subscale (field "subscales[k].items"),
/// subscale ids are unique (field "subscales[k].id"), min <= max (field "scale").
/// Errors: invalid_input.
core::result<instrument> parse_instrument(const core::json& doc);

/// Checks one participant's answers: exactly item_count values (field "items", "mbi-hss has 22
/// items; 21 values were given"), each present value within the scale (field "item 7",
/// "item 7 of mbi-hss is 9; allowed: 0-6, or empty for a missing answer").
/// Errors: invalid_input.
core::result<void> validate_items(const instrument& inst, const item_values& items);

/// The score of one subscale of one participant.
struct subscale_score {
  std::string subscale;
  /// Sum of the subscale's items, prorated if the policy allows; nullopt when missing.
  std::optional<double> score;
  int answered = 0;
  int missing = 0;
  /// Set only when the subscale has a caseness rule and a score.
  std::optional<bool> is_case;
};

/// Scores every subscale, in the instrument's order (sum of its items; prorate = mean of
/// answered * count, when missing <= max_missing; else missing). Items beyond the end of
/// `items` count as missing. Expects values validated by validate_items.
std::vector<subscale_score> score(const instrument& inst, const item_values& items);

/// One subscale's score under the instrument's missing policy; nullopt when missing. Does not
/// allocate.
std::optional<double> score_subscale(const instrument& inst, const subscale& s,
                                     const item_values& items);

/// Parses "v1,v2,...", values in item order, empty = missing ("3,4,,5"); spaces around values
/// are ignored. A value that is not a whole number is refused with field "items"; the count and
/// the range are checked by validate_items. Errors: invalid_input.
core::result<item_values> parse_item_list(const instrument& inst, std::string_view text);

}  // namespace balint::instruments
