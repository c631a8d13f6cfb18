#pragma once

#include "balint/app/access.hpp"
#include "balint/core/json.hpp"
#include "balint/core/result.hpp"
#include "balint/instruments/instrument.hpp"
#include "balint/storage/database.hpp"

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// Survey links (issue 14, part 3): a participant answers their own questionnaires of one time
/// point through a single-use link, without an account. The coordinator (or the console)
/// issues, revokes and reissues links and sees who has answered; whoever holds a link's token
/// may open it, save answers and submit them once. A token is 128 random bits; only its SHA-256
/// is stored. A token that is malformed, unknown, spent, expired or revoked, or whose
/// participant has withdrawn, gets one and the same refusal (not_found, field "token"), so a
/// guess learns nothing.
namespace balint::app {

/// What `survey links` issues.
struct survey_link_spec {
  std::string timepoint;
  /// The questionnaires of the link, in order; empty: every instrument planned at the time
  /// point for every arm. An instrument planned for some arms only is refused: the link would
  /// tell its participant their arm.
  std::vector<std::string> instruments;
  /// Participant codes; empty: everyone enrolled and not withdrawn who has not answered every
  /// chosen instrument at the time point and holds no open link for it.
  std::vector<std::string> participants;
  int expires_days = 28;  ///< 1 to 365
};

/// A link as issued: the token is shown once, here, and never stored.
struct issued_survey_link {
  std::string participant;
  std::string token;  ///< 32 lower-case hex digits
  std::string expires_at;
  std::vector<std::string> instruments;  ///< those not answered yet, in the chosen order
};

struct survey_issue_result {
  std::string timepoint;
  std::vector<issued_survey_link> links;
  /// Left out (only when no participant was named): every chosen instrument answered already,
  /// or an open link held already.
  std::size_t already_answered = 0;
  std::size_t already_linked = 0;
};

/// Issues one link per participant (one transaction, one audit entry "survey.issue" naming
/// the participants, never the tokens). Refused (invalid_input naming the field, the value and
/// what is allowed): an unknown time point or instrument, an arm-specific instrument,
/// expires_days outside 1-365; not_found: a named participant not enrolled;
/// precondition_failed: a named participant withdrawn, or with nothing left to answer;
/// conflict: a named participant holding an open link (reissue it instead); invalid_input
/// (field "participant") when nobody is left to issue a link to.
core::result<survey_issue_result> issue_survey_links(storage::database& db, const request& req,
                                                     const survey_link_spec& spec);

/// The state of a link as the coordinator sees it: "open", "expired" (open past its expiry),
/// "submitted" or "revoked"; "none" for a participant without a link.
struct survey_link_view {
  std::string participant;
  std::string timepoint;
  std::string state;
  std::vector<std::string> instruments;
  std::string issued_at;
  std::string issued_by;
  std::string expires_at;
  bool answers_saved = false;  ///< an open link with answers saved but not submitted
  std::optional<std::string> submitted_at;
  std::optional<std::string> revoked_at;
  std::optional<std::string> revoke_reason;
  std::size_t links = 0;  ///< links issued to the participant at this time point
};

/// Completion of one time point: counts of every link issued by state, and per participant
/// (enrolled, not withdrawn) the state of their latest link.
struct survey_status {
  std::string timepoint;
  std::size_t issued = 0;
  std::size_t open = 0;
  std::size_t expired = 0;
  std::size_t submitted = 0;
  std::size_t revoked = 0;
  std::vector<survey_link_view> participants;
};

/// invalid_input (field "timepoint") for a time point the trial does not have.
core::result<survey_status> survey_link_status(storage::database& db, const request& req,
                                               const std::string& timepoint);

/// Revokes the participant's open (or expired) link at the time point; one audit entry
/// "survey.revoke" with the reason. Refused: no reason (invalid_input "reason"), an unknown
/// participant (not_found), no open link (not_found, field "link").
core::result<survey_link_view> revoke_survey_link(storage::database& db, const request& req,
                                                  const std::string& participant,
                                                  const std::string& timepoint,
                                                  const std::string& reason);

/// Revokes the participant's open link at the time point, if any, and issues a new one with
/// the instruments still unanswered, in one transaction with one audit entry "survey.reissue".
/// Refused as revoke_survey_link, and precondition_failed when the participant has withdrawn or
/// has answered every instrument of the time point.
core::result<issued_survey_link> reissue_survey_link(storage::database& db, const request& req,
                                                     const std::string& participant,
                                                     const std::string& timepoint,
                                                     const std::string& reason,
                                                     int expires_days = 28);

// --- the participant's side (anonymous: the token is the credential) ---------------------

/// One answer choice of a questionnaire's scale.
struct survey_choice {
  int value = 0;
  std::string label;  ///< in the trial's language; the value itself when the scale has none
};

struct survey_item {
  int number = 0;
  std::string text;  ///< the item's wording in the trial's language, or "Item N"
  bool required = true;
};

struct survey_instrument {
  std::string id;
  std::string name;
  std::vector<survey_item> items;
  std::vector<survey_choice> choices;
};

/// What the participant's page shows: nothing about arms, allocation or anyone else.
struct survey_form {
  std::string participant;
  std::string language;
  std::string timepoint;
  std::string expires_at;
  std::vector<survey_instrument> instruments;
  /// Answers saved before: instrument id to answers in item order (null: not answered).
  core::json saved;
};

/// The form of a usable link; not_found (field "token") otherwise.
core::result<survey_form> open_survey(storage::database& db, const request& req,
                                      const std::string& token);

/// Keeps partial answers on the link until submitted (one audit entry "survey.save", with how
/// many items are answered, not the answers). Refused: as open_survey, and bad answers
/// (invalid_input naming the item).
core::result<survey_form> save_survey(storage::database& db, const request& req,
                                      const std::string& token, const core::json& answers);

struct survey_submitted {
  std::string participant;
  std::string timepoint;
  std::vector<std::string> instruments;
  std::string submitted_at;
};

/// Records the answers as the questionnaires of the link's participant and time point, as
/// `outcome record` would (the same checks), spends the link, and writes one audit entry
/// "survey.submit" by "participant CODE (survey link)": one transaction. Refused: as
/// open_survey; invalid_input for a missing required answer or a bad one (naming the item);
/// conflict when a questionnaire of the link has been recorded meanwhile; precondition_failed
/// when the trial is locked. Nothing is written on refusal.
core::result<survey_submitted> submit_survey(storage::database& db, const request& req,
                                             const std::string& token, const core::json& answers);

/// The actor a survey link's writes are audited under.
std::string survey_actor(const std::string& participant);

}  // namespace balint::app
