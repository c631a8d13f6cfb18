#pragma once

#include "balint/core/result.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace balint::core {

/// A JSON value. Objects keep their keys sorted, so `dump()` is canonical: the same value
/// always gives the same bytes (the audit chain and the allocation commitment hash it).
/// Integers without fraction or exponent are kept exactly as 64-bit integers.
class json {
 public:
  using array = std::vector<json>;
  using object = std::map<std::string, json, std::less<>>;
  enum class kind { null, boolean, integer, number, string, array, object };

  json() = default;
  json(std::nullptr_t) {}                                      // NOLINT
  json(bool b) : v_(b) {}                                      // NOLINT
  json(int i) : v_(static_cast<std::int64_t>(i)) {}            // NOLINT
  json(long i) : v_(static_cast<std::int64_t>(i)) {}           // NOLINT
  json(long long i) : v_(static_cast<std::int64_t>(i)) {}      // NOLINT
  json(unsigned i) : v_(static_cast<std::int64_t>(i)) {}       // NOLINT
  json(unsigned long i) : v_(static_cast<std::int64_t>(i)) {}  // NOLINT
  json(double d) : v_(d) {}                                    // NOLINT
  json(std::string s) : v_(std::move(s)) {}                    // NOLINT
  json(std::string_view s) : v_(std::string(s)) {}             // NOLINT
  json(const char* s) : v_(std::string(s)) {}                  // NOLINT
  json(array a) : v_(std::move(a)) {}                          // NOLINT
  json(object o) : v_(std::move(o)) {}                         // NOLINT

  kind type() const noexcept { return static_cast<kind>(v_.index()); }
  bool is_null() const noexcept { return type() == kind::null; }
  bool is_bool() const noexcept { return type() == kind::boolean; }
  /// True for integers and other numbers alike.
  bool is_number() const noexcept { return type() == kind::integer || type() == kind::number; }
  /// True for an exact integer, or a number with no fractional part.
  bool is_integer() const noexcept;
  bool is_string() const noexcept { return type() == kind::string; }
  bool is_array() const noexcept { return type() == kind::array; }
  bool is_object() const noexcept { return type() == kind::object; }

  bool as_bool() const { return std::get<bool>(v_); }
  std::int64_t as_int() const;
  double as_double() const;
  const std::string& as_string() const { return std::get<std::string>(v_); }
  const array& as_array() const { return std::get<array>(v_); }
  array& as_array() { return std::get<array>(v_); }
  const object& as_object() const { return std::get<object>(v_); }
  object& as_object() { return std::get<object>(v_); }

  /// The member `key` of an object, or nullptr when absent or when this is not an object.
  const json* find(std::string_view key) const;
  /// Member access that turns a null value into an object first (for building values).
  json& operator[](std::string_view key);
  /// Appends to an array, turning a null value into an array first.
  void push_back(json value);

  /// Compact canonical text: sorted keys, no spaces, shortest round-trip numbers,
  /// NaN and infinities written as null.
  std::string dump() const;
  /// Indented text for people (same key order).
  std::string dump_pretty(int indent = 2) const;

  friend bool operator==(const json& a, const json& b);

 private:
  void write(std::string& out, int indent, int depth) const;
  std::variant<std::nullptr_t, bool, std::int64_t, double, std::string, array, object> v_{nullptr};
};

/// Parses JSON text (RFC 8259). On failure the error's field is "json" and its message gives
/// the line and column ("line 3, column 14: expected ',' or '}'").
result<json> parse_json(std::string_view text);

/// Appends `s` to `out` as a JSON string literal with quotes and escapes.
void append_json_string(std::string& out, std::string_view s);

}  // namespace balint::core
