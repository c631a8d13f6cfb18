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

/// All violations of `instance` against `schema`, in document order; empty means valid.
///
/// valijson (libvalijson-dev 1.0, its draft 7 parser with strict types) decides; the sentences
/// are ours. Checked: type (a name or a list; "integer" accepts integral numbers such as 3.0),
/// properties, patternProperties, additionalProperties (bool or schema), propertyNames, required,
/// minProperties, maxProperties, items (one schema for every entry), minItems,
/// maxItems, uniqueItems, enum, const, minimum, maximum, exclusiveMinimum, exclusiveMaximum
/// (numbers, as in 2020-12), multipleOf, minLength, maxLength (UTF-8 code points), pattern
/// (std::regex ECMAScript, search semantics), format "date" (a real YYYY-MM-DD calendar date,
/// leap years included; other formats are annotations only), $ref to a local JSON pointer
/// ("#/$defs/NAME", "#/definitions/NAME"; sibling keywords apply too, as in 2020-12), allOf,
/// anyOf, oneOf, not, if/then/else, and the boolean schemas true and false. contains and
/// dependencies are checked with valijson's own English sentence. Annotations (title,
/// description, $schema, $id, ...) and keywords new in 2019-09/2020-12 (prefixItems,
/// unevaluatedProperties, dependentRequired, $anchor, ...) are ignored. A faulty schema (a bad
/// regex anywhere in it, a $ref that does not resolve locally or loops) is reported as one
/// violation whose message starts with "schema error". Text (string values and member names)
/// longer than 10,000 bytes is refused before anything else is checked: std::regex matches by
/// recursion and would exhaust the stack on it. Safe to call from several threads at once.
std::vector<schema_violation> validate_json(const json& instance, const json& schema);

/// The violations as one line: "PATH: MESSAGE" for each, joined by "; ".
std::string format_violations(const std::vector<schema_violation>& violations);

}  // namespace balint::core
