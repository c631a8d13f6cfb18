#include "balint/instruments/instrument.hpp"

#include "balint/core/text.hpp"

#include <charconv>
#include <climits>
#include <cstddef>
#include <set>
#include <utility>

namespace balint::instruments {

namespace {

using core::json;

// The schema has normally caught these; the checks stay so that a definition loaded without
// the schema (tests, a future import) still fails with a message rather than a bad_variant.
std::string field_name(std::string_view where, std::string_view key) {
  return where.empty() ? std::string(key) : std::string(where) + "." + std::string(key);
}

core::result<const json*> member(const json& obj, std::string_view key, std::string_view where) {
  const json* v = obj.find(key);
  if (v == nullptr) {
    const std::string field = field_name(where, key);
    return core::invalid_input(field,
                               "the instrument definition has no " + field + "; it is required");
  }
  return v;
}

core::result<std::string> string_member(const json& obj, std::string_view key,
                                        std::string_view where) {
  auto v = member(obj, key, where);
  if (!v) return std::move(v).error();
  if (!(*v)->is_string()) {
    const std::string field = field_name(where, key);
    return core::invalid_input(field, field + " must be a string");
  }
  return (*v)->as_string();
}

core::result<int> int_member(const json& obj, std::string_view key, std::string_view where) {
  auto v = member(obj, key, where);
  if (!v) return std::move(v).error();
  if (!(*v)->is_integer()) {
    const std::string field = field_name(where, key);
    return core::invalid_input(field, field + " must be a whole number");
  }
  return static_cast<int>((*v)->as_int());
}

std::string allowed_values(const instrument& inst) {
  return std::to_string(inst.item_scale.min) + "-" + std::to_string(inst.item_scale.max) +
         ", or empty for a missing answer";
}

core::result<scale> parse_scale(const json& doc) {
  auto s = member(doc, "scale", "");
  if (!s) return std::move(s).error();
  const json& sj = **s;
  if (!sj.is_object()) return core::invalid_input("scale", "\"scale\" must be an object");
  scale out;
  auto mn = int_member(sj, "min", "scale");
  if (!mn) return std::move(mn).error();
  auto mx = int_member(sj, "max", "scale");
  if (!mx) return std::move(mx).error();
  out.min = *mn;
  out.max = *mx;
  if (out.min > out.max) {
    return core::invalid_input("scale", "scale min " + std::to_string(out.min) + " is above max " +
                                            std::to_string(out.max) + "; allowed: min <= max");
  }
  if (const json* labels = sj.find("labels"); labels != nullptr) {
    if (!labels->is_object()) {
      return core::invalid_input("scale.labels", "\"scale.labels\" must be an object");
    }
    for (const auto& [key, text] : labels->as_object()) {
      int value = 0;
      auto [ptr, ec] = std::from_chars(key.data(), key.data() + key.size(), value);
      if (ec != std::errc{} || ptr != key.data() + key.size() || value < out.min ||
          value > out.max || !text.is_string()) {
        return core::invalid_input(
            "scale.labels", "scale label \"" + key +
                                "\" is not a scale value; allowed: " + std::to_string(out.min) +
                                "-" + std::to_string(out.max) + " with a text label");
      }
      out.labels.emplace(value, text.as_string());
    }
  }
  return out;
}

core::result<missing_policy> parse_missing_policy(const json& doc) {
  missing_policy out;
  const json* mp = doc.find("missing_policy");
  if (mp == nullptr) return out;  // any-missing is the safe default
  if (!mp->is_object()) {
    return core::invalid_input("missing_policy", "\"missing_policy\" must be an object");
  }
  auto rule = string_member(*mp, "rule", "missing_policy");
  if (!rule) return std::move(rule).error();
  if (*rule == "any-missing") {
    out.rule = missing_rule::any_missing;
  } else if (*rule == "prorate") {
    out.rule = missing_rule::prorate;
    if (const json* mm = mp->find("max_missing"); mm != nullptr) {
      if (!mm->is_integer() || mm->as_int() < 0) {
        return core::invalid_input("missing_policy.max_missing",
                                   "missing_policy.max_missing must be a whole number >= 0");
      }
      out.max_missing = static_cast<int>(mm->as_int());
    }
  } else {
    return core::invalid_input("missing_policy.rule", "missing_policy.rule is \"" + *rule +
                                                          "\"; allowed: any-missing, prorate");
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
    return core::invalid_input(where + ".operator",
                               where + ".operator is \"" + *op + "\"; allowed: >=, <=");
  }
  auto th = member(cj, "threshold", where);
  if (!th) return std::move(th).error();
  if (!(*th)->is_number()) {
    return core::invalid_input(where + ".threshold", where + ".threshold must be a number");
  }
  out.threshold = (*th)->as_double();
  if (const json* label = cj.find("label"); label != nullptr && label->is_string()) {
    out.label = label->as_string();
  }
  return out;
}

core::result<subscale> parse_subscale(const json& sj, std::size_t k, int item_count,
                                      const std::string& instrument_id) {
  const std::string where = "subscales[" + std::to_string(k) + "]";
  if (!sj.is_object()) return core::invalid_input(where, where + " must be an object");
  subscale out;
  auto id = string_member(sj, "id", where);
  if (!id) return std::move(id).error();
  out.id = *id;
  if (const json* label = sj.find("label"); label != nullptr && label->is_string()) {
    out.label = label->as_string();
  }
  auto items = member(sj, "items", where);
  if (!items) return std::move(items).error();
  const std::string items_field = where + ".items";
  if (!(*items)->is_array() || (*items)->as_array().empty()) {
    return core::invalid_input(items_field, "subscale " + out.id + " of " + instrument_id +
                                                " must list at least one item number");
  }
  std::set<int> seen;
  for (const json& item : (*items)->as_array()) {
    if (!item.is_integer() || item.as_int() < 1 || item.as_int() > item_count) {
      return core::invalid_input(
          items_field, "subscale " + out.id + " of " + instrument_id + " lists item " +
                           item.dump() + "; allowed: item numbers 1-" + std::to_string(item_count));
    }
    const int n = static_cast<int>(item.as_int());
    if (!seen.insert(n).second) {
      return core::invalid_input(items_field, "subscale " + out.id + " of " + instrument_id +
                                                  " lists item " + std::to_string(n) +
                                                  " twice; each item may appear once");
    }
    out.items.push_back(n);
  }
  if (const json* cj = sj.find("caseness"); cj != nullptr && !cj->is_null()) {
    auto rule = parse_caseness(*cj, where + ".caseness");
    if (!rule) return std::move(rule).error();
    out.caseness = std::move(rule).value();
  }
  return out;
}

}  // namespace

bool caseness_rule::is_case(double score) const {
  return op == comparison::at_least ? score >= threshold : score <= threshold;
}

const subscale* instrument::find_subscale(std::string_view subscale_id) const {
  for (const subscale& s : subscales) {
    if (s.id == subscale_id) return &s;
  }
  return nullptr;
}

core::result<instrument> parse_instrument(const core::json& doc) {
  if (!doc.is_object()) {
    return core::invalid_input("instrument", "an instrument definition must be a JSON object");
  }
  instrument out;
  auto id = string_member(doc, "id", "");
  if (!id) return std::move(id).error();
  out.id = *id;
  auto name = string_member(doc, "name", "");
  if (!name) return std::move(name).error();
  out.name = *name;
  if (const json* version = doc.find("version"); version != nullptr && version->is_string()) {
    out.version = version->as_string();
  }
  auto count = int_member(doc, "items", "");
  if (!count) return std::move(count).error();
  if (*count < 1) {
    return core::invalid_input(
        "items", out.id + " has " + std::to_string(*count) + " items; allowed: 1 or more");
  }
  out.item_count = *count;
  auto sc = parse_scale(doc);
  if (!sc) return std::move(sc).error();
  out.item_scale = std::move(sc).value();
  auto mp = parse_missing_policy(doc);
  if (!mp) return std::move(mp).error();
  out.missing = *mp;

  auto subs = member(doc, "subscales", "");
  if (!subs) return std::move(subs).error();
  if (!(*subs)->is_array() || (*subs)->as_array().empty()) {
    return core::invalid_input("subscales", out.id + " must define at least one subscale");
  }
  const auto& arr = (*subs)->as_array();
  for (std::size_t k = 0; k < arr.size(); ++k) {
    auto s = parse_subscale(arr[k], k, out.item_count, out.id);
    if (!s) return std::move(s).error();
    if (out.find_subscale(s->id) != nullptr) {
      return core::invalid_input(
          "subscales[" + std::to_string(k) + "].id",
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
      sum += *items[i];
      ++answered;
    }
  }
  const int count = static_cast<int>(s.items.size());
  const int missing = count - answered;
  if (missing == 0) return static_cast<double>(sum);
  if (inst.missing.rule == missing_rule::prorate && missing <= inst.missing.max_missing &&
      answered > 0) {
    return static_cast<double>(sum) / answered * count;
  }
  return std::nullopt;
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
