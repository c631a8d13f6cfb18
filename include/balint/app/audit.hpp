#pragma once

#include "balint/app/access.hpp"
#include "balint/core/json.hpp"
#include "balint/storage/database.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace balint::app {

/// The hash that precedes the first entry of a chain.
inline const std::string genesis_hash(64, '0');

/// The canonical text an entry's hash covers: JSON with sorted keys of seq, at, actor, action,
/// entity, before, after and reason (docs/audit.md shows an example).
std::string canonical_audit_entry(const storage::audit_record& entry);

/// SHA-256 (hex) of the previous hash followed by the canonical entry.
std::string audit_hash(const std::string& prev_hash, const storage::audit_record& entry);

/// Appends one entry to the audit trail, chained to the last one. Call inside the use case's
/// transaction, after its writes.
void append_audit(storage::database& db, const request& req, std::string action, std::string entity,
                  std::optional<core::json> before, std::optional<core::json> after,
                  std::optional<std::string> reason);

/// The outcome of walking the chain.
struct audit_verification {
  bool ok = true;
  std::int64_t entries = 0;
  std::string head_hash;  ///< hash of the last entry: record it elsewhere to detect truncation
  std::int64_t first_broken = 0;  ///< seq of the first broken entry (0 when ok)
  std::string problem;            ///< what is wrong with it, in plain words
};

/// Recomputes every hash in order and reports the first entry that does not match.
audit_verification verify_audit(storage::database& db);

}  // namespace balint::app
