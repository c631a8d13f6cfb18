#pragma once

// The repositories of storage::database written once in SQL that SQLite and PostgreSQL both
// run (docs/architecture.md, "A second backend"): sql_trial.cpp, sql_participants.cpp,
// sql_outcomes.cpp, sql_allocations.cpp, sql_programme.cpp, sql_users.cpp, sql_audit.cpp and
// sql_survey.cpp. A backend derives from sql_repositories and adds its connection, its statement
// cache, transactions and migrations.
#include "sql_statement.hpp"

#include "balint/core/ids.hpp"
#include "balint/storage/database.hpp"

#include <map>
#include <string>
#include <string_view>
#include <tuple>

namespace balint::storage {

/// Rows by key, as read in the current transaction (see sql_repositories::forget_reads).
template <class Key, class Value>
class transaction_reads {
 public:
  /// read() when outside a transaction (depth 0) or not read yet in this one.
  template <class Read>
  Value get(int depth, const Key& key, Read&& read) {
    if (depth == 0) return read();
    if (auto it = rows_.find(key); it != rows_.end()) return it->second;
    return rows_.emplace(key, read()).first->second;
  }
  void forget(const Key& key) { rows_.erase(key); }
  /// What was read for `key` in this transaction, to be kept up to date by a write; or null.
  Value* cached(const Key& key) {
    const auto it = rows_.find(key);
    return it == rows_.end() ? nullptr : &it->second;
  }
  void clear() noexcept { rows_.clear(); }

 private:
  std::map<Key, Value> rows_;
};

class sql_repositories : public database {
 public:
  // transaction_control (sql_transactions.cpp): the outermost transaction is the backend's
  // (begin_outer, commit_outer, rollback_outer); nested ones are savepoints, the same SQL on
  // both backends.
  void begin() final { begin_transaction(true); }
  void begin_read() final { begin_transaction(false); }
  void commit() final;
  void rollback() noexcept final;
  int transaction_depth() const final { return depth_; }

  // trial_repository (sql_trial.cpp)
  std::optional<stored_trial> load_trial() override;
  void insert_trial(const stored_trial& trial) override;
  void insert_instrument(const std::string& id, const std::string& definition) override;
  std::vector<std::pair<std::string, std::string>> load_instruments() override;
  void lock_trial(const std::string& at) override;

  // participant_repository (sql_participants.cpp)
  std::optional<participant_record> find_participant(std::string_view code) override;
  std::vector<participant_record> participants() override;
  void insert_participants(const std::vector<enrolment::participant>& list,
                           const std::string& enrolled_at) override;
  void withdraw_participant(std::int64_t id, const new_withdrawal& w) override;

  // outcome_repository (sql_outcomes.cpp)
  std::optional<assessment_record> find_assessment(std::int64_t participant_id,
                                                   std::string_view timepoint,
                                                   std::string_view instrument) override;
  std::vector<std::tuple<std::int64_t, std::string, std::string>> assessment_keys() override;
  void insert_assessments(const std::vector<new_assessment>& list,
                          const std::string& recorded_at) override;
  void replace_items(std::int64_t assessment_id, const instruments::item_values& items,
                     const std::string& recorded_at, const std::string& assessment_date) override;
  void for_each_assessment(const std::function<void(const assessment_record&)>& visit) override;

  // allocation_repository (sql_allocations.cpp)
  std::optional<randomization_setup_record> load_randomization_setup() override;
  void insert_list_extension(const list_extension_record& extension) override;
  std::vector<list_extension_record> list_extensions() override;
  void insert_randomization_setup(const randomization_setup_record& setup) override;
  void insert_allocation_list(const std::vector<randomization::stratum_list>& lists) override;
  std::vector<randomization::stratum_list> load_allocation_list() override;
  std::optional<randomization::list_entry> next_unused_entry(std::string_view stratum) override;
  void insert_allocation(const allocation_record& a) override;
  std::optional<allocation_record> find_allocation(std::int64_t participant_id) override;
  std::vector<allocation_record> allocations() override;
  void insert_unblinding(std::optional<std::int64_t> participant_id, const std::string& at,
                         const std::string& actor, const std::string& reason) override;
  std::vector<unblinding_record> unblindings() override;

  // programme_repository (sql_programme.cpp)
  void insert_leader(const leader_record& l) override;
  std::optional<leader_record> find_leader(std::string_view code) override;
  std::vector<leader_record> leaders() override;
  void insert_slots(const std::vector<slot_record>& slots) override;
  std::vector<slot_record> slots(std::string_view cohort = {}) override;
  std::optional<slot_record> find_slot(std::string_view cohort, std::string_view kind,
                                       int number) override;
  void cancel_slot(std::int64_t slot_id, const std::string& at, const std::string& reason) override;
  void assign_leader(std::int64_t slot_id, std::int64_t leader_id) override;
  std::vector<std::pair<std::int64_t, std::string>> session_leaders() override;
  std::vector<std::string> leaders_of_slot(std::int64_t slot_id) override;
  void replace_roster(const std::vector<std::int64_t>& slot_ids,
                      const std::vector<std::pair<std::int64_t, std::int64_t>>& entries) override;
  std::vector<std::pair<std::int64_t, std::int64_t>> roster() override;
  void move_roster(core::participant_id participant, core::slot_id from_slot,
                   core::slot_id to_slot) override;
  void upsert_attendance(const std::vector<attendance_record>& marks) override;
  std::vector<attendance_record> attendance() override;
  std::vector<attendance_record> attendance_of_slot(std::int64_t slot_id) override;

  // user_repository (sql_users.cpp)
  void insert_user(const user_record& u) override;
  std::optional<user_record> find_user(std::string_view name) override;
  std::optional<user_record> find_user_by_id(std::int64_t id) override;
  std::vector<user_record> users() override;
  void disable_user(std::int64_t user_id, const std::string& at) override;
  void insert_web_session(const web_session_record& s) override;
  std::optional<web_session_record> find_web_session(std::string_view token_hash) override;
  std::optional<signed_in_record> find_signed_in(std::string_view token_hash) override;
  void touch_web_session(std::string_view token_hash, const std::string& at) override;
  void delete_web_session(std::string_view token_hash) override;
  void delete_web_sessions_of(std::int64_t user_id) override;
  void insert_login_attempt(std::string_view user_name, const std::string& at, bool ok) override;
  void delete_login_attempts_before(const std::string& before) override;
  std::int64_t count_login_failures(std::string_view user_name, const std::string& since) override;

  // survey_repository (sql_survey.cpp)
  void insert_survey_links(const std::vector<survey_link_record>& links) override;
  std::optional<survey_link_record> find_survey_link(std::string_view token_hash) override;
  std::vector<survey_link_record> survey_links(std::string_view timepoint) override;
  void save_survey_answers(std::int64_t link_id, const std::string& answers,
                           const std::string& at) override;
  void mark_survey_link_submitted(std::int64_t link_id, const std::string& at) override;
  void revoke_survey_link(std::int64_t link_id, const std::string& at,
                          const std::string& reason) override;

  // audit_repository (sql_audit.cpp)
  std::optional<audit_record> last_audit_entry() override;
  void append_audit_entry(const audit_record& entry) override;
  void for_each_audit_entry(const std::function<void(const audit_record&)>& visit) override;

 protected:
  sql_repositories() = default;
  /// Starts the outermost transaction: a write one (holding the trial's write lock at once) or
  /// a read snapshot.
  virtual void begin_outer(bool write) = 0;
  virtual void commit_outer() = 0;
  virtual void rollback_outer() noexcept = 0;
  /// Before a savepoint is taken or released: throws storage_error (and forgets the
  /// transaction) when the backend has ended the transaction by itself.
  virtual void check_still_open() {}

  /// Open begin() calls: 1 = the outermost transaction, more = savepoints inside it.
  int depth_ = 0;
  /// The trial row and its instruments as read in the current transaction: every use case
  /// loads the trial, some several times, and a batch of the group commit runs many use cases
  /// in one transaction. Within a transaction nobody else changes them (writers of a trial take
  /// turns; a read is one snapshot), so they are read once; forgotten when they are written,
  /// when a savepoint rolls back and when the transaction ends.
  std::optional<std::optional<stored_trial>> trial_read_;
  std::optional<std::vector<std::pair<std::string, std::string>>> instruments_read_;
  /// The audit chain's last entry as read or appended in the current transaction: every write
  /// appends one, and a batch of the group commit appends many, each needing the one before.
  std::optional<std::optional<audit_record>> audit_head_;
  /// What logging attendance reads for each mark (a batch logs many, often of one session):
  /// the session slot, its leaders and marks, the participant and their allocation. Every write
  /// to the programme, the participants or the allocations forgets them all; a mark written
  /// is written into its slot's marks too.
  transaction_reads<std::tuple<std::string, std::string, int>, std::optional<slot_record>>
      slot_reads_;
  transaction_reads<std::int64_t, std::vector<std::string>> slot_leader_reads_;
  transaction_reads<std::int64_t, std::vector<attendance_record>> slot_attendance_reads_;
  transaction_reads<std::string, std::optional<participant_record>> participant_reads_;
  transaction_reads<std::int64_t, std::optional<allocation_record>> allocation_reads_;
  void forget_reads() noexcept {
    trial_read_.reset();
    instruments_read_.reset();
    audit_head_.reset();
    slot_reads_.clear();
    slot_leader_reads_.clear();
    slot_attendance_reads_.clear();
    participant_reads_.clear();
    allocation_reads_.clear();
  }
  /// The connection's prepared statements.
  virtual detail::statement_source& statements() = 0;
  /// A statement for `text` from this connection's cache (prepared once per connection).
  /// Parameters are written `?` or `?N`; the PostgreSQL backend rewrites them to `$N`.
  detail::statement sql(std::string_view text) { return detail::statement(statements(), text); }

 private:
  void begin_transaction(bool write);
};

}  // namespace balint::storage
