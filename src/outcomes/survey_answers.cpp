// Survey links' token and answers (issue 14, part 3): pure parsing and checking.
#include "balint/outcomes/survey_answers.hpp"

#include "balint/core/text.hpp"

#include <algorithm>

namespace balint::outcomes {

bool is_required_item(const instruments::instrument& inst, int item) {
  for (const auto& s : inst.subscales) {
    if (std::find(s.items.begin(), s.items.end(), item) != s.items.end()) return true;
  }
  return false;
}

std::optional<std::string> parse_survey_token(std::string_view text) {
  if (text.size() != 32) return std::nullopt;
  for (const char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return std::nullopt;
  }
  return std::string(text);
}

core::result<std::map<std::string, instruments::item_values>> parse_survey_answers(
    const core::json& answers, const std::vector<const instruments::instrument*>& link_instruments,
    bool complete) {
  if (!answers.is_object()) {
    return core::invalid_input("answers",
                               "\"answers\" must be an object of questionnaires to lists of "
                               "answers");
  }
  std::map<std::string, instruments::item_values> out;
  for (const auto& member : answers.as_object()) {
    // Named, not a structured binding: clang 14 (the fuzz build) cannot capture those.
    const std::string& id = member.first;
    const core::json& values = member.second;
    const auto it = std::find_if(link_instruments.begin(), link_instruments.end(),
                                 [&](const auto* inst) { return inst->id == id; });
    if (it == link_instruments.end()) {
      std::vector<std::string> ids;
      for (const auto* inst : link_instruments) ids.push_back(inst->id);
      // The name is echoed only when it is a plain id: the message must stay valid UTF-8.
      const bool plain =
          id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
          });
      const std::string shown = plain ? "\"" + id + "\"" : "of that name";
      return core::with_value(
          core::invalid_input("answers", "this survey has no questionnaire " + shown +
                                             "; it has: " + core::one_of(ids)),
          plain ? id : std::string(), core::join(ids, ", "));
    }
    const auto& inst = **it;
    if (!values.is_array() ||
        values.as_array().size() != static_cast<std::size_t>(inst.item_count)) {
      return core::invalid_input(id, id + " needs a list of " + std::to_string(inst.item_count) +
                                         " answers, one per item (null for none yet)");
    }
    instruments::item_values items;
    const auto& list = values.as_array();
    for (std::size_t k = 0; k < list.size(); ++k) {
      const std::string item = id + " item " + std::to_string(k + 1);
      const auto& v = list[k];
      if (v.is_null()) {
        if (complete && is_required_item(inst, static_cast<int>(k) + 1)) {
          return core::invalid_input(item, item + " needs an answer");
        }
        items.push_back(std::nullopt);
        continue;
      }
      if (!v.is_integer() || v.as_int() < inst.item_scale.min || v.as_int() > inst.item_scale.max) {
        const std::string allowed =
            std::to_string(inst.item_scale.min) + "-" + std::to_string(inst.item_scale.max);
        return core::with_value(
            core::invalid_input(item, item + " is " + (v.is_number() ? v.dump() : "not a number") +
                                          "; allowed: " + allowed + ", or null for no answer"),
            v.dump().substr(0, 32), allowed);
      }
      items.push_back(static_cast<int>(v.as_int()));
    }
    // The same check `outcome record` makes of its answers.
    if (auto ok = instruments::validate_items(inst, items); !ok) return std::move(ok).error();
    out.emplace(id, std::move(items));
  }
  if (complete) {
    for (const auto* inst : link_instruments) {
      if (out.count(inst->id) == 0) {
        return core::invalid_input(inst->id, inst->id + " has not been answered");
      }
    }
  }
  return out;
}

core::json survey_answers_json(const std::map<std::string, instruments::item_values>& answers) {
  core::json out{core::json::object{}};
  for (const auto& [id, items] : answers) {
    core::json a{core::json::array{}};
    for (const auto& v : items) a.push_back(v ? core::json(*v) : core::json(nullptr));
    out[id] = std::move(a);
  }
  return out;
}

}  // namespace balint::outcomes
