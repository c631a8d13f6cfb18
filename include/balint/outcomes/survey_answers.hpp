#pragma once

#include "balint/core/json.hpp"
#include "balint/core/result.hpp"
#include "balint/instruments/instrument.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// What a participant's survey link carries in and out (issue 14, part 3): its token and the
/// answers the page sends. Pure: no storage, no clock.
namespace balint::outcomes {

/// The token of a survey link: exactly 32 lower-case hex digits (128 bits); nullopt otherwise.
std::optional<std::string> parse_survey_token(std::string_view text);

/// An item is required on a survey page when a subscale scores it: left out, it would leave a
/// score missing.
bool is_required_item(const instruments::instrument& inst, int item);

/// Answers as the page sends them: {"instrument id": [v1, v2, ... or null], ...}, checked
/// against the link's instruments (each at most once, exactly item_count values, each a whole
/// number within the scale or null). With `complete`, every instrument of the link must be
/// there with every required item answered. invalid_input naming the instrument and item
/// ("mbi-hss item 7"), the value and what is allowed.
core::result<std::map<std::string, instruments::item_values>> parse_survey_answers(
    const core::json& answers, const std::vector<const instruments::instrument*>& link_instruments,
    bool complete);

/// The answers as JSON in the shape parse_survey_answers reads.
core::json survey_answers_json(const std::map<std::string, instruments::item_values>& answers);

}  // namespace balint::outcomes
