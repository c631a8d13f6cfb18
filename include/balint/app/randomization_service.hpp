#pragma once

#include "balint/app/audit.hpp"
#include "balint/app/views.hpp"
#include "balint/core/result.hpp"
#include "balint/storage/database.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

/// Randomization use cases: allocate, verify, list, status, reveal. The list is generated and
/// sealed at init (services.hpp); nothing here shows an allocation before it is made.
namespace balint::app {

/// The seed and salt of a new allocation list, chosen at the edge (`--seed N`, or the
/// operating system's random source).
struct list_seed {
  std::uint32_t seed = 0;
  std::string salt_hex;    ///< 32 random bytes in hex: keeps the commitment unguessable
  bool from_user = false;  ///< true when the coordinator gave --seed
};

/// A seed and a salt from the operating system's random source (std::random_device reads
/// getrandom/urandom on Linux).
list_seed random_list_seed();

/// Allocates one participant: the next unused position of their stratum's list, inside one
/// BEGIN IMMEDIATE transaction with its audit entry. Refused (nothing written) when the
/// participant is unknown, has not consented, has withdrawn, is already randomized, lacks the
/// baseline the trial requires, or has a field value outside the strata; or when the trial is
/// locked or the stratum's list is used up.
core::result<allocation_view> randomize(storage::database& db, const request& req,
                                        const std::string& participant);

/// One line of `randomize --all-eligible`: an allocation, or why the participant was skipped.
struct batch_outcome {
  std::string participant;
  std::optional<allocation_view> allocation;
  std::string skipped_because;
};

/// Randomizes every participant not yet randomized, in enrolment order, one transaction each.
core::result<std::vector<batch_outcome>> randomize_all_eligible(storage::database& db,
                                                                const request& req);

struct randomization_check {
  bool ok = true;
  std::size_t allocations = 0;
  std::size_t strata = 0;
  std::string commitment;
  /// The commitment of each extension, in segment order (empty when never extended).
  std::vector<std::string> extension_commitments;
  std::string problem;  ///< the first discrepancy, in plain words
};

/// What `randomization extend` tells: the new segment and its commitment; never the arms, and
/// never how many positions the blocks hold (with several block sizes that would reveal them).
struct list_extension_view {
  int segment = 0;
  int blocks = 0;
  std::size_t strata = 0;
  std::string commitment;
  std::string extends;  ///< the commitment it is chained to
  std::string reason;
  std::string created_at;
  std::string created_by;
};

/// Appends `blocks` permuted blocks (1-1000) to every stratum's list from a new seed, sealed
/// by its own commitment chained to the previous one (randomization::extension), with the
/// reason (1-2000 characters) in the audit trail ("randomization.extend"). Refused after the
/// lock. Coordinators and admins may extend.
core::result<list_extension_view> extend_allocation_list(storage::database& db, const request& req,
                                                         int blocks, const std::string& reason,
                                                         const list_seed& seed);

/// Regenerates the list from the stored seed and every extension from its own, checks them
/// against the stored list and each commitment (and the chain of extensions), and checks every
/// allocation (participant, stratum, position, arm, time) against
/// the list and the audit trail.
core::result<randomization_check> verify_randomization(storage::database& db, const request& req);

/// Allocations made so far, in the order they were made (no list positions).
core::result<std::vector<allocation_view>> list_allocations(storage::database& db,
                                                            const request& req);

struct randomization_counts {
  std::size_t enrolled = 0;
  std::size_t randomized = 0;
  int planned = 0;
  std::vector<std::string> arms;  ///< in definition order
  std::map<std::string, std::size_t> per_arm;
  /// stratum → arm → count (only strata with allocations; "all" when not stratified)
  std::map<std::string, std::map<std::string, std::size_t>> per_stratum;
};

/// Counts per arm and per stratum; never block sizes or positions (SPIRIT 2013 item 16a).
core::result<randomization_counts> randomization_status(storage::database& db, const request& req);

/// The whole list, seed and salt: only once the trial is locked.
struct revealed_list {
  storage::randomization_setup_record setup;
  /// Every extension with its seed and salt, so an auditor can regenerate the whole list.
  std::vector<storage::list_extension_record> extensions;
  std::vector<randomization::stratum_list> lists;
  std::vector<storage::allocation_record> allocations;
};

core::result<revealed_list> reveal_list(storage::database& db, const request& req,
                                        const std::string& reason);

/// Emergency unblinding of one randomized participant; always audited with the reason.
core::result<allocation_view> unblind_participant(storage::database& db, const request& req,
                                                  const std::string& participant,
                                                  const std::string& reason);

/// Locks the trial: from then on every write is refused and the list may be revealed.
core::result<std::string> lock_trial(storage::database& db, const request& req,
                                     const std::string& reason);

/// precondition_failed once the trial is locked (used by every write).
core::result<void> ensure_unlocked(storage::database& db);

}  // namespace balint::app
