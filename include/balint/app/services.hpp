#pragma once

#include "balint/app/audit.hpp"
#include "balint/app/randomization_service.hpp"
#include "balint/app/views.hpp"
#include "balint/core/json.hpp"
#include "balint/core/result.hpp"
#include "balint/enrolment/participant.hpp"
#include "balint/instruments/instrument.hpp"
#include "balint/outcomes/assessment.hpp"
#include "balint/outcomes/window.hpp"
#include "balint/storage/database.hpp"
#include "balint/trial/trial_definition.hpp"

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

/// Use cases shared by the CLI and the HTTP server. Each write is one transaction with one
/// audit entry; refusals return core::error and leave the database unchanged.
namespace balint::app {

/// The trial of a database with its instruments, as loaded for a use case.
struct loaded_trial {
  trial::trial_definition definition;
  outcomes::instrument_set instruments;
  enrolment::enrolment_rules rules;
};

/// Loads the trial; precondition_failed when `init` has not been run.
core::result<loaded_trial> load_trial(storage::database& db);

/// The default trial (schemas/trials/tongji-2020.json) with its built-in instruments, as `init`
/// without a definition sets it up.
core::result<loaded_trial> default_trial();

// --- init -------------------------------------------------------------------------------

struct init_result {
  std::string trial_id;
  std::string title;
  int planned_participants = 0;
  std::vector<std::string> instruments;
  std::string commitment;     ///< of the sealed allocation list
  std::size_t strata = 0;     ///< number of stratum lists
  std::size_t positions = 0;  ///< positions over all strata
};

/// A trial definition that passed every check of init, with the JSON it was read from.
/// A config's instruments, resolved: parsed, and each definition as the trial stores it.
struct resolved_instruments {
  outcomes::instrument_set set;
  std::map<std::string, core::json, std::less<>> definitions;
};

struct checked_definition {
  trial::trial_definition definition;
  /// The definition as stored: its "instruments" list holds ids only.
  core::json document;
  resolved_instruments instruments;
};

/// Checks a trial definition (JSON text; the default Tongji trial when empty) as init does:
/// invalid_input with the JSON path of the first problem. Each entry of its "instruments" list
/// is a built-in id or a definition written in place (a {"file": ...} entry is refused: only
/// the command line reads files, and puts them in place first); every definition is checked
/// against schemas/instrument.schema.json. Reads no database.
core::result<checked_definition> check_trial_definition(
    const std::optional<std::string>& config_text);

/// One instrument definition: parsed, and its document as written (or as the trial stored it).
struct instrument_definition {
  instruments::instrument instrument;
  core::json document;
};

/// Checks one instrument definition file's text as a trial's config would: the JSON, the
/// published schema, then what the schema cannot express (instruments::parse_instrument).
/// invalid_input with the JSON path of the first problem. Reads no database.
core::result<instrument_definition> check_instrument_definition(const std::string& text);

/// The built-in instruments (schemas/instruments/), in id order.
core::result<std::vector<instrument_definition>> builtin_instruments();

/// The instruments of the trial in `db`, as it stored them when it was set up, in id order.
/// Anyone who may view the trial may list them.
core::result<std::vector<instrument_definition>> trial_instruments(storage::database& db,
                                                                   const request& req);

/// Sets up the trial in an empty database from a trial definition (JSON text; the default
/// Tongji trial when `config_text` is empty). Refused with the JSON path of the first problem
/// when the definition breaks schemas/trial.schema.json; conflict when the database already
/// holds a trial. Generates the allocation list from `seed` and seals it (stored with its
/// commitment; never shown).
core::result<init_result> init_trial(storage::database& db, const request& req,
                                     const std::optional<std::string>& config_text,
                                     const list_seed& seed);

// --- the trial ---------------------------------------------------------------------------

/// The opening of every use case on a trial: the caller's role is checked against the use-case
/// table (access.hpp), then the trial is loaded. Refused: unauthenticated or forbidden (nothing
/// read), precondition_failed when the database holds no trial.
core::result<loaded_trial> authorized_trial(storage::database& db, const request& req, use_case u);

/// The trial as the front ends show it.
core::result<trial_view> view_trial(storage::database& db, const request& req);
trial_view trial_view_of(const trial::trial_definition& t);

// --- enrolment ----------------------------------------------------------------------------

/// Enrols one participant. Past the trial's planned size it is refused (conflict, field
/// "beyond_plan", nothing saved) unless `beyond_plan_confirmed`: the warning is answered before
/// the record is saved.
core::result<participant_view> add_participant(storage::database& db, const request& req,
                                               const enrolment::participant_fields& f,
                                               bool beyond_plan_confirmed = false);

/// All-or-nothing import of the enrolment CSV; returns how many were enrolled. Past the planned
/// size as add_participant.
core::result<std::size_t> import_participants(storage::database& db, const request& req,
                                              const std::string& csv_text,
                                              bool beyond_plan_confirmed = false);

/// Every enrolled participant in enrolment order, with the allocation once it is made (never
/// before) and what their baseline still lacks.
core::result<std::vector<participant_view>> list_participants(storage::database& db,
                                                              const request& req);

/// What withdrawing a participant needs: who, why, when and in which category.
struct withdrawal {
  std::string participant;
  std::string reason;
  /// The day they left, "YYYY-MM-DD": today when not given; never after today or before consent.
  std::optional<std::string> date;
  /// One of enrolment::withdrawal_categories; "other" when not given.
  std::optional<std::string> category;
};

/// Keeps every record and marks the participant withdrawn with the date and reason.
core::result<participant_view> withdraw_participant(storage::database& db, const request& req,
                                                    const withdrawal& w);

// --- questionnaires -----------------------------------------------------------------------

/// One questionnaire as entered: the answers in item order, comma-separated, an empty value
/// for a skipped item; a reason when it corrects answers already recorded.
struct outcome_entry {
  std::string participant;
  std::string timepoint;
  std::string instrument;
  std::string items;
  std::optional<std::string> reason;
  /// When it was answered, "YYYY-MM-DD": today when not given (a correction keeps the date
  /// recorded); never after today or before the participant's consent.
  std::optional<std::string> assessment_date;
};

/// Records one questionnaire. Recording the same participant, time point and instrument again
/// is a correction: refused without a reason, audited with the answers before and after.
core::result<recorded_outcome> record_outcome(storage::database& db, const request& req,
                                              const outcome_entry& entry);

struct outcome_import_result {
  std::size_t assessments = 0;
  std::size_t item_rows = 0;
  std::size_t participants = 0;
  /// Questionnaires with at least one subscale left unscored by missing answers.
  std::size_t incomplete = 0;
  /// Questionnaires answered outside their time point's window (kept, flagged).
  std::size_t outside_window = 0;
  /// The first few of them, in the coordinator's words.
  std::vector<std::string> warnings;
};

/// All-or-nothing import of the long CSV participant,timepoint,instrument,item,value: every
/// row validated and every assessment scored before the first write; one audit entry for the
/// whole import. Assessments already recorded are refused (correct them one by one, with a
/// reason).
core::result<outcome_import_result> import_outcomes(storage::database& db, const request& req,
                                                    const std::string& csv_text);

/// Every questionnaire recorded, or those of one participant.
core::result<std::vector<outcome_view>> list_outcomes(
    storage::database& db, const request& req, const std::optional<std::string>& participant);

// --- export and audit ---------------------------------------------------------------------

/// Everything an export needs, read in one transaction so the files agree with each other.
struct export_data {
  loaded_trial trial;
  std::vector<storage::participant_record> participants;
  std::vector<outcomes::assessment> assessments;
  std::vector<storage::allocation_record> allocations;
  /// Present marks per participant id, for randomized participants whose cohort has sessions.
  std::map<std::int64_t, int> sessions_attended;
  /// Where each of `assessments` falls in its time point's window, in the same order.
  std::vector<outcomes::window_state> windows;
  /// participant id → the day of their allocation, in the trial's time zone.
  std::map<std::int64_t, std::string> randomized_on;
};

/// The export use case: read_export_data after checking the caller may export.
core::result<export_data> export_trial_data(storage::database& db, const request& req);
/// The snapshot itself, for use cases that have checked their caller already (analysis).
core::result<export_data> read_export_data(storage::database& db);

/// Walks the audit chain (see audit.hpp).
core::result<audit_verification> verify_audit_trail(storage::database& db, const request& req);

core::result<std::vector<audit_entry_view>> audit_log(storage::database& db, const request& req);

}  // namespace balint::app
