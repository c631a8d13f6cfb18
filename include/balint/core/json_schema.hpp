#pragma once

#include "balint/core/json.hpp"

#include <string>
#include <vector>

namespace balint::core {

/// One way a JSON document breaks a schema: where (a path such as "$.arms[1].ratio", "$" for
/// the whole document) and a plain-English sentence naming the value and what is allowed
/// ("0 is below the minimum 1").
struct schema_violation {
  std::string path;
  std::string message;

  friend bool operator==(const schema_violation&, const schema_violation&) = default;
};

/// All violations of `instance` against `schema` (JSON Schema draft 2020-12 subset), in document
/// order; empty means valid.
///
/// Supported keywords: type (a name or a list; "integer" accepts integral numbers), properties,
/// patternProperties, additionalProperties (bool or schema), propertyNames, required,
/// minProperties, maxProperties, items, minItems, maxItems, uniqueItems, enum, const, minimum,
/// maximum, exclusiveMinimum, exclusiveMaximum, minLength, maxLength (UTF-8 code points),
/// pattern (std::regex ECMAScript, search semantics), format "date" (a real YYYY-MM-DD calendar
/// date; other formats are annotations only), $ref to a local JSON pointer ("#/$defs/NAME"),
/// allOf, anyOf, oneOf, not, if/then/else, and the boolean schemas true and false. Other
/// keywords (title, description, $schema, $id, ...) are ignored. A faulty schema (a bad regex,
/// an unresolvable $ref) is reported as a violation whose message starts with "schema error".
/// Text (string values and member names) longer than 10,000 bytes is refused before anything
/// else is checked: std::regex matches by recursion and would exhaust the stack on it.
std::vector<schema_violation> validate_json(const json& instance, const json& schema);

/// The violations as one line: "PATH: MESSAGE" for each, joined by "; ".
std::string format_violations(const std::vector<schema_violation>& violations);

}  // namespace balint::core
