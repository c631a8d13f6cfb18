#include "balint/report/instrument.hpp"
#include "balint/report/table.hpp"

#include <set>

namespace balint::report {
namespace {

using instruments::instrument;
using instruments::subscale;

std::string range_of(const instrument& inst, const subscale& s) {
  const auto n = static_cast<int>(s.items.size());
  if (s.scoring == instruments::scoring_rule::mean) {
    return std::to_string(inst.item_scale.min) + "-" + std::to_string(inst.item_scale.max);
  }
  return std::to_string(n * inst.item_scale.min) + "-" + std::to_string(n * inst.item_scale.max);
}

std::string missing_text(const instrument& inst) {
  if (inst.missing.rule == instruments::missing_rule::any_missing) {
    return "a score with any missing item is missing";
  }
  const int k = inst.missing.max_missing;
  return "up to " + std::to_string(k) + (k == 1 ? " missing item" : " missing items") +
         " per subscale are prorated (the mean of the answered items stands in); more leave "
         "the score missing";
}

}  // namespace

std::string item_list_text(const std::vector<int>& items) {
  std::string out;
  std::size_t i = 0;
  while (i < items.size()) {
    std::size_t j = i;
    while (j + 1 < items.size() && items[j + 1] == items[j] + 1) ++j;
    if (!out.empty()) out += ", ";
    out += std::to_string(items[i]);
    if (j > i) out += "-" + std::to_string(items[j]);
    i = j + 1;
  }
  return out;
}

std::string instrument_summary(const instrument& inst) {
  std::string subscales;
  for (const auto& s : inst.subscales) subscales += (subscales.empty() ? "" : ", ") + s.id;
  return std::to_string(inst.item_count) + (inst.item_count == 1 ? " item" : " items") +
         " answered " + std::to_string(inst.item_scale.min) + "-" +
         std::to_string(inst.item_scale.max) + "; subscales: " + subscales;
}

std::string instrument_text(const instrument& inst, std::string_view language) {
  std::string out = inst.id + ": " + inst.name.in(language) +
                    (inst.version.empty() ? "" : " (version " + inst.version + ")") + "\n";
  out += "Items: " + std::to_string(inst.item_count) + ", each answered " +
         std::to_string(inst.item_scale.min) + " to " + std::to_string(inst.item_scale.max) + "\n";
  for (const auto& [value, label] : inst.item_scale.labels) {
    out += "  " + std::to_string(value) + " = " + label.in(language) + "\n";
  }
  out += "Reverse-scored items: " +
         (inst.reverse_items.empty()
              ? std::string("none")
              : item_list_text(inst.reverse_items) + " (an answer v counts as " +
                    std::to_string(inst.item_scale.min + inst.item_scale.max) + " - v)") +
         "\n";
  out += "Missing answers: " + missing_text(inst) + "\n";
  out += "Subscales:\n";
  std::vector<std::vector<std::string>> rows;
  for (const auto& s : inst.subscales) {
    std::set<int> sorted(s.items.begin(), s.items.end());
    std::string rule =
        s.caseness ? (s.caseness->op == instruments::comparison::at_least ? ">= " : "<= ") +
                         format_score(s.caseness->threshold) + " " + s.caseness->label.in(language)
                   : std::string();
    std::string bands;
    for (const auto& b : s.bands) {
      bands += (bands.empty() ? "" : "; ") + format_score(b.from) + " " + b.label.in(language);
    }
    rows.push_back({s.id, s.label.in(language),
                    (s.scoring == instruments::scoring_rule::mean ? "mean of " : "sum of ") +
                        item_list_text({sorted.begin(), sorted.end()}),
                    range_of(inst, s), rule, bands});
  }
  std::string table = text_table({"id", "label", "score", "range", "case", "bands"}, rows);
  for (std::size_t start = 0; start < table.size();) {
    const auto end = table.find('\n', start);
    out += "  " + table.substr(start, end - start) + "\n";
    start = end == std::string::npos ? table.size() : end + 1;
  }
  std::vector<int> worded;
  for (const auto& [item, text] : inst.item_texts) worded.push_back(item);
  out += "Item wording: " +
         (worded.empty() ? std::string("none (item numbers only)")
                         : "items " + item_list_text(worded)) +
         "\n";
  return out;
}

}  // namespace balint::report
