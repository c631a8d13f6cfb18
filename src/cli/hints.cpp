#include "hints.hpp"

#include <algorithm>
#include <string_view>

namespace balint::cli::detail {
namespace {

/// Where to look when something named is not there, or a step is missing: by the refusal's
/// code and field, and for fields that more than one refusal uses, a phrase of its sentence.
struct pointer {
  core::error_code code;
  std::string_view field;
  std::string_view phrase;  ///< "" matches any sentence
  std::string_view hint;
};

constexpr pointer pointers[] = {
    {core::error_code::not_found, "participant", "", "see 'balint-trial participant list'"},
    {core::error_code::precondition_failed, "db", "holds no trial",
     "set one up with 'balint-trial init --db FILE'"},
    {core::error_code::precondition_failed, "db", "stays sealed",
     "lock the trial with 'balint-trial lock', or unblind one participant with "
     "'balint-trial randomization reveal --participant CODE --reason TEXT'"},
    {core::error_code::not_found, "session", "", "see 'balint-trial schedule list'"},
    {core::error_code::conflict, "cohort", "already has its calendar",
     "see 'balint-trial schedule list'"},
    {core::error_code::not_found, "leader", "", "add them with 'balint-trial leader add'"},
    {core::error_code::precondition_failed, "cohort", "no calendar",
     "generate it with 'balint-trial schedule generate'"},
    {core::error_code::precondition_failed, "session", "no group leader",
     "assign one with 'balint-trial schedule assign-leader'"},
    {core::error_code::not_found, "name", "no user", "see 'balint-trial user list'"},
    {core::error_code::conflict, "beyond_plan", "", "repeat the command with --beyond-plan"},
    {core::error_code::precondition_failed, "randomization", "used up",
     "extend it with 'balint-trial randomization extend --blocks N --reason TEXT'"},
};

/// The option a field is typed into: the field itself, or with '-' for '_' (time_zone →
/// --time-zone).
const option_spec* option_of(const std::string& field, const std::vector<option_spec>& options) {
  // Fields whose option has a shorter name on the command line.
  if (field == "assessment_date") return option_of("date", options);
  std::string dashed = field;
  std::replace(dashed.begin(), dashed.end(), '_', '-');
  for (const auto& o : options) {
    if (o.name == field || o.name == dashed) return &o;
  }
  return nullptr;
}

}  // namespace

std::string field_label(const core::error& e, const std::vector<option_spec>& options) {
  if (const auto* o = option_of(e.field, options)) return "--" + o->name;
  return e.field;
}

std::string hint_for(const core::error& e, const std::vector<option_spec>& options,
                     const parsed_options& given) {
  for (const auto& p : pointers) {
    if (p.code == e.code && p.field == e.field &&
        (p.phrase.empty() || e.message.find(p.phrase) != std::string::npos)) {
      return std::string(p.hint);
    }
  }
  if (e.code == core::error_code::invalid_input) {
    if (const auto* o = option_of(e.field, options); o && !given.has(o->name)) {
      return "give it with --" + o->name + (o->value_name.empty() ? "" : " " + o->value_name);
    }
  }
  return "";
}

}  // namespace balint::cli::detail
