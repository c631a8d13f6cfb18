#include "balint/core/json_schema.hpp"

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

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

std::string join_quoted(const json::array& values) {
  std::string out;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ", ";
    out += describe(values[i]);
  }
  return out;
}

/// The pattern compiled (ECMAScript), or nullptr when it is not a valid regex.
std::unique_ptr<const std::regex> compile(const std::string& pattern) {
  try {
    return std::make_unique<const std::regex>(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error&) {
    return nullptr;
  }
}

/// Patterns compiled once per process and shared by every validation: compiling a std::regex
/// costs far more than matching with it, and the schemas (hence the patterns) are few and fixed.
/// Matching with one const std::regex from several threads at once is safe. Entries are never
/// removed, so the pointers stay valid; the cache is left to the process's end on purpose (no
/// destructor racing a thread still validating at exit). The outer optional is empty when the
/// cache is full (the caller compiles for itself); the inner pointer is nullptr for a pattern
/// that does not compile.
std::optional<const std::regex*> shared_regex(const std::string& pattern) {
  struct cache {
    std::mutex mutex;
    std::map<std::string, std::unique_ptr<const std::regex>, std::less<>> compiled;
  };
  static auto* const shared = new cache;  // NOLINT: intentionally never destroyed
  constexpr std::size_t max_patterns = 1024;
  {
    std::lock_guard lock(shared->mutex);
    if (const auto it = shared->compiled.find(pattern); it != shared->compiled.end()) {
      return it->second.get();
    }
    if (shared->compiled.size() >= max_patterns) return std::nullopt;
  }
  auto re = compile(pattern);  // outside the lock: other patterns need not wait for this one
  std::lock_guard lock(shared->mutex);
  // Another thread may have compiled the same pattern meanwhile: keep the first.
  return shared->compiled.emplace(pattern, std::move(re)).first->second.get();
}

class validator {
 public:
  explicit validator(const json& root) : root_(root) {}

  void validate(const json& value, const json& schema, std::vector<violation>& out) {
    if (schema.is_bool()) {
      if (!schema.as_bool()) add(out, describe(value) + " is not allowed here");
      return;
    }
    if (!schema.is_object()) {
      add(out, "schema error: a schema must be an object or true/false");
      return;
    }
    if (++depth_ > max_depth) {
      add(out, "schema error: schema nesting too deep (a $ref loop?)");
      --depth_;
      return;
    }
    if (const json* ref = schema.find("$ref")) check_ref(value, *ref, out);
    if (check_type(value, schema, out)) {
      check_enum_const(value, schema, out);
      if (value.is_number()) check_number(value, schema, out);
      if (value.is_string()) check_string(value, schema, out);
      if (value.is_array()) check_array(value, schema, out);
      if (value.is_object()) check_object(value, schema, out);
    }
    check_combinators(value, schema, out);
    --depth_;
  }

  json_path path;

 private:
  static constexpr int max_depth = 200;

  void add(std::vector<violation>& out, std::string message) const {
    out.push_back({path, std::move(message)});
  }

  bool matches(const json& value, const json& schema, std::vector<violation>* details = nullptr) {
    std::vector<violation> found;
    validate(value, schema, found);
    if (details != nullptr) *details = std::move(found);
    return details != nullptr ? details->empty() : found.empty();
  }

  const json* resolve(std::string_view ref) const {
    if (ref.empty() || ref.front() != '#') return nullptr;
    ref.remove_prefix(1);
    const json* node = &root_;
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

  void check_ref(const json& value, const json& ref, std::vector<violation>& out) {
    const json* target = ref.is_string() ? resolve(ref.as_string()) : nullptr;
    if (target == nullptr) {
      add(out, "schema error: cannot resolve $ref " + describe(ref));
      return;
    }
    validate(value, *target, out);
  }

  bool check_type(const json& value, const json& schema, std::vector<violation>& out) {
    const json* type = schema.find("type");
    if (type == nullptr) return true;
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
      return true;
    }
    std::string wanted;
    for (std::size_t i = 0; i < allowed.size(); ++i) {
      if (i > 0) wanted += i + 1 == allowed.size() ? " or " : ", ";
      wanted += type_words(allowed[i]);
    }
    if (value.is_null()) {
      add(out, "the value is empty (null), but " + wanted + " is required");
    } else {
      add(out, describe(value) + " is " + kind_of(value) + ", but " + wanted + " is required");
    }
    return false;
  }

  void check_enum_const(const json& value, const json& schema, std::vector<violation>& out) {
    if (const json* options = schema.find("enum"); options != nullptr && options->is_array()) {
      const auto& list = options->as_array();
      if (std::find(list.begin(), list.end(), value) == list.end()) {
        add(out, describe(value) + " is not one of " + join_quoted(list));
      }
    }
    if (const json* expected = schema.find("const"); expected != nullptr && !(value == *expected)) {
      add(out, describe(value) + " is not the required value " + describe(*expected));
    }
  }

  void check_number(const json& value, const json& schema, std::vector<violation>& out) {
    const std::string shown = describe(value);
    if (const json* b = schema.find("minimum"); b != nullptr && b->is_number()) {
      if (compare_numbers(value, *b) < 0) add(out, shown + " is below the minimum " + b->dump());
    }
    if (const json* b = schema.find("maximum"); b != nullptr && b->is_number()) {
      if (compare_numbers(value, *b) > 0) add(out, shown + " is above the maximum " + b->dump());
    }
    if (const json* b = schema.find("exclusiveMinimum"); b != nullptr && b->is_number()) {
      if (compare_numbers(value, *b) <= 0) {
        add(out, shown + " is too small: it must be greater than " + b->dump());
      }
    }
    if (const json* b = schema.find("exclusiveMaximum"); b != nullptr && b->is_number()) {
      if (compare_numbers(value, *b) >= 0) {
        add(out, shown + " is too large: it must be less than " + b->dump());
      }
    }
  }

  void check_string(const json& value, const json& schema, std::vector<violation>& out) {
    const std::string& text = value.as_string();
    const std::string shown = describe(value);
    const std::size_t length = code_points(text);
    if (const json* b = schema.find("minLength"); b != nullptr && b->is_integer()) {
      const auto bound = static_cast<std::size_t>(std::max<std::int64_t>(0, b->as_int()));
      if (length < bound) {
        add(out, shown + " is too short: " + plural(length, "character", "characters") +
                     ", at least " + std::to_string(bound) + " required");
      }
    }
    if (const json* b = schema.find("maxLength"); b != nullptr && b->is_integer()) {
      const auto bound = static_cast<std::size_t>(std::max<std::int64_t>(0, b->as_int()));
      if (length > bound) {
        add(out, shown + " is too long: " + plural(length, "character", "characters") +
                     ", at most " + std::to_string(bound) + " allowed");
      }
    }
    if (const json* p = schema.find("pattern"); p != nullptr && p->is_string()) {
      const std::regex* re = regex_for(p->as_string());
      if (re == nullptr) {
        add(out, "schema error: invalid pattern " + describe(*p));
      } else if (!std::regex_search(text, *re)) {
        add(out, shown + " does not have the required form " + p->as_string() + hint(schema));
      }
    }
    if (const json* f = schema.find("format"); f != nullptr && f->is_string()) {
      if (f->as_string() == "date" && !is_calendar_date(text)) {
        add(out, shown + " is not a real calendar date written YYYY-MM-DD");
      }
    }
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

  void check_array(const json& value, const json& schema, std::vector<violation>& out) {
    const auto& items = value.as_array();
    if (const json* b = schema.find("minItems"); b != nullptr && b->is_integer()) {
      if (static_cast<std::int64_t>(items.size()) < b->as_int()) {
        add(out, "the list has " + plural(items.size(), "entry", "entries") + ", but at least " +
                     bound_words(b->as_int(), "entry", "entries", "required"));
      }
    }
    if (const json* b = schema.find("maxItems"); b != nullptr && b->is_integer()) {
      if (static_cast<std::int64_t>(items.size()) > b->as_int()) {
        add(out, "the list has " + plural(items.size(), "entry", "entries") + ", but at most " +
                     bound_words(b->as_int(), "entry", "entries", "allowed"));
      }
    }
    const json* unique = schema.find("uniqueItems");
    const bool must_be_unique = unique != nullptr && unique->is_bool() && unique->as_bool();
    const json* item_schema = schema.find("items");
    for (std::size_t i = 0; i < items.size(); ++i) {
      path.push_back({true, i, {}});
      if (must_be_unique) {
        const auto first =
            std::find(items.begin(), items.begin() + static_cast<std::ptrdiff_t>(i), items[i]);
        if (first != items.begin() + static_cast<std::ptrdiff_t>(i)) {
          add(out, describe(items[i]) + " appears more than once (also at [" +
                       std::to_string(first - items.begin()) + "]); entries must be unique");
        }
      }
      if (item_schema != nullptr) validate(items[i], *item_schema, out);
      path.pop_back();
    }
  }

  void check_object(const json& value, const json& schema, std::vector<violation>& out) {
    const auto& members = value.as_object();
    if (const json* required = schema.find("required"); required != nullptr) {
      if (required->is_array()) {
        for (const auto& name : required->as_array()) {
          if (name.is_string() && value.find(name.as_string()) == nullptr) {
            add(out, "required member " + describe(name) + " is missing");
          }
        }
      }
    }
    if (const json* b = schema.find("minProperties"); b != nullptr && b->is_integer()) {
      if (static_cast<std::int64_t>(members.size()) < b->as_int()) {
        add(out, "the object has " + plural(members.size(), "member", "members") +
                     ", but at least " + bound_words(b->as_int(), "member", "members", "required"));
      }
    }
    if (const json* b = schema.find("maxProperties"); b != nullptr && b->is_integer()) {
      if (static_cast<std::int64_t>(members.size()) > b->as_int()) {
        add(out, "the object has " + plural(members.size(), "member", "members") +
                     ", but at most " + bound_words(b->as_int(), "member", "members", "allowed"));
      }
    }
    const json* properties = schema.find("properties");
    const json* patterns = schema.find("patternProperties");
    const json* additional = schema.find("additionalProperties");
    const json* names = schema.find("propertyNames");
    for (const auto& [key, member] : members) {
      path.push_back({false, 0, key});
      if (names != nullptr) check_member_name(key, *names, out);
      bool described = false;
      if (properties != nullptr) {
        if (const json* sub = properties->find(key)) {
          described = true;
          validate(member, *sub, out);
        }
      }
      if (patterns != nullptr && patterns->is_object()) {
        for (const auto& [pattern, sub] : patterns->as_object()) {
          const std::regex* re = regex_for(pattern);
          if (re == nullptr) {
            add(out, "schema error: invalid member-name pattern " + describe(json(pattern)));
          } else if (std::regex_search(key, *re)) {
            described = true;
            validate(member, sub, out);
          }
        }
      }
      if (!described && additional != nullptr) {
        if (additional->is_bool() && !additional->as_bool()) {
          add(out, "member not allowed here (" + allowed_members(properties) + ")");
        } else {
          validate(member, *additional, out);
        }
      }
      path.pop_back();
    }
  }

  void check_member_name(const std::string& key, const json& names, std::vector<violation>& out) {
    std::vector<violation> found;
    validate(json(key), names, found);
    for (auto& v : found) {
      v.message = "the member name " + describe(json(key)) + " is not allowed: " + v.message;
      out.push_back(std::move(v));
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

  // "form 2 (Prorated scoring): $.x: ..." — the first reason an alternative did not fit.
  static std::string why_not(std::size_t number, const json& alternative,
                             const std::vector<violation>& found) {
    std::string out = "form " + std::to_string(number);
    if (const json* title = alternative.is_object() ? alternative.find("title") : nullptr;
        title != nullptr && title->is_string()) {
      out += " (" + title->as_string() + ")";
    }
    if (!found.empty())
      out += ": " + render_path(found.front().where) + ": " + found.front().message;
    return out;
  }

  void check_combinators(const json& value, const json& schema, std::vector<violation>& out) {
    if (const json* all = schema.find("allOf"); all != nullptr && all->is_array()) {
      for (const auto& sub : all->as_array()) validate(value, sub, out);
    }
    if (const json* any = schema.find("anyOf"); any != nullptr && any->is_array()) {
      std::string reasons;
      bool fitted = false;
      for (std::size_t i = 0; i < any->as_array().size() && !fitted; ++i) {
        std::vector<violation> found;
        fitted = matches(value, any->as_array()[i], &found);
        if (!reasons.empty()) reasons += "; ";
        reasons += why_not(i + 1, any->as_array()[i], found);
      }
      if (!fitted) {
        add(out, describe(value) + " does not fit any of the allowed forms (" + reasons + ")");
      }
    }
    if (const json* one = schema.find("oneOf"); one != nullptr && one->is_array()) {
      std::string reasons;
      std::vector<std::size_t> fitting;
      for (std::size_t i = 0; i < one->as_array().size(); ++i) {
        std::vector<violation> found;
        if (matches(value, one->as_array()[i], &found)) {
          fitting.push_back(i + 1);
        } else {
          if (!reasons.empty()) reasons += "; ";
          reasons += why_not(i + 1, one->as_array()[i], found);
        }
      }
      if (fitting.empty()) {
        add(out, describe(value) + " does not fit any of the allowed forms (" + reasons + ")");
      } else if (fitting.size() > 1) {
        add(out, describe(value) + " fits more than one of the allowed forms (forms " +
                     std::to_string(fitting[0]) + " and " + std::to_string(fitting[1]) +
                     "), but must fit exactly one");
      }
    }
    if (const json* excluded = schema.find("not"); excluded != nullptr) {
      if (matches(value, *excluded)) {
        std::string message = describe(value) + " is not allowed here";
        if (const json* title = excluded->is_object() ? excluded->find("title") : nullptr;
            title != nullptr && title->is_string()) {
          message += " (" + title->as_string() + ")";
        }
        add(out, message);
      }
    }
    if (const json* condition = schema.find("if"); condition != nullptr) {
      const json* branch = matches(value, *condition) ? schema.find("then") : schema.find("else");
      if (branch != nullptr) validate(value, *branch, out);
    }
  }

  const std::regex* regex_for(const std::string& pattern) {
    if (const auto found = shared_regex(pattern)) return *found;
    // The shared cache is full: compile for this validation only.
    if (const auto it = regexes_.find(pattern); it != regexes_.end()) return it->second.get();
    return regexes_.emplace(pattern, compile(pattern)).first->second.get();
  }

  const json& root_;
  std::map<std::string, std::unique_ptr<const std::regex>, std::less<>> regexes_;
  int depth_ = 0;
};

// std::regex matches by recursion, about one stack frame per character: a 60,000-character
// string against ^[a-z][a-z0-9_]*$ overflows an 8 MB stack (more so under AddressSanitizer).
// No text of a trial or instrument definition comes near this bound; longer text (and member
// names, which patternProperties and propertyNames match) is refused before any pattern runs.
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
  {
    std::vector<violation> overlong;
    json_path where;
    find_overlong_text(instance, where, overlong);
    if (!overlong.empty()) {
      std::vector<schema_violation> result;
      for (auto& v : overlong) result.push_back({render_path(v.where), std::move(v.message)});
      return result;
    }
  }
  validator v(schema);
  std::vector<violation> found;
  v.validate(instance, schema, found);
  // Keywords are checked one after another, so sort to give the document's order; a stable sort
  // keeps the several messages about one value in keyword order.
  std::stable_sort(found.begin(), found.end(),
                   [](const violation& a, const violation& b) { return a.where < b.where; });
  std::vector<schema_violation> result;
  result.reserve(found.size());
  for (auto& f : found) {
    std::string where = render_path(f.where);
    // allOf branches and $ref siblings may say the same thing twice.
    if (!result.empty() && result.back().path == where && result.back().message == f.message) {
      continue;
    }
    result.push_back({std::move(where), std::move(f.message)});
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
