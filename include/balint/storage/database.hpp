#pragma once

#include "balint/enrolment/participant.hpp"
#include "balint/instruments/instrument.hpp"
#include "balint/randomization/allocation_list.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace balint::storage {

/// A failure of the database itself (disk full, corrupt file, a constraint the services should
/// have checked first). Expected refusals never arrive here: the services check before writing.
class storage_error : public std::runtime_error {
 public:
  /// `code`: the driver's extended result code (SQLite: SQLITE_CONSTRAINT_UNIQUE = 2067, ...),
  /// 0 when the failure is ours (a newer schema, another program's file).
  explicit storage_error(const std::string& what, int code = 0)
      : std::runtime_error(what), code_(code) {}
  int code() const noexcept { return code_; }

 private:
  int code_;
};

struct stored_trial {
  std::string key;
  std::string definition;  ///< trial definition JSON
  std::string created_at;
  std::optional<std::string> locked_at;
};

struct participant_record {
  std::int64_t id = 0;  ///< enrolment order
  enrolment::participant participant;
  std::string enrolled_at;
  std::optional<std::string> withdrawn_at;
  std::optional<std::string> withdrawal_reason;
  bool withdrawn() const { return withdrawn_at.has_value(); }
};

struct assessment_record {
  std::int64_t id = 0;
  std::int64_t participant_id = 0;
  std::string participant_code;
  std::string timepoint;
  std::string instrument;
  std::string recorded_at;
  instruments::item_values items;
};

/// An assessment to insert; `items` must outlive the call.
struct new_assessment {
  std::int64_t participant_id = 0;
  std::string_view timepoint;
  std::string_view instrument;
  const instruments::item_values* items = nullptr;
};

struct audit_record {
  std::int64_t seq = 0;
  std::string at;
  std::string actor;
  std::string action;
  std::string entity;
  std::optional<std::string> before;
  std::optional<std::string> after;
  std::optional<std::string> reason;
  std::string prev_hash;
  std::string hash;
};

struct randomization_setup_record {
  std::string algorithm;
  std::uint32_t seed = 0;
  std::string salt;
  std::string scheme;  ///< JSON of the trial definition's randomization member
  std::string commitment;
  std::string created_at;
};

struct allocation_record {
  std::int64_t participant_id = 0;
  std::string participant_code;
  std::string stratum;
  int position = 0;
  std::string arm;
  std::string allocated_at;
  std::string allocated_by;
};

struct leader_record {
  std::int64_t id = 0;
  std::string code;
  std::string name;
  std::string added_at;
};

/// A lecture or session slot as stored (instants as UTC ISO text).
struct slot_record {
  std::int64_t id = 0;
  std::string cohort;
  std::string kind;  ///< "lecture" or "session"
  int number = 0;
  std::string start_utc;
  std::string end_utc;
  std::string time_zone;
  std::optional<std::string> cancelled_at;
  std::optional<std::string> cancel_reason;
};

struct attendance_record {
  std::int64_t slot_id = 0;
  std::int64_t participant_id = 0;
  std::string participant_code;
  std::string status;
  std::optional<std::string> reason;
  std::string recorded_at;
  std::string recorded_by;
};

// --- issue 8: users, web sessions, sign-in attempts (src/storage/users.cpp) -------------------

/// Someone who signs in to the web application. Never holds the password, only its PBKDF2.
struct user_record {
  std::int64_t id = 0;
  std::string name;
  std::string role;           ///< coordinator, leader, analyst or admin
  std::string password_hash;  ///< hex PBKDF2-HMAC-SHA256
  std::string salt;           ///< hex, 16 bytes
  std::int64_t iterations = 0;
  std::string created_at;
  std::optional<std::string> disabled_at;
};

/// A signed-in browser, found by the SHA-256 of its cookie token.
struct web_session_record {
  std::string token_hash;
  std::int64_t user_id = 0;
  std::string created_at;
  std::string last_seen_at;
  std::string csrf_token;
};

// --- end issue 8 ----------------------------------------------------------------------------

/// One SQLite database file of one trial, opened with the sqlite3 C API. Opening applies the
/// pragmas (WAL, synchronous=FULL, foreign keys) and the migrations of schemas/sql in order,
/// tracked by PRAGMA user_version. All SQL of the project lives behind this class.
class database {
 public:
  /// Opens or creates `path`. Throws storage_error when the file cannot be opened, is not a
  /// balint-trial database, or was written by a newer version.
  static std::unique_ptr<database> open(const std::string& path);
  ~database();
  database(const database&) = delete;
  database& operator=(const database&) = delete;

  /// The schema version this build writes (the number of the last migration).
  static int latest_schema_version();
  int schema_version();

  /// How this connection is set up, for diagnostics and tests.
  struct connection_settings {
    std::string journal_mode;
    int synchronous = 0;  ///< 2 = FULL
    bool foreign_keys = false;
    int user_version = 0;
  };
  connection_settings settings();

  /// BEGIN IMMEDIATE: takes the write lock now, so two writers never interleave. Inside an
  /// open transaction it nests: a SAVEPOINT, which commit() releases and rollback() undoes
  /// alone (the server's group commit runs each request's use case this way).
  /// Writers of one file in this process take turns first (first come, first served), so a
  /// writer never polls in SQLite's busy handler behind the server's group commit.
  void begin();
  /// BEGIN DEFERRED: one consistent snapshot for reading, without the write lock (WAL readers
  /// never block writers). Nests like begin().
  void begin_read();
  void commit();
  void rollback() noexcept;
  /// How many begin() calls are open (0: none).
  int transaction_depth() const;
  /// True while SQLite has a transaction open on this connection (it can end one by itself
  /// after an I/O error; begin() and commit() then refuse to go on).
  bool in_transaction() const;

  // The trial and its instruments.
  std::optional<stored_trial> load_trial();
  void insert_trial(const stored_trial& trial);
  void insert_instrument(const std::string& id, const std::string& definition);
  std::vector<std::pair<std::string, std::string>> load_instruments();

  // Participants.
  std::optional<participant_record> find_participant(std::string_view code);
  std::vector<participant_record> participants();
  /// Inserts in the given order (bound as vectors: one prepared statement for all rows).
  void insert_participants(const std::vector<enrolment::participant>& list,
                           const std::string& enrolled_at);
  void withdraw_participant(std::int64_t id, const std::string& at, const std::string& reason);

  // Assessments (questionnaires) and their item answers.
  std::optional<assessment_record> find_assessment(std::int64_t participant_id,
                                                   std::string_view timepoint,
                                                   std::string_view instrument);
  /// (participant id, time point, instrument) of every recorded assessment.
  std::vector<std::tuple<std::int64_t, std::string, std::string>> assessment_keys();
  void insert_assessments(const std::vector<new_assessment>& list, const std::string& recorded_at);
  void replace_items(std::int64_t assessment_id, const instruments::item_values& items,
                     const std::string& recorded_at);
  /// Every assessment ordered by participant enrolment, time point, instrument.
  void for_each_assessment(const std::function<void(const assessment_record&)>& visit);

  // Randomization: the sealed list and the allocations made from it.
  std::optional<randomization_setup_record> load_randomization_setup();
  void insert_randomization_setup(const randomization_setup_record& setup);
  void insert_allocation_list(const std::vector<randomization::stratum_list>& lists);
  /// The stored list in stratum name order, positions ascending.
  std::vector<randomization::stratum_list> load_allocation_list();
  /// The first position of `stratum` that no allocation uses yet.
  std::optional<randomization::list_entry> next_unused_entry(std::string_view stratum);
  void insert_allocation(const allocation_record& a);
  std::optional<allocation_record> find_allocation(std::int64_t participant_id);
  /// Every allocation in the order it was made.
  std::vector<allocation_record> allocations();
  void insert_unblinding(std::optional<std::int64_t> participant_id, const std::string& at,
                         const std::string& actor, const std::string& reason);
  void lock_trial(const std::string& at);

  // Group leaders, session slots, the plan and attendance.
  void insert_leader(const leader_record& l);
  std::optional<leader_record> find_leader(std::string_view code);
  std::vector<leader_record> leaders();
  void insert_slots(const std::vector<slot_record>& slots);
  /// Slots of a cohort (every cohort when empty), lectures first, then by number.
  std::vector<slot_record> slots(std::string_view cohort = {});
  std::optional<slot_record> find_slot(std::string_view cohort, std::string_view kind, int number);
  void cancel_slot(std::int64_t slot_id, const std::string& at, const std::string& reason);
  void assign_leader(std::int64_t slot_id, std::int64_t leader_id);
  /// (slot id, leader code) for every assignment.
  std::vector<std::pair<std::int64_t, std::string>> session_leaders();
  /// Replaces the roster of the given slots with `entries` (slot id, participant id).
  void replace_roster(const std::vector<std::int64_t>& slot_ids,
                      const std::vector<std::pair<std::int64_t, std::int64_t>>& entries);
  /// (slot id, participant id) for every planned place.
  std::vector<std::pair<std::int64_t, std::int64_t>> roster();
  void move_roster(std::int64_t participant_id, std::int64_t from_slot, std::int64_t to_slot);
  /// Inserts or replaces marks (bound once, stepped per row).
  void upsert_attendance(const std::vector<attendance_record>& marks);
  std::vector<attendance_record> attendance();
  /// The marks of one slot.
  std::vector<attendance_record> attendance_of_slot(std::int64_t slot_id);
  /// Codes of the leaders of one slot.
  std::vector<std::string> leaders_of_slot(std::int64_t slot_id);

  // The audit trail.
  std::optional<audit_record> last_audit_entry();
  void append_audit_entry(const audit_record& entry);
  void for_each_audit_entry(const std::function<void(const audit_record&)>& visit);

  // --- issue 8: users, web sessions, sign-in attempts (src/storage/users.cpp) -----------------
  void insert_user(const user_record& u);
  std::optional<user_record> find_user(std::string_view name);
  std::optional<user_record> find_user_by_id(std::int64_t id);
  std::vector<user_record> users();
  void disable_user(std::int64_t user_id, const std::string& at);
  void insert_web_session(const web_session_record& s);
  std::optional<web_session_record> find_web_session(std::string_view token_hash);
  void touch_web_session(std::string_view token_hash, const std::string& at);
  void delete_web_session(std::string_view token_hash);
  void delete_web_sessions_of(std::int64_t user_id);
  void insert_login_attempt(std::string_view user_name, const std::string& at, bool ok);
  /// Failed attempts for `user_name` after `since` and after its last successful one.
  std::int64_t count_login_failures(std::string_view user_name, const std::string& since);
  // --- end issue 8 --------------------------------------------------------------------------

 private:
  void begin_transaction(bool write);
  void release_turn() noexcept;
  /// Inside begin(): throws (and forgets the transaction) when SQLite has ended it itself.
  void ensure_still_open();
  struct impl;
  explicit database(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

/// Removes a database file with its WAL, shared-memory and journal files (no error when they
/// do not exist). Close every connection to it first.
void remove_database_files(const std::string& path) noexcept;

/// One use case = one transaction: begins IMMEDIATE on construction, rolls back in the
/// destructor unless commit() was called (SQLiteCpp's Transaction, over the database's begin and
/// commit).
class transaction {
 public:
  /// A write transaction (BEGIN IMMEDIATE), or with `read_only` a snapshot for reading.
  explicit transaction(database& db, bool read_only = false) : db_(db) {
    if (read_only) {
      db_.begin_read();
    } else {
      db_.begin();
    }
  }
  ~transaction() {
    if (!done_) db_.rollback();
  }
  transaction(const transaction&) = delete;
  transaction& operator=(const transaction&) = delete;
  void commit() {
    db_.commit();
    done_ = true;
  }

 private:
  database& db_;
  bool done_ = false;
};

}  // namespace balint::storage
