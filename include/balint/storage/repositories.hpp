#pragma once

#include "balint/core/ids.hpp"
#include "balint/randomization/allocation_list.hpp"
#include "balint/storage/records.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

// The storage interfaces, one per aggregate, plus the transaction control they share. A backend
// implements all of them on one connection (SQLite: src/storage/sqlite_*.cpp); the use cases in
// `app` see only these. Every method throws storage_error when the backend fails; none refuses
// on the caller's behalf: the use cases check UNIQUE and state rules before writing, so a
// constraint failure is a bug (storage_error with the backend's code), not a refusal.
namespace balint::storage {

/// Transactions of one connection. Writers of one file in one process take turns in arrival
/// order; other processes are ordered by the backend's own lock (docs/architecture.md,
/// "Write serialization").
class transaction_control {
 public:
  virtual ~transaction_control() = default;
  /// Starts a write transaction that holds the write lock at once (SQLite: BEGIN IMMEDIATE), so
  /// two writers never interleave. Inside an open transaction it nests: a savepoint, which
  /// commit() releases and rollback() undoes alone.
  virtual void begin() = 0;
  /// Starts a read transaction: one consistent snapshot that never holds up a writer. Nests
  /// like begin().
  virtual void begin_read() = 0;
  /// Commits the innermost open transaction (releases it when nested).
  virtual void commit() = 0;
  /// Undoes the innermost open transaction; never throws.
  virtual void rollback() noexcept = 0;
  /// How many begin() / begin_read() calls are open (0: none, 1: the outer transaction).
  virtual int transaction_depth() const = 0;
  /// True while the backend has a transaction open on this connection (SQLite can end one by
  /// itself after an I/O error; begin() and commit() then refuse to go on).
  virtual bool in_transaction() const = 0;
  /// For a caller that runs the parts of a transaction again one by one when it fails (the
  /// server's group commit): a write may then wait past the end of its savepoint, up to COMMIT,
  /// so a failing write fails the whole transaction rather than its own savepoint's commit.
  /// Saves a round trip per savepoint on PostgreSQL; SQLite writes at once either way.
  virtual void let_writes_wait_for_commit(bool on) { (void)on; }
};

/// The trial: its definition, the instruments it uses, and its lock (no changes once analysed).
class trial_repository {
 public:
  virtual ~trial_repository() = default;
  /// The one stored trial, or nothing before `init`.
  virtual std::optional<stored_trial> load_trial() = 0;
  virtual void insert_trial(const stored_trial& trial) = 0;
  /// Stores an instrument definition (JSON) under its id.
  virtual void insert_instrument(const std::string& id, const std::string& definition) = 0;
  /// (id, definition JSON) of every instrument, by id.
  virtual std::vector<std::pair<std::string, std::string>> load_instruments() = 0;
  /// Marks the trial locked at `at` (UTC ISO text).
  virtual void lock_trial(const std::string& at) = 0;
};

/// Participants: enrolment and withdrawal.
class participant_repository {
 public:
  virtual ~participant_repository() = default;
  virtual std::optional<participant_record> find_participant(std::string_view code) = 0;
  /// Every participant in enrolment order.
  virtual std::vector<participant_record> participants() = 0;
  /// Inserts in the given order, ids ascending (one prepared statement for all rows).
  virtual void insert_participants(const std::vector<enrolment::participant>& list,
                                   const std::string& enrolled_at) = 0;
  virtual void withdraw_participant(std::int64_t id, const new_withdrawal& w) = 0;
};

/// Outcomes: assessments (one instrument, one participant, one time point) and item answers.
class outcome_repository {
 public:
  virtual ~outcome_repository() = default;
  /// The assessment with its item answers (missing answers stay missing).
  virtual std::optional<assessment_record> find_assessment(std::int64_t participant_id,
                                                           std::string_view timepoint,
                                                           std::string_view instrument) = 0;
  /// (participant id, time point, instrument) of every recorded assessment.
  virtual std::vector<std::tuple<std::int64_t, std::string, std::string>> assessment_keys() = 0;
  virtual void insert_assessments(const std::vector<new_assessment>& list,
                                  const std::string& recorded_at) = 0;
  /// Replaces the item answers of an assessment (a correction), its recorded_at and its
  /// assessment date.
  virtual void replace_items(std::int64_t assessment_id, const instruments::item_values& items,
                             const std::string& recorded_at,
                             const std::string& assessment_date) = 0;
  /// Every assessment ordered by participant enrolment, then assessment id; streams, so an
  /// export never holds them all.
  virtual void for_each_assessment(const std::function<void(const assessment_record&)>& visit) = 0;
};

/// Allocations: the randomization setup, the sealed list, the allocations made from it and
/// every unblinding.
class allocation_repository {
 public:
  virtual ~allocation_repository() = default;
  virtual std::optional<randomization_setup_record> load_randomization_setup() = 0;
  virtual void insert_randomization_setup(const randomization_setup_record& setup) = 0;
  /// Inserts list positions: the planned list at init, appended positions at an extension.
  virtual void insert_allocation_list(const std::vector<randomization::stratum_list>& lists) = 0;
  virtual void insert_list_extension(const list_extension_record& extension) = 0;
  /// Every extension, in segment order.
  virtual std::vector<list_extension_record> list_extensions() = 0;
  /// The stored list in stratum name order, positions ascending.
  virtual std::vector<randomization::stratum_list> load_allocation_list() = 0;
  /// The position of `stratum` after the highest one used (positions are used in order).
  virtual std::optional<randomization::list_entry> next_unused_entry(std::string_view stratum) = 0;
  virtual void insert_allocation(const allocation_record& a) = 0;
  virtual std::optional<allocation_record> find_allocation(std::int64_t participant_id) = 0;
  /// Every allocation in the order it was made.
  virtual std::vector<allocation_record> allocations() = 0;
  /// Records an unblinding of one participant, or of the whole trial (no participant).
  virtual void insert_unblinding(std::optional<std::int64_t> participant_id, const std::string& at,
                                 const std::string& actor, const std::string& reason) = 0;
  /// Every unblinding, in the order they were made.
  virtual std::vector<unblinding_record> unblindings() = 0;
};

/// The programme: group leaders, lecture and session slots, the plan (rosters) and attendance.
class programme_repository {
 public:
  virtual ~programme_repository() = default;
  virtual void insert_leader(const leader_record& l) = 0;
  virtual std::optional<leader_record> find_leader(std::string_view code) = 0;
  /// Every leader in the order added.
  virtual std::vector<leader_record> leaders() = 0;
  virtual void insert_slots(const std::vector<slot_record>& slots) = 0;
  /// Slots of a cohort (every cohort when empty), lectures first, then by number.
  virtual std::vector<slot_record> slots(std::string_view cohort = {}) = 0;
  virtual std::optional<slot_record> find_slot(std::string_view cohort, std::string_view kind,
                                               int number) = 0;
  virtual void cancel_slot(std::int64_t slot_id, const std::string& at,
                           const std::string& reason) = 0;
  virtual void assign_leader(std::int64_t slot_id, std::int64_t leader_id) = 0;
  /// (slot id, leader code) for every assignment.
  virtual std::vector<std::pair<std::int64_t, std::string>> session_leaders() = 0;
  /// Codes of the leaders of one slot.
  virtual std::vector<std::string> leaders_of_slot(std::int64_t slot_id) = 0;
  /// Replaces the roster of the given slots with `entries` (slot id, participant id).
  virtual void replace_roster(
      const std::vector<std::int64_t>& slot_ids,
      const std::vector<std::pair<std::int64_t, std::int64_t>>& entries) = 0;
  /// (slot id, participant id) for every planned place.
  virtual std::vector<std::pair<std::int64_t, std::int64_t>> roster() = 0;
  /// Moves one participant's place from one session slot to another (typed ids: the three
  /// cannot be swapped by mistake).
  virtual void move_roster(core::participant_id participant, core::slot_id from_slot,
                           core::slot_id to_slot) = 0;
  /// Inserts or replaces marks (one per slot and participant).
  virtual void upsert_attendance(const std::vector<attendance_record>& marks) = 0;
  /// Every mark, by slot, then participant.
  virtual std::vector<attendance_record> attendance() = 0;
  /// The marks of one slot, by participant.
  virtual std::vector<attendance_record> attendance_of_slot(std::int64_t slot_id) = 0;
};

/// Users of the web application, their sessions and sign-in attempts.
class user_repository {
 public:
  virtual ~user_repository() = default;
  virtual void insert_user(const user_record& u) = 0;
  virtual std::optional<user_record> find_user(std::string_view name) = 0;
  virtual std::optional<user_record> find_user_by_id(std::int64_t id) = 0;
  /// Every user by name.
  virtual std::vector<user_record> users() = 0;
  virtual void disable_user(std::int64_t user_id, const std::string& at) = 0;
  virtual void insert_web_session(const web_session_record& s) = 0;
  /// The session whose cookie token hashes to `token_hash`.
  virtual std::optional<web_session_record> find_web_session(std::string_view token_hash) = 0;
  /// The same session with its user, in one query.
  virtual std::optional<signed_in_record> find_signed_in(std::string_view token_hash) = 0;
  virtual void touch_web_session(std::string_view token_hash, const std::string& at) = 0;
  virtual void delete_web_session(std::string_view token_hash) = 0;
  virtual void delete_web_sessions_of(std::int64_t user_id) = 0;
  virtual void insert_login_attempt(std::string_view user_name, const std::string& at, bool ok) = 0;
  /// Forgets the attempts made at or before `before` (they no longer count for the limit).
  virtual void delete_login_attempts_before(const std::string& before) = 0;
  /// Failed attempts for `user_name` after `since` and after its last successful one.
  virtual std::int64_t count_login_failures(std::string_view user_name,
                                            const std::string& since) = 0;
};

/// The audit trail: append-only, each entry chained to the one before (docs/audit.md).
class audit_repository {
 public:
  virtual ~audit_repository() = default;
  /// The entry with the highest sequence number.
  virtual std::optional<audit_record> last_audit_entry() = 0;
  virtual void append_audit_entry(const audit_record& entry) = 0;
  /// Every entry in sequence order; streams.
  virtual void for_each_audit_entry(const std::function<void(const audit_record&)>& visit) = 0;
};

/// Participants' survey links (issue 14, part 3): found by the SHA-256 of their token.
class survey_repository {
 public:
  virtual ~survey_repository() = default;
  /// Stores new open links (their ids and participant codes are ignored).
  virtual void insert_survey_links(const std::vector<survey_link_record>& links) = 0;
  /// The link whose token hashes to `token_hash`, with its participant's code.
  virtual std::optional<survey_link_record> find_survey_link(std::string_view token_hash) = 0;
  /// Every link, or those of one time point (empty: all), oldest first.
  virtual std::vector<survey_link_record> survey_links(std::string_view timepoint) = 0;
  /// Keeps answers saved and not yet submitted (JSON) on an open link.
  virtual void save_survey_answers(std::int64_t link_id, const std::string& answers,
                                   const std::string& at) = 0;
  /// Spends an open link: submitted, its saved answers dropped (they are assessments now).
  virtual void mark_survey_link_submitted(std::int64_t link_id, const std::string& at) = 0;
  virtual void revoke_survey_link(std::int64_t link_id, const std::string& at,
                                  const std::string& reason) = 0;
};

}  // namespace balint::storage
