#pragma once

#include "balint/instruments/instrument.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace balint::report {

/// Item numbers with runs shortened: {1, 2, 3, 6, 8, 9} -> "1-3, 6, 8-9".
std::string item_list_text(const std::vector<int>& items);

/// What `instrument show` prints: the scale and its labels, reverse-scored items, the missing
/// rule, each subscale with its items, scoring, range, cut-off and bands, and which items have
/// wording. Labels in `language` where the definition has them.
std::string instrument_text(const instruments::instrument& inst, std::string_view language);

/// One line of `instrument list` / `instrument validate`: "9 items answered 0-3; subscales:
/// total".
std::string instrument_summary(const instruments::instrument& inst);

}  // namespace balint::report
