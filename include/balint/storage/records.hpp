#pragma once

#include "balint/enrolment/participant.hpp"
#include "balint/instruments/instrument.hpp"

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

// The rows the repositories (repositories.hpp) read and write, the same for every backend.
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

/// The database server cannot be reached: the connection broke (the server restarted, the
/// network failed) or a new one was refused. Nothing of the transaction in flight is kept; a
/// new connection may succeed (the HTTP server answers 503 and reconnects).
class connection_lost : public storage_error {
 public:
  using storage_error::storage_error;
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
  std::optional<std::string> withdrawal_date;      ///< "YYYY-MM-DD", the trial's time zone
  std::optional<std::string> withdrawal_category;  ///< enrolment::withdrawal_categories
  bool withdrawn() const { return withdrawn_at.has_value(); }
  /// The day they left: the withdrawal date, or the (UTC) day it was entered for rows of a
  /// version that recorded no date. Only for a withdrawn participant.
  std::string withdrawal_day() const {
    return withdrawal_date.value_or(withdrawn_at.value_or("").substr(0, 10));
  }
};

/// A withdrawal to record.
struct new_withdrawal {
  std::string at;  ///< when it was entered (UTC)
  std::string reason;
  std::string date;  ///< the day the participant left, "YYYY-MM-DD"
  std::string category;
};

struct assessment_record {
  std::int64_t id = 0;
  std::int64_t participant_id = 0;
  std::string participant_code;
  std::string timepoint;
  std::string instrument;
  std::string recorded_at;
  std::string assessment_date;  ///< "YYYY-MM-DD", the trial's time zone: when it was answered
  instruments::item_values items;
};

/// An assessment to insert; `items` must outlive the call.
struct new_assessment {
  std::int64_t participant_id = 0;
  std::string_view timepoint;
  std::string_view instrument;
  const instruments::item_values* items = nullptr;
  std::string_view assessment_date;  ///< "YYYY-MM-DD"
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

/// One extension of the allocation list (segment 2 is the first; the planned list is 1).
struct list_extension_record {
  int segment = 0;
  std::uint32_t seed = 0;
  std::string salt;
  int blocks = 0;
  std::string reason;
  std::string commitment;
  std::string created_at;
  std::string created_by;
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

/// An emergency unblinding of one participant, or (participant_id nullopt) of the whole list
/// after lock.
struct unblinding_record {
  std::optional<std::int64_t> participant_id;
  std::string at;
  std::string actor;
  std::string reason;
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

// Users of the web application, their sessions and sign-in attempts (issue 8).

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

/// A web session with its user, read together: every request of a signed-in user needs both.
struct signed_in_record {
  web_session_record session;
  user_record user;
};

// Survey links (issue 14, part 3).

/// A participant's single-use link to answer the questionnaires of one time point. Only the
/// SHA-256 of its token is kept.
struct survey_link_record {
  std::int64_t id = 0;
  std::string token_hash;
  std::int64_t participant_id = 0;
  std::string participant_code;  ///< read with the link; not a column of its own
  std::string timepoint;
  std::string instruments;  ///< JSON list of instrument ids
  std::string issued_at;
  std::string issued_by;
  std::string expires_at;
  std::string state = "open";          ///< open, submitted or revoked
  std::optional<std::string> answers;  ///< JSON saved before submitting
  std::optional<std::string> saved_at;
  std::optional<std::string> submitted_at;
  std::optional<std::string> revoked_at;
  std::optional<std::string> revoke_reason;
};

}  // namespace balint::storage
