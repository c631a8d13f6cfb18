#include "balint/reproduction/published.hpp"

#include "balint/core/json_schema.hpp"

#include <cmath>

namespace balint::reproduction {
namespace {

std::string string_or_empty(const core::json& o, std::string_view key) {
  const core::json* v = o.find(key);
  return v && v->is_string() ? v->as_string() : std::string();
}

std::optional<double> number_or_none(const core::json& o, std::string_view key) {
  const core::json* v = o.find(key);
  if (v && v->is_number()) return v->as_double();
  return std::nullopt;
}

int digits_after_point(const std::string& printed) {
  const auto dot = printed.find('.');
  return dot == std::string::npos ? 0 : static_cast<int>(printed.size() - dot - 1);
}

}  // namespace

std::optional<int> design::n_of(std::string_view arm) const {
  if (arm == "all") return n_total;
  if (auto it = n_per_arm.find(arm); it != n_per_arm.end()) return it->second;
  return std::nullopt;
}

/// The text members of a transcribed cell and their JSON keys (absent: empty).
constexpr std::pair<std::string cell::*, const char*> cell_text_fields[] = {
    {&cell::id, "id"},
    {&cell::source, "source"},
    {&cell::section, "section"},
    {&cell::table, "table"},
    {&cell::row, "row"},
    {&cell::quote, "quote"},
    {&cell::cell_printed, "cell_printed"},
    {&cell::variable, "variable"},
    {&cell::arm, "arm"},
    {&cell::timepoint, "timepoint"},
    {&cell::stat, "stat"},
    {&cell::test, "test"},
    {&cell::printed, "printed"}};

double cell::half_unit() const { return 0.5 * std::pow(10.0, -decimals); }

core::result<summary> parse_summary(const core::json& doc) {
  summary s;
  const core::json& paper = *doc.find("paper");
  s.key = string_or_empty(paper, "key");
  s.title = string_or_empty(paper, "title");

  const core::json& d = *doc.find("design");
  s.design.n_total = static_cast<int>(d.find("n_total")->as_int());
  int arm_sum = 0;
  for (const auto& [arm, n] : d.find("n_per_arm")->as_object()) {
    s.design.n_per_arm[arm] = static_cast<int>(n.as_int());
    arm_sum += static_cast<int>(n.as_int());
  }
  if (arm_sum != s.design.n_total) {
    return core::invalid_input(
        "$.design.n_per_arm", "the arms add up to " + std::to_string(arm_sum) + " but n_total is " +
                                  std::to_string(s.design.n_total));
  }
  for (const auto& [key, spec] : d.find("instruments")->as_object()) {
    instrument ins;
    ins.key = key;
    ins.label = string_or_empty(spec, "label");
    ins.items = static_cast<int>(spec.find("items")->as_int());
    ins.item_min = number_or_none(spec, "item_min");
    ins.item_max = number_or_none(spec, "item_max");
    if (ins.item_min.has_value() != ins.item_max.has_value() ||
        (ins.item_min && *ins.item_min > *ins.item_max)) {
      return core::invalid_input("$.design.instruments." + key,
                                 "item_min and item_max must both be given, min <= max");
    }
    s.design.instruments.emplace(key, std::move(ins));
  }

  const auto& cells = doc.find("cells")->as_array();
  for (std::size_t i = 0; i < cells.size(); ++i) {
    const core::json& c = cells[i];
    cell out;
    for (const auto& [member, key] : cell_text_fields) out.*member = string_or_empty(c, key);
    out.value = c.find("value")->as_double();
    out.decimals = static_cast<int>(c.find("decimals")->as_int());
    const std::string path = "$.cells[" + std::to_string(i) + "]";
    if (digits_after_point(out.printed) != out.decimals) {
      return core::invalid_input(path + ".decimals",
                                 "\"" + out.printed + "\" has " +
                                     std::to_string(digits_after_point(out.printed)) +
                                     " decimals, not " + std::to_string(out.decimals));
    }
    if (std::fabs(std::stod(out.printed) - out.value) > 1e-9 * (1 + std::fabs(out.value))) {
      return core::invalid_input(
          path + ".value",
          "value " + c.find("value")->dump() + " is not the printed \"" + out.printed + "\"");
    }
    s.cells.push_back(std::move(out));
  }
  return s;
}

core::result<summary> load_summary(std::string_view text, std::string_view schema_text) {
  auto doc = core::parse_json(text);
  if (!doc) return doc.error();
  auto schema = core::parse_json(schema_text);
  if (!schema)
    return core::invalid_input("schema", "the schema is not JSON: " + schema.error().message);
  const auto violations = core::validate_json(doc.value(), schema.value());
  if (!violations.empty()) {
    return core::invalid_input(
        violations.front().path,
        violations.front().message +
            (violations.size() > 1 ? " (and " + std::to_string(violations.size() - 1) +
                                         " more: " + core::format_violations(violations) + ")"
                                   : std::string()));
  }
  return parse_summary(doc.value());
}

}  // namespace balint::reproduction
