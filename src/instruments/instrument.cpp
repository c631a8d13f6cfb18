#include "balint/instruments/instrument.hpp"

#include "balint/core/text.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <climits>
#include <cstddef>
#include <set>
#include <utility>

namespace balint::instruments {

namespace {

using core::json;

// The schema has normally caught the type errors; the checks stay so that a definition loaded
// without the schema (tests, a stored definition of an older version) still fails with a
// message rather than a bad_variant. Every refusal names the JSON path of what it refuses.

/// `path` + ".key", or + "[\"12\"]" for a key that is not an identifier.
std::string at_key(std::string_view path, std::string_view key) {
  const bool identifier =
      !key.empty() && (std::isalpha(static_cast<unsigned char>(key[0])) || key[0] == '_');
  bool plain = identifier;
  for (const char c : key)
    plain = plain && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
  if (plain) return std::string(path) + "." + std::string(key);
  return std::string(path) + "[\"" + std::string(key) + "\"]";
}

std::string at_index(std::string_view path, std::size_t k) {
  return std::string(path) + "[" + std::to_string(k) + "]";
}

core::result<const json*> member(const json& obj, std::string_view key, std::string_view path) {
  const json* v = obj.find(key);
  if (v == nullptr) {
    const std::string field = at_key(path, key);
    return core::invalid_input(field,
                               "the instrument definition has no " + field + "; it is required");
  }
  return v;
}

core::result<std::string> string_member(const json& obj, std::string_view key,
                                        std::string_view path) {
  auto v = member(obj, key, path);
  if (!v) return std::move(v).error();
  if (!(*v)->is_string()) {
    const std::string field = at_key(path, key);
    return core::invalid_input(field, field + " must be a string");
  }
  return (*v)->as_string();
}

core::result<int> int_member(const json& obj, std::string_view key, std::string_view path) {
  auto v = member(obj, key, path);
  if (!v) return std::move(v).error();
  if (!(*v)->is_integer() || (*v)->as_int() < INT_MIN || (*v)->as_int() > INT_MAX) {
    const std::string field = at_key(path, key);
    return core::invalid_input(field, field + " must be a whole number");
  }
  return static_cast<int>((*v)->as_int());
}

/// A string (every language) or an object of language tags to non-empty strings.
core::result<localized_text> parse_text(const json& v, const std::string& path) {
  localized_text out;
  if (v.is_string()) {
    out.by_language.emplace("", v.as_string());
    return out;
  }
  if (!v.is_object() || v.as_object().empty()) {
    return core::invalid_input(path, path +
                                         " must be a text, or an object of language tags to "
                                         "texts such as {\"en\": \"never\", \"zh\": \"从不\"}");
  }
  for (const auto& [language, text] : v.as_object()) {
    if (!text.is_string()) {
      const std::string field = at_key(path, language);
      return core::invalid_input(field, field + " must be a text");
    }
    out.by_language.emplace(language, text.as_string());
  }
  return out;
}

core::result<localized_text> optional_text(const json& obj, std::string_view key,
                                           std::string_view path) {
  const json* v = obj.find(key);
  if (v == nullptr) return localized_text{};
  return parse_text(*v, at_key(path, key));
}

/// A JSON object key that must be a whole number ("0" for a scale label, "12" for an item text).
std::optional<int> number_key(const std::string& key) {
  int value = 0;
  auto [ptr, ec] = std::from_chars(key.data(), key.data() + key.size(), value);
  if (ec != std::errc{} || ptr != key.data() + key.size()) return std::nullopt;
  return value;
}

std::string allowed_values(const instrument& inst) {
  return std::to_string(inst.item_scale.min) + "-" + std::to_string(inst.item_scale.max) +
         ", or empty for a missing answer";
}

core::result<scale> parse_scale(const json& doc, const std::string& path) {
  auto s = member(doc, "scale", path);
  if (!s) return std::move(s).error();
  const json& sj = **s;
  const std::string where = at_key(path, "scale");
  if (!sj.is_object()) return core::invalid_input(where, where + " must be an object");
  scale out;
  auto mn = int_member(sj, "min", where);
  if (!mn) return std::move(mn).error();
  auto mx = int_member(sj, "max", where);
  if (!mx) return std::move(mx).error();
  out.min = *mn;
  out.max = *mx;
  if (out.min > out.max) {
    return core::invalid_input(where, "scale min " + std::to_string(out.min) + " is above max " +
                                          std::to_string(out.max) + "; allowed: min <= max");
  }
  if (const json* labels = sj.find("labels"); labels != nullptr) {
    const std::string labels_path = at_key(where, "labels");
    if (!labels->is_object()) {
      return core::invalid_input(labels_path, labels_path + " must be an object");
    }
    for (const auto& [key, text] : labels->as_object()) {
      const std::string field = at_key(labels_path, key);
      const auto value = number_key(key);
      if (!value || *value < out.min || *value > out.max) {
        return core::invalid_input(
            field, "scale label \"" + key + "\" is not a value of the scale; allowed: " +
                       std::to_string(out.min) + "-" + std::to_string(out.max));
      }
      auto label = parse_text(text, field);
      if (!label) return std::move(label).error();
      out.labels.emplace(*value, std::move(label).value());
    }
  }
  return out;
}

core::result<missing_policy> parse_missing_policy(const json& doc, const std::string& path) {
  missing_policy out;
  const json* mp = doc.find("missing_policy");
  if (mp == nullptr) return out;  // any-missing is the safe default
  const std::string where = at_key(path, "missing_policy");
  if (!mp->is_object()) return core::invalid_input(where, where + " must be an object");
  auto rule = string_member(*mp, "rule", where);
  if (!rule) return std::move(rule).error();
  if (*rule == "any-missing") {
    out.rule = missing_rule::any_missing;
  } else if (*rule == "prorate") {
    out.rule = missing_rule::prorate;
    if (const json* mm = mp->find("max_missing"); mm != nullptr) {
      if (!mm->is_integer() || mm->as_int() < 0 || mm->as_int() > INT_MAX) {
        const std::string field = at_key(where, "max_missing");
        return core::invalid_input(field, field + " must be a whole number >= 0");
      }
      out.max_missing = static_cast<int>(mm->as_int());
    }
  } else {
    const std::string field = at_key(where, "rule");
    return core::invalid_input(field,
                               field + " is \"" + *rule + "\"; allowed: any-missing, prorate");
  }
  return out;
}

core::result<scoring_rule> parse_scoring(const json& obj, const std::string& path,
                                         scoring_rule fallback) {
  const json* v = obj.find("scoring");
  if (v == nullptr) return fallback;
  if (v->is_string() && v->as_string() == "sum") return scoring_rule::sum;
  if (v->is_string() && v->as_string() == "mean") return scoring_rule::mean;
  const std::string field = at_key(path, "scoring");
  return core::invalid_input(field, field + " is " + v->dump() + "; allowed: sum, mean");
}

/// A list of distinct item numbers within 1..item_count; `what` names the list in messages.
core::result<std::vector<int>> parse_item_numbers(const json& list, const std::string& path,
                                                  int item_count, const std::string& what) {
  if (!list.is_array()) return core::invalid_input(path, path + " must be a list of item numbers");
  std::vector<int> out;
  std::set<int> seen;
  const auto& arr = list.as_array();
  for (std::size_t k = 0; k < arr.size(); ++k) {
    const json& item = arr[k];
    const std::string field = at_index(path, k);
    if (!item.is_integer() || item.as_int() < 1 || item.as_int() > item_count) {
      return core::invalid_input(field, what + " lists item " + item.dump() +
                                            "; allowed: item numbers 1-" +
                                            std::to_string(item_count));
    }
    const int n = static_cast<int>(item.as_int());
    if (!seen.insert(n).second) {
      return core::invalid_input(
          field, what + " lists item " + std::to_string(n) + " twice; each item may appear once");
    }
    out.push_back(n);
  }
  return out;
}

core::result<caseness_rule> parse_caseness(const json& cj, const std::string& where) {
  if (!cj.is_object()) return core::invalid_input(where, where + " must be an object");
  caseness_rule out;
  auto op = string_member(cj, "operator", where);
  if (!op) return std::move(op).error();
  if (*op == ">=") {
    out.op = comparison::at_least;
  } else if (*op == "<=") {
    out.op = comparison::at_most;
  } else {
    const std::string field = at_key(where, "operator");
    return core::invalid_input(field, field + " is \"" + *op + "\"; allowed: >=, <=");
  }
  auto th = member(cj, "threshold", where);
  if (!th) return std::move(th).error();
  if (!(*th)->is_number()) {
    const std::string field = at_key(where, "threshold");
    return core::invalid_input(field, field + " must be a number");
  }
  out.threshold = (*th)->as_double();
  auto label = optional_text(cj, "label", where);
  if (!label) return std::move(label).error();
  out.label = std::move(label).value();
  return out;
}

core::result<std::vector<band>> parse_bands(const json& bj, const std::string& where,
                                            const std::string& subscale_id) {
  if (!bj.is_array() || bj.as_array().empty()) {
    return core::invalid_input(where, where + " must be a list of at least one band");
  }
  std::vector<band> out;
  const auto& arr = bj.as_array();
  for (std::size_t k = 0; k < arr.size(); ++k) {
    const std::string at = at_index(where, k);
    if (!arr[k].is_object()) return core::invalid_input(at, at + " must be an object");
    auto from = member(arr[k], "from", at);
    if (!from) return std::move(from).error();
    const std::string from_path = at_key(at, "from");
    if (!(*from)->is_number()) {
      return core::invalid_input(from_path, from_path + " must be a number");
    }
    band b;
    b.from = (*from)->as_double();
    if (!out.empty() && !(b.from > out.back().from)) {
      return core::invalid_input(from_path, "the bands of subscale " + subscale_id +
                                                " must ascend: band " + std::to_string(k + 1) +
                                                " starts at " + (*from)->dump() +
                                                ", not above the band before it");
    }
    auto label = member(arr[k], "label", at);
    if (!label) return std::move(label).error();
    auto text = parse_text(**label, at_key(at, "label"));
    if (!text) return std::move(text).error();
    b.label = std::move(text).value();
    out.push_back(std::move(b));
  }
  return out;
}

core::result<subscale> parse_subscale(const json& sj, const std::string& where, int item_count,
                                      const std::string& instrument_id, scoring_rule scoring) {
  if (!sj.is_object()) return core::invalid_input(where, where + " must be an object");
  subscale out;
  auto id = string_member(sj, "id", where);
  if (!id) return std::move(id).error();
  out.id = *id;
  auto label = optional_text(sj, "label", where);
  if (!label) return std::move(label).error();
  out.label = std::move(label).value();
  auto items = member(sj, "items", where);
  if (!items) return std::move(items).error();
  const std::string items_path = at_key(where, "items");
  if (!(*items)->is_array() || (*items)->as_array().empty()) {
    return core::invalid_input(items_path, "subscale " + out.id + " of " + instrument_id +
                                               " must list at least one item number");
  }
  auto numbers = parse_item_numbers(**items, items_path, item_count,
                                    "subscale " + out.id + " of " + instrument_id);
  if (!numbers) return std::move(numbers).error();
  out.items = std::move(numbers).value();
  auto rule = parse_scoring(sj, where, scoring);
  if (!rule) return std::move(rule).error();
  out.scoring = *rule;
  if (const json* cj = sj.find("caseness"); cj != nullptr && !cj->is_null()) {
    auto c = parse_caseness(*cj, at_key(where, "caseness"));
    if (!c) return std::move(c).error();
    out.caseness = std::move(c).value();
  }
  if (const json* bj = sj.find("bands"); bj != nullptr) {
    auto bands = parse_bands(*bj, at_key(where, "bands"), out.id);
    if (!bands) return std::move(bands).error();
    out.bands = std::move(bands).value();
  }
  return out;
}

core::result<std::map<int, localized_text>> parse_item_texts(const json& doc,
                                                             const std::string& path,
                                                             int item_count) {
  std::map<int, localized_text> out;
  const json* texts = doc.find("item_texts");
  if (texts == nullptr) return out;
  const std::string where = at_key(path, "item_texts");
  if (!texts->is_object()) return core::invalid_input(where, where + " must be an object");
  for (const auto& [key, text] : texts->as_object()) {
    const std::string field = at_key(where, key);
    const auto item = number_key(key);
    if (!item || *item < 1 || *item > item_count) {
      return core::invalid_input(field, "item_texts has a text for item \"" + key +
                                            "\"; allowed: item numbers 1-" +
                                            std::to_string(item_count));
    }
    auto t = parse_text(text, field);
    if (!t) return std::move(t).error();
    out.emplace(*item, std::move(t).value());
  }
  return out;
}

/// A subscale item's answer as scored: reversed when the instrument says so.
int scored_value(const instrument& inst, int item, int answer) {
  return inst.is_reversed(item) ? inst.item_scale.min + inst.item_scale.max - answer : answer;
}

}  // namespace

const std::string& localized_text::in(std::string_view language) const {
  static const std::string none;
  for (const std::string_view key : {language, std::string_view(), std::string_view("en")}) {
    if (const auto it = by_language.find(key); it != by_language.end()) return it->second;
  }
  return by_language.empty() ? none : by_language.begin()->second;
}

bool caseness_rule::is_case(double score) const {
  return op == comparison::at_least ? score >= threshold : score <= threshold;
}

const band* subscale::band_of(double score) const {
  const band* found = nullptr;
  for (const band& b : bands) {
    if (b.from <= score) found = &b;
  }
  return found;
}

const subscale* instrument::find_subscale(std::string_view subscale_id) const {
  for (const subscale& s : subscales) {
    if (s.id == subscale_id) return &s;
  }
  return nullptr;
}

bool instrument::is_reversed(int item) const {
  return std::binary_search(reverse_items.begin(), reverse_items.end(), item);
}

core::result<instrument> parse_instrument(const core::json& doc, std::string_view path_view) {
  const std::string path(path_view);
  if (!doc.is_object()) {
    return core::invalid_input(path, path + ": an instrument definition must be a JSON object");
  }
  instrument out;
  auto id = string_member(doc, "id", path);
  if (!id) return std::move(id).error();
  out.id = *id;
  auto name = member(doc, "name", path);
  if (!name) return std::move(name).error();
  auto name_text = parse_text(**name, at_key(path, "name"));
  if (!name_text) return std::move(name_text).error();
  out.name = std::move(name_text).value();
  if (const json* version = doc.find("version"); version != nullptr && version->is_string()) {
    out.version = version->as_string();
  }
  auto count = int_member(doc, "items", path);
  if (!count) return std::move(count).error();
  if (*count < 1) {
    return core::invalid_input(at_key(path, "items"), out.id + " has " + std::to_string(*count) +
                                                          " items; allowed: 1 or more");
  }
  out.item_count = *count;
  auto sc = parse_scale(doc, path);
  if (!sc) return std::move(sc).error();
  out.item_scale = std::move(sc).value();
  auto mp = parse_missing_policy(doc, path);
  if (!mp) return std::move(mp).error();
  out.missing = *mp;
  if (const json* rev = doc.find("reverse_items"); rev != nullptr) {
    auto numbers = parse_item_numbers(*rev, at_key(path, "reverse_items"), out.item_count,
                                      "reverse_items of " + out.id);
    if (!numbers) return std::move(numbers).error();
    out.reverse_items = std::move(numbers).value();
    std::sort(out.reverse_items.begin(), out.reverse_items.end());
  }
  auto scoring = parse_scoring(doc, path, scoring_rule::sum);
  if (!scoring) return std::move(scoring).error();
  auto texts = parse_item_texts(doc, path, out.item_count);
  if (!texts) return std::move(texts).error();
  out.item_texts = std::move(texts).value();

  auto subs = member(doc, "subscales", path);
  if (!subs) return std::move(subs).error();
  const std::string subs_path = at_key(path, "subscales");
  if (!(*subs)->is_array() || (*subs)->as_array().empty()) {
    return core::invalid_input(subs_path, out.id + " must define at least one subscale");
  }
  const auto& arr = (*subs)->as_array();
  for (std::size_t k = 0; k < arr.size(); ++k) {
    const std::string where = at_index(subs_path, k);
    auto s = parse_subscale(arr[k], where, out.item_count, out.id, *scoring);
    if (!s) return std::move(s).error();
    if (out.find_subscale(s->id) != nullptr) {
      return core::invalid_input(
          at_key(where, "id"),
          "subscale id " + s->id + " appears twice in " + out.id + "; subscale ids must be unique");
    }
    out.subscales.push_back(std::move(s).value());
  }
  return out;
}

core::result<void> validate_items(const instrument& inst, const item_values& items) {
  if (items.size() != static_cast<std::size_t>(inst.item_count)) {
    return core::invalid_input("items", inst.id + " has " + std::to_string(inst.item_count) +
                                            " items; " + std::to_string(items.size()) +
                                            (items.size() == 1 ? " value was" : " values were") +
                                            " given");
  }
  for (std::size_t i = 0; i < items.size(); ++i) {
    const auto& v = items[i];
    if (v && (*v < inst.item_scale.min || *v > inst.item_scale.max)) {
      const std::string item = "item " + std::to_string(i + 1);
      return core::invalid_input(item, item + " of " + inst.id + " is " + std::to_string(*v) +
                                           "; allowed: " + allowed_values(inst));
    }
  }
  return {};
}

std::optional<double> score_subscale(const instrument& inst, const subscale& s,
                                     const item_values& items) {
  int sum = 0;
  int answered = 0;
  const std::size_t n = items.size();
  for (const int item : s.items) {
    const std::size_t i = static_cast<std::size_t>(item - 1);
    if (i < n && items[i].has_value()) {
      sum += scored_value(inst, item, *items[i]);
      ++answered;
    }
  }
  const int count = static_cast<int>(s.items.size());
  const int missing = count - answered;
  const bool scored = missing == 0 || (inst.missing.rule == missing_rule::prorate &&
                                       missing <= inst.missing.max_missing && answered > 0);
  if (!scored) return std::nullopt;
  const double mean = static_cast<double>(sum) / answered;
  if (s.scoring == scoring_rule::mean) return mean;
  // A complete sum stays exact; a prorated one is the answered items' mean times the count.
  return missing == 0 ? static_cast<double>(sum) : mean * count;
}

std::vector<subscale_score> score(const instrument& inst, const item_values& items) {
  std::vector<subscale_score> out;
  out.reserve(inst.subscales.size());
  for (const subscale& s : inst.subscales) {
    subscale_score r;
    r.subscale = s.id;
    for (const int item : s.items) {
      const std::size_t i = static_cast<std::size_t>(item - 1);
      if (i < items.size() && items[i].has_value()) {
        ++r.answered;
      } else {
        ++r.missing;
      }
    }
    r.score = score_subscale(inst, s, items);
    if (r.score && s.caseness) r.is_case = s.caseness->is_case(*r.score);
    if (r.score) {
      if (const band* b = s.band_of(*r.score)) {
        r.band_index = static_cast<std::size_t>(b - s.bands.data());
      }
    }
    out.push_back(std::move(r));
  }
  return out;
}

core::result<item_values> parse_item_list(const instrument& inst, std::string_view text) {
  const std::vector<std::string_view> cells = core::split(text, ',');
  item_values out(cells.size());
  // Count first: a short list usually means a skipped comma, and "21 values were given" says so
  // better than a range error on whichever value moved.
  if (cells.size() != static_cast<std::size_t>(inst.item_count)) {
    return validate_items(inst, out).error();
  }
  for (std::size_t i = 0; i < cells.size(); ++i) {
    const std::string_view cell = core::trim(cells[i]);
    if (cell.empty()) continue;
    const std::optional<long long> value = core::parse_integer(cell);
    // Whole numbers outside the scale are left to validate_items, so that message is the same
    // everywhere; anything else is reported here with the text as typed.
    if (!value || *value < INT_MIN || *value > INT_MAX) {
      return core::invalid_input("items", "item " + std::to_string(i + 1) + " of " + inst.id +
                                              " is \"" + std::string(cell) +
                                              "\"; allowed: " + allowed_values(inst));
    }
    out[i] = static_cast<int>(*value);
  }
  auto checked = validate_items(inst, out);
  if (!checked) return std::move(checked).error();
  return out;
}

}  // namespace balint::instruments
