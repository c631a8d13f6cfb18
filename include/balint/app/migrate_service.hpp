#pragma once

#include "balint/app/access.hpp"
#include "balint/core/result.hpp"
#include "balint/storage/database.hpp"

#include <cstddef>
#include <string>

namespace balint::app {

/// What a copy of a trial carried over.
struct migration_summary {
  std::size_t participants = 0;
  std::size_t questionnaires = 0;
  std::size_t allocations = 0;
  std::size_t sessions = 0;  ///< lectures and session slots
  std::size_t attendance_marks = 0;
  std::size_t users = 0;
  std::size_t audit_entries = 0;  ///< copied, before the entry that records the copy
};

/// Copies the trial of `from` into the empty database `to` (any backend to any backend):
/// the trial and its instruments, participants with withdrawals, questionnaires, the sealed
/// list with its set-up, allocations and unblindings, leaders, the programme with rosters and
/// attendance, users (with their password hashes; web sessions and sign-in attempts stay
/// behind) and the audit trail entry by entry, so `audit verify` and `randomization verify`
/// pass on the copy. One more audit entry on the copy records the move (`trial.migrated`,
/// naming `from_name`). Reads `from` in one snapshot and writes `to` in one transaction:
/// a refused or failed copy leaves `to` as it was. conflict when `to` already holds a trial or
/// audit entries; precondition_failed when `from` holds none.
core::result<migration_summary> migrate_trial(storage::database& from, storage::database& to,
                                              const request& req, const std::string& from_name);

}  // namespace balint::app
