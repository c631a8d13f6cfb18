#include "balint/core/json_schema.hpp"

// valijson reports a faulty schema with abort() unless it may throw.
#define VALIJSON_USE_EXCEPTIONS 1  // NOLINT(cppcoreguidelines-macro-usage)
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>
#include <vector>

// valijson (draft 7 parser) decides what is valid. Its errors carry a path and a fixed English
// sentence per constraint, without the schema's values, so each is mapped back to its keyword
// and our sentence is written from the value and the schema node behind the error, found by
// following the path through the schema. Where valijson 1.0 reports nothing or too little, the
// schema it is given is adjusted (see `prepared`) or we check ourselves (propertyNames).

namespace balint::core {

namespace {

// A step in the path from the document root to a value: a member name or an array index.
struct segment {
  bool is_index = false;
  std::size_t index = 0;
  std::string key;

  friend bool operator<(const segment& a, const segment& b) {
    if (a.is_index != b.is_index) return a.is_index;
    return a.is_index ? a.index < b.index : a.key < b.key;
  }
  friend bool operator==(const segment& a, const segment& b) {
    return a.is_index == b.is_index && a.index == b.index && a.key == b.key;
  }
};

using json_path = std::vector<segment>;

// Violations are kept with a structured path so that they can be put in document order (a
// parent before its members, members by name as json keeps them, array items by index).
struct violation {
  json_path where;
  std::string message;
};

bool is_identifier(std::string_view key) {
  if (key.empty()) return false;
  const auto c0 = static_cast<unsigned char>(key.front());
  if (!(std::isalpha(c0) || c0 == '_')) return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return std::isalnum(u) || u == '_';
  });
}

std::string render_path(const json_path& path) {
  std::string out = "$";
  for (const auto& s : path) {
    if (s.is_index) {
      out += '[' + std::to_string(s.index) + ']';
    } else if (is_identifier(s.key)) {
      out += '.' + s.key;
    } else {
      out += '[';
      append_json_string(out, s.key);
      out += ']';
    }
  }
  return out;
}

// The value as it would appear in the file, shortened when long, for use in messages.
std::string describe(const json& value) {
  constexpr std::size_t max_length = 60;
  std::string text = value.dump();
  if (text.size() > max_length) {
    std::size_t cut = max_length;
    // Do not cut a UTF-8 sequence in half.
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0U) == 0x80U) --cut;
    text = text.substr(0, cut) + "...";
  }
  return text;
}

std::string plural(std::size_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + ' ' + std::string(n == 1 ? one : many);
}

// "1 entry is required", "3 entries are allowed".
std::string bound_words(std::int64_t n, std::string_view one, std::string_view many,
                        std::string_view what) {
  return std::to_string(n) + ' ' + std::string(n == 1 ? one : many) + (n == 1 ? " is " : " are ") +
         std::string(what);
}

// What a value is, in words a clinician reads without knowing JSON.
std::string kind_of(const json& value) {
  switch (value.type()) {
    case json::kind::null:
      return "empty (null)";
    case json::kind::boolean:
      return "a true/false value";
    case json::kind::integer:
      return "a whole number";
    case json::kind::number:
      return value.is_integer() ? "a whole number" : "a number";
    case json::kind::string:
      return "text";
    case json::kind::array:
      return "a list";
    case json::kind::object:
      return "an object";
  }
  return "a value";
}

std::string type_words(std::string_view type) {
  if (type == "null") return "empty (null)";
  if (type == "boolean") return "true or false";
  if (type == "integer") return "a whole number";
  if (type == "number") return "a number";
  if (type == "string") return "text";
  if (type == "array") return "a list";
  if (type == "object") return "an object";
  return "\"" + std::string(type) + "\"";
}

bool has_type(const json& value, std::string_view type) {
  if (type == "null") return value.is_null();
  if (type == "boolean") return value.is_bool();
  if (type == "integer") return value.is_integer();
  if (type == "number") return value.is_number();
  if (type == "string") return value.is_string();
  if (type == "array") return value.is_array();
  if (type == "object") return value.is_object();
  return false;
}

std::size_t code_points(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U;
  }));
}

// -1, 0, 1 as a compares to b; integers exactly, anything else as doubles.
int compare_numbers(const json& a, const json& b) {
  if (a.type() == json::kind::integer && b.type() == json::kind::integer) {
    const auto x = a.as_int();
    const auto y = b.as_int();
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  const double x = a.as_double();
  const double y = b.as_double();
  return x < y ? -1 : (x > y ? 1 : 0);
}

bool is_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_calendar_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  const auto y = s.substr(0, 4);
  const auto m = s.substr(5, 2);
  const auto d = s.substr(8, 2);
  if (!is_digits(y) || !is_digits(m) || !is_digits(d)) return false;
  const int year = std::stoi(std::string(y));
  const int month = std::stoi(std::string(m));
  const int day = std::stoi(std::string(d));
  if (month < 1 || month > 12 || day < 1) return false;
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  constexpr int days_in_month[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const int last = days_in_month[month - 1] + ((month == 2 && leap) ? 1 : 0);
  return day <= last;
}

// The same dates as is_calendar_date, as a pattern valijson can check anywhere in a schema
// (its own `format: date` takes 2017-02-29): leap years are those divisible by 4 but not by
// 100, and those divisible by 400.
constexpr const char* date_pattern =
    "^(?:[0-9]{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|"
    "[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))|(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|"
    "(?:[02468][048]|[13579][26])00)-02-29)$";

std::string join_quoted(const json::array& values) {
  std::string out;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ", ";
    out += describe(values[i]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// From our json to valijson's input

nlohmann::json to_nlohmann(const json& value) {
  switch (value.type()) {
    case json::kind::null:
      return nullptr;
    case json::kind::boolean:
      return value.as_bool();
    case json::kind::integer:
      return value.as_int();
    case json::kind::number: {
      // JSON Schema counts 3.0 as an integer; valijson's strict types count only nlohmann's
      // integers, so an integral number within range goes over as one.
      const double d = value.as_double();
      constexpr double limit = 9.2e18;
      if (std::trunc(d) == d && d > -limit && d < limit) return static_cast<std::int64_t>(d);
      return d;
    }
    case json::kind::string:
      return value.as_string();
    case json::kind::array: {
      auto out = nlohmann::json::array();
      for (const auto& item : value.as_array()) out.push_back(to_nlohmann(item));
      return out;
    }
    case json::kind::object: {
      auto out = nlohmann::json::object();
      for (const auto& [key, member] : value.as_object()) out[key] = to_nlohmann(member);
      return out;
    }
  }
  return nullptr;
}

// A faulty schema, worded for the violation ("schema error: ...").
struct schema_problem {
  std::string message;
};

std::string pointer_token(std::string_view key) {
  std::string out;
  for (const char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

/// The value a local reference ("#/$defs/id") names inside `root`, or nullptr.
const json* resolve(const json& root, std::string_view ref) {
  if (ref.empty() || ref.front() != '#') return nullptr;
  ref.remove_prefix(1);
  const json* node = &root;
  while (!ref.empty()) {
    if (ref.front() != '/') return nullptr;
    ref.remove_prefix(1);
    const auto end = ref.find('/');
    std::string token(ref.substr(0, end));
    ref = end == std::string_view::npos ? std::string_view{} : ref.substr(end);
    for (std::size_t at = 0; (at = token.find('~', at)) != std::string::npos; ++at) {
      if (at + 1 < token.size() && token[at + 1] == '1') {
        token.replace(at, 2, "/");
      } else if (at + 1 < token.size() && token[at + 1] == '0') {
        token.replace(at, 2, "~");
      }
    }
    if (node->is_object()) {
      node = node->find(token);
    } else if (node->is_array() && is_digits(token)) {
      const auto i = static_cast<std::size_t>(std::stoull(token));
      node = i < node->as_array().size() ? &node->as_array()[i] : nullptr;
    } else {
      node = nullptr;
    }
    if (node == nullptr) return nullptr;
  }
  return node;
}

void check_regex(const std::string& pattern, std::string_view what) {
  try {
    const std::regex compiled(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error&) {
    throw schema_problem{"schema error: invalid " + std::string(what) + " " +
                         describe(json(pattern))};
  }
}

/// The schema as valijson's draft 7 parser is given it. `root` is the whole schema document and
/// `ref_prefix` is put in front of every local reference (the document may be nested in
/// another). Annotations are dropped (valijson would read "id" as a base URI and refuses a
/// non-text "description"); a `$ref` with siblings goes into allOf (draft 7 ignores the
/// siblings, 2020-12 applies them); `format: date` becomes `date_pattern`; `false` below a
/// keyword other than additionalProperties/additionalItems becomes {"not": {}}, for which
/// valijson reports an error (for a plain `false` it reports none). Patterns are compiled
/// here, once per schema, so that a bad one is a schema error before any value is checked; a
/// $ref that does not resolve or only leads to more $refs in a loop is one too.
nlohmann::json prepared(const json& schema, const json& root, std::string_view ref_prefix) {
  if (schema.is_bool())
    return schema.as_bool() ? nlohmann::json::object()
                            : nlohmann::json{{"not", nlohmann::json::object()}};
  if (!schema.is_object()) {
    throw schema_problem{"schema error: a schema must be an object or true/false, not " +
                         describe(schema)};
  }
  static const std::set<std::string, std::less<>> annotations = {
      "title",   "description", "$comment", "$id",        "id",       "$schema",
      "default", "examples",    "format",   "deprecated", "readOnly", "writeOnly"};
  static const std::set<std::string, std::less<>> schema_maps = {
      "properties", "patternProperties", "$defs", "definitions", "dependentSchemas"};
  static const std::set<std::string, std::less<>> schema_lists = {"allOf", "anyOf", "oneOf"};
  static const std::set<std::string, std::less<>> subschemas = {
      "propertyNames", "contains", "not", "if", "then", "else"};
  const auto sub = [&](const json& s) { return prepared(s, root, ref_prefix); };

  auto out = nlohmann::json::object();
  for (const auto& [key, value] : schema.as_object()) {
    if (annotations.contains(key)) continue;
    if (schema_maps.contains(key) && value.is_object()) {
      auto map = nlohmann::json::object();
      for (const auto& [name, s] : value.as_object()) {
        if (key == "patternProperties") check_regex(name, "member-name pattern");
        map[name] = sub(s);
      }
      out[key] = std::move(map);
    } else if (schema_lists.contains(key) && value.is_array()) {
      auto list = nlohmann::json::array();
      for (const auto& s : value.as_array()) list.push_back(sub(s));
      out[key] = std::move(list);
    } else if (subschemas.contains(key) ||
               ((key == "additionalProperties" || key == "additionalItems") && !value.is_bool())) {
      out[key] = sub(value);
    } else if (key == "items") {
      if (value.is_array()) {
        auto list = nlohmann::json::array();
        for (const auto& s : value.as_array()) list.push_back(sub(s));
        out[key] = std::move(list);
      } else {
        out[key] = sub(value);
      }
    } else if (key == "dependencies" && value.is_object()) {
      auto map = nlohmann::json::object();
      for (const auto& [name, s] : value.as_object()) {
        map[name] = s.is_array() ? to_nlohmann(s) : sub(s);
      }
      out[key] = std::move(map);
    } else if (key == "$ref") {
      if (!value.is_string()) throw schema_problem{"schema error: $ref must be text"};
      const std::string& ref = value.as_string();
      const json* target = resolve(root, ref);
      for (int steps = 0; target != nullptr && target->is_object(); ++steps) {
        const json* next = target->find("$ref");
        if (next == nullptr || !next->is_string()) break;
        if (steps > 64) throw schema_problem{"schema error: $ref loop at " + describe(value)};
        target = resolve(root, next->as_string());
      }
      if (target == nullptr) {
        throw schema_problem{"schema error: cannot resolve $ref " + describe(value)};
      }
      out[key] = "#" + std::string(ref_prefix) + ref.substr(1);
    } else {
      if (key == "pattern" && value.is_string()) check_regex(value.as_string(), "pattern");
      out[key] = to_nlohmann(value);
    }
  }
  const auto also = [&](nlohmann::json condition) {
    if (!out.contains("allOf")) out["allOf"] = nlohmann::json::array();
    out["allOf"].push_back(std::move(condition));
  };
  if (const json* format = schema.find("format");
      format != nullptr && format->is_string() && format->as_string() == "date") {
    if (out.contains("pattern")) {
      also({{"pattern", date_pattern}});
    } else {
      out["pattern"] = date_pattern;
    }
  }
  if (out.contains("$ref")) {
    const bool alone = std::all_of(out.items().begin(), out.items().end(), [](const auto& item) {
      return item.key() == "$ref" || item.key() == "$defs" || item.key() == "definitions";
    });
    if (!alone) {
      nlohmann::json ref = {{"$ref", out["$ref"]}};
      out.erase("$ref");
      also(std::move(ref));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Parsed schemas, shared by every validation

struct compiled {
  std::unique_ptr<valijson::Schema> schema;  // nullptr when the schema is faulty
  std::string problem;                       // then: why ("schema error: ...")
};

/// The part of `root` at `pointer` ("" for all of it; "/$defs/id"), parsed by valijson.
std::unique_ptr<const compiled> compile(const json& root, const std::string& pointer) {
  auto out = std::make_unique<compiled>();
  try {
    nlohmann::json document;
    if (pointer.empty()) {
      document = prepared(root, root, "");
    } else {
      // The part is checked through a $ref, so that the references inside it still resolve.
      document = {{"$ref", "#/whole" + pointer}, {"whole", prepared(root, root, "/whole")}};
    }
    auto schema = std::make_unique<valijson::Schema>();
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    const valijson::adapters::NlohmannJsonAdapter adapter(document);
    parser.populateSchema(adapter, *schema);
    out->schema = std::move(schema);
  } catch (const schema_problem& e) {
    out->problem = e.message;
  } catch (const std::exception& e) {
    out->problem = std::string("schema error: ") + e.what();
  }
  return out;
}

/// Parsing a schema costs more than checking a value against it, and the schemas are few and
/// fixed (the trial and instrument schemas are used on every load), so each is parsed once per
/// process, keyed by its text. A parsed valijson::Schema is only read while validating, so
/// threads share it; each thread has its own valijson::Validator (see thread_validator). Entries
/// are never removed and the cache is left to the process's end on purpose (no destructor racing a
/// thread still validating at exit). When it is full, a schema is parsed for the one validation.
std::shared_ptr<const compiled> shared_schema(const json& root, const std::string& root_text,
                                              const std::string& pointer) {
  struct cache {
    std::mutex mutex;
    std::map<std::string, std::shared_ptr<const compiled>, std::less<>> parsed;
  };
  static auto* const shared = new cache;  // NOLINT: intentionally never destroyed
  constexpr std::size_t max_schemas = 1024;
  std::string key = pointer + '\n' + root_text;
  {
    std::lock_guard lock(shared->mutex);
    if (const auto it = shared->parsed.find(key); it != shared->parsed.end()) return it->second;
  }
  std::shared_ptr<const compiled> made = compile(root, pointer);  // outside the lock
  std::lock_guard lock(shared->mutex);
  if (shared->parsed.size() >= max_schemas) return made;
  // Another thread may have parsed the same schema meanwhile: keep the first.
  return shared->parsed.emplace(std::move(key), std::move(made)).first->second;
}

/// valijson::Validator compiles each pattern on first use and keeps it; a validator per thread
/// keeps them across validations (a std::regex costs far more to compile than to match with; the
/// trial schema has 13 patterns and format date one more). It is renewed now and then, so the
/// patterns it keeps stay those in use.
valijson::Validator& thread_validator() {
  thread_local std::unique_ptr<valijson::Validator> validator;
  thread_local unsigned uses = 0;
  constexpr unsigned renew_after = 10000;
  if (validator == nullptr || ++uses > renew_after) {
    validator = std::make_unique<valijson::Validator>();
    uses = 0;
  }
  return *validator;
}

// ---------------------------------------------------------------------------------------------
// valijson's errors, mapped back to keywords

enum class keyword {
  wrapper,  // "Failed to validate item #1 in array." and the like: repeats a deeper error
  type,
  enumeration,
  constant,
  minimum,
  maximum,
  exclusive_minimum,
  exclusive_maximum,
  min_length,
  max_length,
  min_items,
  max_items,
  min_properties,
  max_properties,
  multiple_of,
  pattern,  // also format date (see date_pattern)
  required,
  additional_properties,
  unique_items,
  negation,  // not, and false
  any_of_none,
  one_of_none,
  one_of_many,
  other,
};

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

keyword keyword_of(std::string_view text) {
  // Longer prefixes before the shorter ones they begin with.
  static const std::pair<std::string_view, keyword> table[] = {
      {"Failed to validate against any schemas allowed by anyOf", keyword::any_of_none},
      {"Failed to validate against any child schemas allowed by oneOf", keyword::one_of_none},
      {"Failed to validate against exactly one child schema", keyword::one_of_many},
      {"Failed to validate", keyword::wrapper},
      {"Cannot validate item #", keyword::wrapper},
      {"Value type not permitted by 'type' constraint", keyword::type},
      {"Failed to match against any enum values", keyword::enumeration},
      {"Failed to match expected value set by 'const'", keyword::constant},
      {"Expected number greater than or equal to ", keyword::minimum},
      {"Expected number greater than ", keyword::exclusive_minimum},
      {"Expected number less than or equal to ", keyword::maximum},
      {"Expected number less than ", keyword::exclusive_maximum},
      {"String should be no fewer than ", keyword::min_length},
      {"String should be no more than ", keyword::max_length},
      {"Array should contain no fewer than ", keyword::min_items},
      {"Array should contain no more than ", keyword::max_items},
      {"Object should have no fewer than ", keyword::min_properties},
      {"Object should have no more than ", keyword::max_properties},
      {"Value should be a multiple of ", keyword::multiple_of},
      {"Failed to match regex specified by 'pattern'", keyword::pattern},
      {"Missing required property '", keyword::required},
      {"Object contains a property that could not be validated", keyword::additional_properties},
      {"Elements at indexes #", keyword::unique_items},
      {"Target should not validate against schema specified in 'not'", keyword::negation},
  };
  for (const auto& [prefix, k] : table) {
    if (starts_with(text, prefix)) return k;
  }
  return keyword::other;
}

// NAME from "Missing required property 'NAME'."
std::string quoted_name(const std::string& text) {
  const auto first = text.find('\'');
  const auto last = text.rfind('\'');
  return first < last && last != std::string::npos ? text.substr(first + 1, last - first - 1)
                                                   : text;
}

struct raw_error {
  json_path where;
  const json* value = nullptr;  // the instance's value at `where`
  std::string text;
  keyword kind = keyword::other;
};

bool has_prefix(const json_path& path, const json_path& prefix) {
  return path.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), path.begin());
}

json_path joined(json_path base, const json_path& rest) {
  base.insert(base.end(), rest.begin(), rest.end());
  return base;
}

// ---------------------------------------------------------------------------------------------
// One validation against one schema document

class session {
 public:
  explicit session(const json& root) : root_(root), root_text_(root.dump()) {}

  /// The violations of `value` against `node` (the root or a part of it), paths relative to
  /// `value`; `raw` receives the number of errors valijson reported.
  std::vector<violation> check(const json& value, const json& node, std::size_t* raw = nullptr) {
    const auto parsed = schema_for(node);
    if (parsed->schema == nullptr) return {{{}, parsed->problem}};
    std::vector<raw_error> errors;
    try {
      errors = run(*parsed->schema, value);
    } catch (const std::exception& e) {
      return {{{}, std::string("schema error: ") + e.what()}};
    }
    if (raw != nullptr) *raw = errors.size();

    std::vector<violation> out;
    std::vector<bool> consumed(errors.size(), false);
    // anyOf and oneOf pass up the errors of every alternative before their own: from the last
    // error back, so that an outer alternative takes the errors of the inner ones with it.
    for (std::size_t i = errors.size(); i-- > 0;) {
      const auto& e = errors[i];
      if (consumed[i] || (e.kind != keyword::any_of_none && e.kind != keyword::one_of_none)) {
        continue;
      }
      std::size_t passed_up = 0;
      out.push_back({e.where, alternatives_message(value, node, e, passed_up)});
      if (passed_up <= i &&
          std::all_of(errors.begin() + static_cast<std::ptrdiff_t>(i - passed_up),
                      errors.begin() + static_cast<std::ptrdiff_t>(i),
                      [&](const raw_error& r) { return has_prefix(r.where, e.where); })) {
        std::fill(consumed.begin() + static_cast<std::ptrdiff_t>(i - passed_up),
                  consumed.begin() + static_cast<std::ptrdiff_t>(i), true);
      }
      consumed[i] = true;
    }
    std::map<std::pair<std::string, keyword>, std::size_t> seen;
    std::set<std::string> unique_reported;
    std::set<std::string> members_reported;
    for (std::size_t i = 0; i < errors.size(); ++i) {
      if (consumed[i] || errors[i].kind == keyword::wrapper) continue;
      const auto& e = errors[i];
      const auto nth = seen[{render_path(e.where), e.kind}]++;
      if (e.kind == keyword::additional_properties) {
        if (members_reported.insert(render_path(e.where)).second) {
          unknown_members(value, node, e, out);
        }
      } else if (e.kind == keyword::unique_items) {
        repeated_entry(e, unique_reported, out);
      } else {
        out.push_back({e.where, message(value, node, e, nth)});
      }
    }
    if (root_text_.find("\"propertyNames\"") != std::string::npos) {
      json_path where;
      check_member_names(value, nodes_for(value, node), where, out);
    }
    return out;
  }

 private:
  std::shared_ptr<const compiled> schema_for(const json& node) {
    if (&node == &root_) return shared_schema(root_, root_text_, "");
    return shared_schema(root_, root_text_, pointer_of(node));
  }

  /// Where `node` is inside the root, as a JSON pointer.
  const std::string& pointer_of(const json& node) {
    if (pointers_.empty()) index_pointers(root_, "");
    return pointers_[&node];
  }

  void index_pointers(const json& at, const std::string& pointer) {
    pointers_.emplace(&at, pointer);
    if (at.is_object()) {
      for (const auto& [key, member] : at.as_object()) {
        index_pointers(member, pointer + '/' + pointer_token(key));
      }
    } else if (at.is_array()) {
      for (std::size_t i = 0; i < at.as_array().size(); ++i) {
        index_pointers(at.as_array()[i], pointer + '/' + std::to_string(i));
      }
    }
  }

  static std::vector<raw_error> run(const valijson::Schema& schema, const json& value) {
    const nlohmann::json document = to_nlohmann(value);
    valijson::Validator& validator = thread_validator();
    valijson::ValidationResults results;
    const valijson::adapters::NlohmannJsonAdapter target(document);
    validator.validate(schema, target, &results);
    std::vector<raw_error> out;
    for (const auto& e : results) {
      raw_error r;
      r.value = &value;
      // The context is "<root>" then "[name]" or "[index]": which one the value tells.
      for (std::size_t i = 1; i < e.context.size(); ++i) {
        const std::string& step = e.context[i];
        const std::string token = step.size() >= 2 ? step.substr(1, step.size() - 2) : step;
        const json* next = nullptr;
        if (r.value != nullptr && r.value->is_array() && is_digits(token)) {
          const auto index = static_cast<std::size_t>(std::stoull(token));
          r.where.push_back({true, index, {}});
          if (index < r.value->as_array().size()) next = &r.value->as_array()[index];
        } else {
          r.where.push_back({false, 0, token});
          if (r.value != nullptr) next = r.value->find(token);
        }
        r.value = next;
      }
      r.text = e.description;
      r.kind = keyword_of(e.description);
      if (r.value != nullptr) out.push_back(std::move(r));
    }
    return out;
  }

  bool holds(const json& value, const json& node) {
    const auto parsed = schema_for(node);
    if (parsed->schema == nullptr) return false;
    const nlohmann::json document = to_nlohmann(value);
    valijson::Validator& validator = thread_validator();
    const valijson::adapters::NlohmannJsonAdapter target(document);
    try {
      return validator.validate(*parsed->schema, target, nullptr);
    } catch (const std::exception&) {
      return false;
    }
  }

  // The schema nodes that apply to one value: the node, what its $ref, allOf and if/then/else
  // add (anyOf, oneOf and not are explained as a whole, see alternatives_message).
  void expand(const json& value, const json& node, std::vector<const json*>& out, int depth = 0) {
    if (depth > 64) return;  // $ref loops are refused when the schema is parsed
    out.push_back(&node);
    if (!node.is_object()) return;
    if (const json* ref = node.find("$ref"); ref != nullptr && ref->is_string()) {
      if (const json* target = resolve(root_, ref->as_string())) {
        expand(value, *target, out, depth + 1);
      }
    }
    if (const json* all = node.find("allOf"); all != nullptr && all->is_array()) {
      for (const auto& part : all->as_array()) expand(value, part, out, depth + 1);
    }
    if (const json* condition = node.find("if")) {
      const json* branch = holds(value, *condition) ? node.find("then") : node.find("else");
      if (branch != nullptr) expand(value, *branch, out, depth + 1);
    }
  }

  std::vector<const json*> nodes_for(const json& value, const json& node) {
    std::vector<const json*> out;
    expand(value, node, out);
    return out;
  }

  const std::regex& regex_for(const std::string& pattern) {
    auto it = regexes_.find(pattern);
    if (it == regexes_.end()) {
      it = regexes_.emplace(pattern, std::regex(pattern, std::regex::ECMAScript)).first;
    }
    return it->second;
  }

  // The nodes that apply to a member or item of `parent`, given the nodes of `parent`.
  std::vector<const json*> nodes_below(const std::vector<const json*>& parents, const segment& step,
                                       const json& child) {
    std::vector<const json*> out;
    for (const json* n : parents) {
      if (!n->is_object()) continue;
      if (step.is_index) {
        const json* items = n->find("items");
        if (items != nullptr && items->is_array()) {
          const auto& list = items->as_array();
          const json* additional = n->find("additionalItems");
          items = step.index < list.size() ? &list[step.index] : additional;
        }
        if (items != nullptr) expand(child, *items, out);
        continue;
      }
      bool described = false;
      if (const json* properties = n->find("properties"); properties != nullptr) {
        if (const json* s = properties->find(step.key)) {
          described = true;
          expand(child, *s, out);
        }
      }
      if (const json* patterns = n->find("patternProperties");
          patterns != nullptr && patterns->is_object()) {
        for (const auto& [pattern, s] : patterns->as_object()) {
          if (std::regex_search(step.key, regex_for(pattern))) {
            described = true;
            expand(child, s, out);
          }
        }
      }
      if (const json* additional = n->find("additionalProperties"); !described && additional) {
        expand(child, *additional, out);
      }
    }
    return out;
  }

  /// The schema nodes that apply at `where` below `value`, checked against `node`.
  std::vector<const json*> nodes_at(const json& value, const json& node, const json_path& where) {
    auto nodes = nodes_for(value, node);
    const json* at = &value;
    for (const auto& step : where) {
      const json* child = step.is_index ? &at->as_array()[step.index] : at->find(step.key);
      nodes = nodes_below(nodes, step, *child);
      at = child;
    }
    return nodes;
  }

  // The sentence for one error, from the value and the schema node whose keyword failed (the
  // nth such node when one place breaks the same keyword more than once).
  std::string message(const json& value, const json& node, const raw_error& e, std::size_t nth) {
    const json& v = *e.value;
    const std::string shown = describe(v);
    std::vector<std::string> found;
    const auto bound = [&](const json* n, const char* name) -> const json* {
      const json* b = n->is_object() ? n->find(name) : nullptr;
      return b != nullptr && b->is_number() ? b : nullptr;
    };
    const auto count_bound = [&](const json* n, const char* name) -> const json* {
      const json* b = n->is_object() ? n->find(name) : nullptr;
      return b != nullptr && b->is_integer() ? b : nullptr;
    };
    for (const json* n : nodes_at(value, node, e.where)) {
      switch (e.kind) {
        case keyword::type:
          if (auto m = type_message(v, *n)) found.push_back(*m);
          break;
        case keyword::enumeration:
          if (const json* options = n->is_object() ? n->find("enum") : nullptr;
              options != nullptr && options->is_array()) {
            const auto& list = options->as_array();
            if (std::find(list.begin(), list.end(), v) == list.end()) {
              found.push_back(shown + " is not one of " + join_quoted(list));
            }
          }
          break;
        case keyword::constant:
          if (const json* c = n->is_object() ? n->find("const") : nullptr; c && !(v == *c)) {
            found.push_back(shown + " is not the required value " + describe(*c));
          }
          break;
        case keyword::minimum:
          if (const json* b = bound(n, "minimum"); b && compare_numbers(v, *b) < 0) {
            found.push_back(shown + " is below the minimum " + b->dump());
          }
          break;
        case keyword::maximum:
          if (const json* b = bound(n, "maximum"); b && compare_numbers(v, *b) > 0) {
            found.push_back(shown + " is above the maximum " + b->dump());
          }
          break;
        case keyword::exclusive_minimum:
          if (const json* b = bound(n, "exclusiveMinimum"); b && compare_numbers(v, *b) <= 0) {
            found.push_back(shown + " is too small: it must be greater than " + b->dump());
          }
          break;
        case keyword::exclusive_maximum:
          if (const json* b = bound(n, "exclusiveMaximum"); b && compare_numbers(v, *b) >= 0) {
            found.push_back(shown + " is too large: it must be less than " + b->dump());
          }
          break;
        case keyword::multiple_of:
          if (const json* b = bound(n, "multipleOf")) {
            found.push_back(shown + " is not a multiple of " + b->dump());
          }
          break;
        case keyword::min_length:
          if (const json* b = count_bound(n, "minLength")) {
            const auto length = code_points(v.as_string());
            if (static_cast<std::int64_t>(length) < b->as_int()) {
              found.push_back(shown +
                              " is too short: " + plural(length, "character", "characters") +
                              ", at least " + b->dump() + " required");
            }
          }
          break;
        case keyword::max_length:
          if (const json* b = count_bound(n, "maxLength")) {
            const auto length = code_points(v.as_string());
            if (static_cast<std::int64_t>(length) > b->as_int()) {
              found.push_back(shown + " is too long: " + plural(length, "character", "characters") +
                              ", at most " + b->dump() + " allowed");
            }
          }
          break;
        case keyword::min_items:
          if (const json* b = count_bound(n, "minItems");
              b && static_cast<std::int64_t>(v.as_array().size()) < b->as_int()) {
            found.push_back("the list has " + plural(v.as_array().size(), "entry", "entries") +
                            ", but at least " +
                            bound_words(b->as_int(), "entry", "entries", "required"));
          }
          break;
        case keyword::max_items:
          if (const json* b = count_bound(n, "maxItems");
              b && static_cast<std::int64_t>(v.as_array().size()) > b->as_int()) {
            found.push_back("the list has " + plural(v.as_array().size(), "entry", "entries") +
                            ", but at most " +
                            bound_words(b->as_int(), "entry", "entries", "allowed"));
          }
          break;
        case keyword::min_properties:
          if (const json* b = count_bound(n, "minProperties");
              b && static_cast<std::int64_t>(v.as_object().size()) < b->as_int()) {
            found.push_back("the object has " + plural(v.as_object().size(), "member", "members") +
                            ", but at least " +
                            bound_words(b->as_int(), "member", "members", "required"));
          }
          break;
        case keyword::max_properties:
          if (const json* b = count_bound(n, "maxProperties");
              b && static_cast<std::int64_t>(v.as_object().size()) > b->as_int()) {
            found.push_back("the object has " + plural(v.as_object().size(), "member", "members") +
                            ", but at most " +
                            bound_words(b->as_int(), "member", "members", "allowed"));
          }
          break;
        case keyword::pattern:
          if (!n->is_object() || !v.is_string()) break;
          if (const json* p = n->find("pattern");
              p != nullptr && p->is_string() &&
              !std::regex_search(v.as_string(), regex_for(p->as_string()))) {
            found.push_back(shown + " does not have the required form " + p->as_string() +
                            hint(*n));
          }
          if (const json* f = n->find("format"); f != nullptr && f->is_string() &&
                                                 f->as_string() == "date" &&
                                                 !is_calendar_date(v.as_string())) {
            found.push_back(shown + " is not a real calendar date written YYYY-MM-DD");
          }
          break;
        case keyword::required:
          return "required member " + describe(json(quoted_name(e.text))) + " is missing";
        case keyword::negation:
          if (n->is_bool() && !n->as_bool()) {
            found.push_back(shown + " is not allowed here");
          } else if (const json* excluded = n->is_object() ? n->find("not") : nullptr;
                     excluded != nullptr && holds(v, *excluded)) {
            std::string m = shown + " is not allowed here";
            if (const json* title = excluded->is_object() ? excluded->find("title") : nullptr;
                title != nullptr && title->is_string()) {
              m += " (" + title->as_string() + ")";
            }
            found.push_back(std::move(m));
          }
          break;
        case keyword::one_of_many:
          if (const json* one = n->is_object() ? n->find("oneOf") : nullptr;
              one != nullptr && one->is_array()) {
            std::vector<std::size_t> fitting;
            for (std::size_t i = 0; i < one->as_array().size(); ++i) {
              if (holds(v, one->as_array()[i])) fitting.push_back(i + 1);
            }
            if (fitting.size() > 1) {
              found.push_back(shown + " fits more than one of the allowed forms (forms " +
                              std::to_string(fitting[0]) + " and " + std::to_string(fitting[1]) +
                              "), but must fit exactly one");
            }
          }
          break;
        default:
          break;
      }
    }
    if (found.empty()) return e.text;  // not expected: valijson's own words rather than none
    return found[std::min(nth, found.size() - 1)];
  }

  static std::optional<std::string> type_message(const json& value, const json& node) {
    const json* type = node.is_object() ? node.find("type") : nullptr;
    if (type == nullptr) return std::nullopt;
    std::vector<std::string> allowed;
    if (type->is_string()) {
      allowed.push_back(type->as_string());
    } else if (type->is_array()) {
      for (const auto& t : type->as_array()) {
        if (t.is_string()) allowed.push_back(t.as_string());
      }
    }
    if (std::any_of(allowed.begin(), allowed.end(),
                    [&](const std::string& t) { return has_type(value, t); })) {
      return std::nullopt;
    }
    std::string wanted;
    for (std::size_t i = 0; i < allowed.size(); ++i) {
      if (i > 0) wanted += i + 1 == allowed.size() ? " or " : ", ";
      wanted += type_words(allowed[i]);
    }
    if (value.is_null()) return "the value is empty (null), but " + wanted + " is required";
    return describe(value) + " is " + kind_of(value) + ", but " + wanted + " is required";
  }

  // A pattern means little to most readers: the schema's own description, when it has one,
  // says the same in words (" (A 24-hour local time written HH:MM)").
  static std::string hint(const json& schema) {
    const json* description = schema.find("description");
    if (description == nullptr || !description->is_string() || description->as_string().empty()) {
      return {};
    }
    std::string words = description->as_string();
    if (words.back() == '.') words.pop_back();
    return " (" + words + ")";
  }

  // valijson names the first unknown member only: name each, at its own path.
  void unknown_members(const json& value, const json& node, const raw_error& e,
                       std::vector<violation>& out) {
    if (!e.value->is_object()) return;
    for (const json* n : nodes_at(value, node, e.where)) {
      const json* additional = n->is_object() ? n->find("additionalProperties") : nullptr;
      if (additional == nullptr || !additional->is_bool() || additional->as_bool()) continue;
      const json* properties = n->find("properties");
      const json* patterns = n->find("patternProperties");
      for (const auto& [key, member] : e.value->as_object()) {
        bool described = properties != nullptr && properties->find(key) != nullptr;
        if (!described && patterns != nullptr && patterns->is_object()) {
          for (const auto& [pattern, s] : patterns->as_object()) {
            described = described || std::regex_search(key, regex_for(pattern));
          }
        }
        if (!described) {
          out.push_back({joined(e.where, {{false, 0, key}}),
                         "member not allowed here (" + allowed_members(properties) + ")"});
        }
      }
    }
  }

  static std::string allowed_members(const json* properties) {
    if (properties == nullptr || !properties->is_object() || properties->as_object().empty()) {
      return "no members are allowed";
    }
    std::string list;
    for (const auto& [name, sub] : properties->as_object()) {
      if (!list.empty()) list += ", ";
      list += name;
    }
    return "allowed: " + list;
  }

  // "Elements at indexes #0 and #2 violate uniqueness constraint.": reported at the later
  // entry, once, naming the first one.
  static void repeated_entry(const raw_error& e, std::set<std::string>& reported,
                             std::vector<violation>& out) {
    const auto first_at = e.text.find('#');
    const auto second_at = e.text.find('#', first_at + 1);
    if (first_at == std::string::npos || second_at == std::string::npos) return;
    const auto first = std::stoull(e.text.substr(first_at + 1));
    const auto second = static_cast<std::size_t>(std::stoull(e.text.substr(second_at + 1)));
    if (!e.value->is_array() || second >= e.value->as_array().size()) return;
    const auto where = joined(e.where, {{true, second, {}}});
    if (!reported.insert(render_path(where)).second) return;
    out.push_back({where, describe(e.value->as_array()[second]) +
                              " appears more than once (also at [" + std::to_string(first) +
                              "]); entries must be unique"});
  }

  // "form 2 (Prorated scoring): $.x: ..." — the first reason an alternative did not fit.
  static std::string why_not(std::size_t number, const json& alternative, const json_path& where,
                             const std::vector<violation>& found) {
    std::string out = "form " + std::to_string(number);
    if (const json* title = alternative.is_object() ? alternative.find("title") : nullptr;
        title != nullptr && title->is_string()) {
      out += " (" + title->as_string() + ")";
    }
    if (!found.empty()) {
      out += ": " + render_path(joined(where, found.front().where)) + ": " + found.front().message;
    }
    return out;
  }

  // anyOf or oneOf fitted by no alternative: each alternative is checked on its own for its
  // reason; `passed_up` receives how many errors valijson reported for them all.
  std::string alternatives_message(const json& value, const json& node, const raw_error& e,
                                   std::size_t& passed_up) {
    const char* name = e.kind == keyword::any_of_none ? "anyOf" : "oneOf";
    for (const json* n : nodes_at(value, node, e.where)) {
      const json* list = n->is_object() ? n->find(name) : nullptr;
      if (list == nullptr || !list->is_array()) continue;
      std::string reasons;
      std::size_t total = 0;
      bool fitted = false;
      for (std::size_t i = 0; i < list->as_array().size(); ++i) {
        std::size_t raw = 0;
        const auto found = check(*e.value, list->as_array()[i], &raw);
        if (found.empty()) {
          fitted = true;
          break;
        }
        total += raw + 1;  // its errors and "Failed to validate against child schema #N."
        if (!reasons.empty()) reasons += "; ";
        reasons += why_not(i + 1, list->as_array()[i], e.where, found);
      }
      if (fitted) continue;
      passed_up = total;
      return describe(*e.value) + " does not fit any of the allowed forms (" + reasons + ")";
    }
    return e.text;
  }

  // valijson 1.0 reports no error for a member name that propertyNames refuses: check them.
  void check_member_names(const json& value, const std::vector<const json*>& nodes,
                          json_path& where, std::vector<violation>& out) {
    if (value.is_object()) {
      for (const json* n : nodes) {
        const json* names = n->is_object() ? n->find("propertyNames") : nullptr;
        if (names == nullptr) continue;
        for (const auto& [key, member] : value.as_object()) {
          for (auto& v : check(json(key), *names)) {
            out.push_back(
                {joined(where, {{false, 0, key}}),
                 "the member name " + describe(json(key)) + " is not allowed: " + v.message});
          }
        }
      }
      for (const auto& [key, member] : value.as_object()) {
        where.push_back({false, 0, key});
        check_member_names(member, nodes_below(nodes, where.back(), member), where, out);
        where.pop_back();
      }
    } else if (value.is_array()) {
      for (std::size_t i = 0; i < value.as_array().size(); ++i) {
        where.push_back({true, i, {}});
        const json& item = value.as_array()[i];
        check_member_names(item, nodes_below(nodes, where.back(), item), where, out);
        where.pop_back();
      }
    }
  }

  const json& root_;
  std::string root_text_;
  std::unordered_map<const json*, std::string> pointers_;
  std::map<std::string, std::regex, std::less<>> regexes_;
};

// std::regex matches by recursion, about one stack frame per character: 30,000 characters
// against ^[a-z][a-z0-9_]*$ overflow an 8 MB stack at -O2 (15,000 in the sanitizer build, where
// this file is compiled at -O0). No text of a trial or instrument definition comes near this
// bound (the schemas allow 4,000 characters of description; the longest shipped text has 471
// bytes); longer text (and member names, which patternProperties and propertyNames match) is
// refused before any pattern runs.
constexpr std::size_t max_text_bytes = 10000;

void find_overlong_text(const json& value, json_path& where, std::vector<violation>& out) {
  const auto refuse = [&](std::size_t bytes, std::string_view what) {
    out.push_back({where, std::string(what) +
                              " is too long to be checked: " + std::to_string(bytes) +
                              " bytes, at most " + std::to_string(max_text_bytes) + " allowed"});
  };
  if (value.is_string()) {
    if (value.as_string().size() > max_text_bytes) refuse(value.as_string().size(), "the text");
  } else if (value.is_array()) {
    const auto& items = value.as_array();
    for (std::size_t i = 0; i < items.size(); ++i) {
      where.push_back({true, i, {}});
      find_overlong_text(items[i], where, out);
      where.pop_back();
    }
  } else if (value.is_object()) {
    for (const auto& [key, member] : value.as_object()) {
      if (key.size() > max_text_bytes) {
        refuse(key.size(), "the member name");
        continue;  // its path would repeat the whole name
      }
      where.push_back({false, 0, key});
      find_overlong_text(member, where, out);
      where.pop_back();
    }
  }
}

}  // namespace

std::vector<schema_violation> validate_json(const json& instance, const json& schema) {
  std::vector<violation> found;
  json_path where;
  find_overlong_text(instance, where, found);
  if (found.empty()) found = session(schema).check(instance, schema);
  // Errors come in valijson's order of keywords: sort to give the document's order; a stable
  // sort keeps the several messages about one value in the order they were found.
  std::stable_sort(found.begin(), found.end(),
                   [](const violation& a, const violation& b) { return a.where < b.where; });
  std::vector<schema_violation> result;
  result.reserve(found.size());
  for (auto& f : found) {
    std::string path = render_path(f.where);
    // allOf branches and $ref siblings may say the same thing twice.
    if (!result.empty() && result.back().path == path && result.back().message == f.message) {
      continue;
    }
    result.push_back({std::move(path), std::move(f.message)});
  }
  return result;
}

std::string format_violations(const std::vector<schema_violation>& violations) {
  std::string out;
  for (const auto& v : violations) {
    if (!out.empty()) out += "; ";
    out += v.path + ": " + v.message;
  }
  return out;
}

}  // namespace balint::core
