#pragma once

#include "balint/enrolment/participant.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

/// What the use cases answer: plain values shaped for people and front ends, never storage
/// records. `report` renders each view to JSON once (report/json.hpp); the command line's
/// `--format json` and the web API both use that rendering, so they cannot disagree.
namespace balint::app {

/// A participant's allocation, shown once it is made and never before.
struct allocation_view {
  std::string participant;
  std::string arm;
  std::string stratum;
  std::string allocated_at;
  std::string allocated_by;
};

/// What a participant's baseline still lacks before randomization.
struct baseline_view {
  bool complete = false;
  std::vector<std::string> missing;  ///< required baseline instruments not recorded
  std::vector<std::string> gaps;     ///< why the baseline is incomplete, in words
};

/// A participant as coordinators and analysts see them: the checked enrolment data, when they
/// were enrolled (and withdrawn), the allocation once made and what the baseline still lacks.
struct participant_view {
  enrolment::participant participant;
  std::int64_t enrolment_number = 0;
  std::string enrolled_at;
  std::optional<std::string> withdrawn_at;
  std::optional<std::string> withdrawal_reason;
  std::optional<std::string> withdrawal_date;  ///< "YYYY-MM-DD"
  std::optional<std::string> withdrawal_category;
  std::optional<allocation_view> allocation;
  baseline_view baseline;
  const std::string& code() const { return participant.code; }
  bool withdrawn() const { return withdrawn_at.has_value(); }
};

/// One subscale's score of a questionnaire.
struct score_view {
  std::string subscale;
  std::optional<double> score;  ///< nullopt when too many items are missing
  int answered = 0;
  int missing = 0;
  std::optional<bool> is_case;      ///< past the caseness cut-off, when the subscale has one
  std::optional<std::string> band;  ///< the severity band's label, when the subscale has bands
};

/// One questionnaire: who, when, the item answers (nullopt: skipped) and the scores.
struct outcome_view {
  std::string participant;
  std::string timepoint;
  std::string instrument;
  std::string recorded_at;
  std::string assessment_date;    ///< "YYYY-MM-DD": when it was answered
  std::string window = "inside";  ///< inside, outside or unknown (outcomes::window_state)
  std::vector<std::optional<int>> items;
  std::vector<score_view> scores;
};

/// The answer to recording a questionnaire.
struct recorded_outcome {
  outcome_view outcome;
  bool correction = false;  ///< true when it replaced earlier answers
  /// Accepted, but worth a second look: an assessment date outside its window.
  std::vector<std::string> warnings;
};

/// An arm, time point or outcome of the trial with its label.
struct labelled {
  std::string id;
  std::string label;
};

/// The trial as front ends need it.
/// What a page needs to know of a questionnaire to take its answers.
struct instrument_view {
  std::string id;
  std::string name;
  int items = 0;
  int min = 0;  ///< lowest answer
  int max = 0;  ///< highest answer
};

struct trial_view {
  std::string id;
  std::string title;
  int planned_participants = 0;
  std::vector<labelled> arms;
  std::vector<labelled> timepoints;
  std::vector<labelled> outcomes;
  std::vector<std::string> instruments;
  std::string baseline_timepoint;
  std::vector<std::string> baseline_instruments;
  int required_sessions = 0;
  std::string time_zone;
  /// The instruments' names, item counts and scales (filled where the trial's instruments are
  /// loaded: view_trial).
  std::vector<instrument_view> instrument_details;
};

/// A group leader: the code they sign in and appear under, their name, when added.
struct leader_view {
  std::string code;
  std::string name;
  std::string added_at;
};

/// One entry of the audit trail: when, who, what, on which record, the values before and after
/// (canonical JSON text, as hashed) and why.
struct audit_entry_view {
  std::int64_t seq = 0;
  std::string at;
  std::string actor;
  std::string action;
  std::string entity;
  std::optional<std::string> before;
  std::optional<std::string> after;
  std::optional<std::string> reason;
  std::string hash;
};

}  // namespace balint::app
