#pragma once

#include "balint/core/json.hpp"
#include "balint/core/result.hpp"

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace balint::instruments {

/// A text in one or more languages. In the JSON either a string (the text for every language)
/// or an object of language tags ("en", "zh", "zh-Hant") to texts.
struct localized_text {
  /// Language tag to text; "" holds the text given as a plain string.
  std::map<std::string, std::string, std::less<>> by_language;

  /// The text in `language`; else the plain one; else English; else the first; else "".
  const std::string& in(std::string_view language) const;
  /// in("en").
  const std::string& text() const { return in("en"); }
  bool empty() const { return by_language.empty(); }
};

/// The answer scale shared by all items of an instrument: integers min..max, with optional
/// labels per value ("0" -> "never").
struct scale {
  int min = 0;
  int max = 0;
  std::map<int, localized_text> labels;
};

/// How a caseness cut-off compares a score with its threshold: ">=" or "<=" in the JSON.
enum class comparison { at_least, at_most };

/// A published cut-off on a subscale score ("EE >= 27 is high emotional exhaustion").
struct caseness_rule {
  comparison op = comparison::at_least;
  double threshold = 0;
  localized_text label;

  /// True when `score` is a case: score >= threshold (at_least) or score <= threshold (at_most).
  bool is_case(double score) const;
};

/// A severity band of a subscale ("PHQ-9 10-14: moderate"): every score from `from` up to the
/// next band's `from` (exclusive), so prorated scores between whole numbers have a band too.
struct band {
  double from = 0;
  localized_text label;
};

/// How a subscale's answered items make its score.
enum class scoring_rule { sum, mean };

/// A named set of items whose answers are summed or averaged ("ee" = items 1 2 3 6 8 13 14 16
/// 20).
struct subscale {
  std::string id;
  localized_text label;
  /// 1-based item numbers, each within 1..instrument::item_count.
  std::vector<int> items;
  scoring_rule scoring = scoring_rule::sum;
  std::optional<caseness_rule> caseness;
  /// Ascending by `from`; empty when the instrument publishes no bands.
  std::vector<band> bands;

  /// The band `score` falls in: the last whose `from` <= score; nullptr below the first band or
  /// without bands.
  const band* band_of(double score) const;
};

/// What a subscale with missing answers scores: "any-missing" (missing) or "prorate".
enum class missing_rule { any_missing, prorate };

/// `max_missing` only matters for prorate: at most that many items of a subscale may be missing.
struct missing_policy {
  missing_rule rule = missing_rule::any_missing;
  int max_missing = 0;
};

/// A questionnaire definition (schemas/instrument.schema.json): from schemas/instruments/ for
/// the built-in ones, from a trial config or a file for any other. Licensed instruments carry
/// item numbers only; `item_texts` holds wording only where its use is allowed.
struct instrument {
  std::string id;
  localized_text name;
  std::string version;
  int item_count = 0;
  scale item_scale;
  /// Sorted item numbers answered in reverse: a stored answer v scores as min + max - v.
  std::vector<int> reverse_items;
  missing_policy missing;
  std::vector<subscale> subscales;
  /// Item number to its wording; empty for an instrument that ships numbers only.
  std::map<int, localized_text> item_texts;

  /// The subscale with this id, or nullptr.
  const subscale* find_subscale(std::string_view subscale_id) const;
  /// True when `item` (1-based) is reverse-scored.
  bool is_reversed(int item) const;
};

/// item_values[i] is the answer to item i+1; nullopt = missing.
using item_values = std::vector<std::optional<int>>;

/// Builds an instrument from its JSON definition. The document is expected to have passed
/// schemas/instrument.schema.json already; this re-checks what the schema cannot and names the
/// JSON path of the first problem, below `path` (the definition's own place: "$" for a file,
/// "$.instruments[2]" inside a trial config): every item number is within 1..items
/// ("$.subscales[1].items[3]", "$.reverse_items[0]", "$.item_texts.12") and appears once per
/// list, subscale ids are unique ("$.subscales[1].id"), min <= max ("$.scale"), label keys are
/// scale values ("$.scale.labels.9"), bands ascend ("$.subscales[0].bands[2].from").
/// Errors: invalid_input.
core::result<instrument> parse_instrument(const core::json& doc, std::string_view path = "$");

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
  /// Index of the score's band in the subscale's `bands`; nullopt without a score or bands, or
  /// below the first band.
  std::optional<std::size_t> band_index;
};

/// Scores every subscale, in the instrument's order: reverse-scored items first become
/// min + max - v; a sum subscale is the sum of its items, a mean subscale their mean. With
/// missing items the score is missing, except under prorate with at most max_missing missing:
/// then the sum is the mean of the answered items times the subscale's item count (a mean
/// subscale is the mean of the answered ones). Items beyond the end of `items` count as
/// missing. Expects values validated by validate_items.
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
