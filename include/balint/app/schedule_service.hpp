#pragma once

#include "balint/app/audit.hpp"
#include "balint/app/views.hpp"
#include "balint/attendance/progress.hpp"
#include "balint/core/json.hpp"
#include "balint/core/result.hpp"
#include "balint/storage/database.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

/// Use cases of the programme: group leaders, the session calendar, the plan of who attends
/// which session slot, cancellations, calendars (ICS), attendance and progress to the
/// requirement.
namespace balint::app {

core::result<leader_view> add_leader(storage::database& db, const request& req,
                                     const std::string& code, const std::string& name);
core::result<std::vector<leader_view>> list_leaders(storage::database& db, const request& req);

/// One lecture or session as `schedule list` shows it.
struct session_view {
  std::string kind;  ///< "lecture" or "session"
  int number = 0;
  std::string cohort;
  std::string start;  ///< ISO 8601 local time with UTC offset
  std::string end;
  std::string start_utc;
  std::string end_utc;
  std::string status;  ///< "planned", "held" (attendance recorded) or "cancelled"
  std::optional<std::string> cancel_reason;
  std::vector<std::string> leaders;
  std::vector<std::string> participants;  ///< the plan's roster (sessions only)
  std::string availability;               ///< workday-noon, workday-evening, weekend or ""
};

/// Creates the lectures and session slots of a cohort from the trial's programme. The waitlist
/// cohort starts on `first_session` (default: the programme's weekday one week after the
/// intervention cohort's last session). Refused when the cohort already has a calendar.
core::result<std::vector<session_view>> generate_schedule(
    storage::database& db, const request& req, const std::string& cohort,
    const std::optional<std::string>& first_session);

/// The lectures and sessions of one cohort, or of every cohort when `cohort` is empty. A leader
/// gets the sessions (not lectures) they lead and nothing else.
core::result<std::vector<session_view>> list_sessions(storage::database& db, const request& req,
                                                      const std::string& cohort);

/// One participant of a session's roster and the mark recorded for them (none yet: nullopt).
struct roster_entry {
  std::string participant;
  std::optional<std::string> status;  ///< "present", "absent" or "excused"
  std::optional<std::string> reason;
};
struct session_roster {
  session_view session;
  /// The plan's roster, then anyone else marked at this session, in code order.
  std::vector<roster_entry> entries;
};
/// A session with its roster and the marks so far; not_found for an unknown session, forbidden
/// (field "session") for a leader who does not lead it.
core::result<session_roster> roster_of_session(storage::database& db, const request& req,
                                               const std::string& cohort, int session);

core::result<session_view> assign_leader(storage::database& db, const request& req,
                                         const std::string& cohort, int session,
                                         const std::string& leader);

struct plan_view {
  bool feasible = false;
  std::size_t participants = 0;
  std::size_t held_sessions = 0;
  std::vector<std::string> notes;
  std::vector<std::string> problems;
  std::vector<session_view> sessions;
};

/// Assigns every participant of the cohort to exactly the required number of session slots
/// they are available for, every held session within the capacity. When no plan exists,
/// `feasible` is false, `problems` says why and nothing is written (the result is still a value:
/// the CLI turns it into a refusal).
core::result<plan_view> plan_schedule(storage::database& db, const request& req,
                                      const std::string& cohort);

/// Moves one participant from one session to another of their cohort, checked against the same
/// rules as the plan.
core::result<std::pair<session_view, session_view>> move_participant(
    storage::database& db, const request& req, const std::string& participant, int from, int to,
    const std::optional<std::string>& reason);

struct cancellation {
  session_view session;
  /// For each participant of the cancelled session: the session numbers that keep them able to
  /// reach the requirement.
  std::vector<std::pair<std::string, std::vector<int>>> replacements;
};

core::result<cancellation> cancel_session(storage::database& db, const request& req,
                                          const std::string& cohort, int session,
                                          const std::string& reason);

/// One lecture or session in someone's calendar.
struct calendar_event {
  std::string uid;
  std::string summary;
  std::string description;
  std::string start_utc;
  std::string end_utc;
  bool cancelled = false;
};

/// A participant's (or a leader's) lectures and sessions, for an iCalendar file.
struct personal_calendar {
  std::string name;
  std::string time_zone;
  std::vector<calendar_event> events;
};

core::result<personal_calendar> personal_calendar_of(storage::database& db, const request& req,
                                                     const std::optional<std::string>& participant,
                                                     const std::optional<std::string>& leader);

/// One mark of an attendance log.
struct attendance_mark {
  std::string participant;
  std::string status;
};

struct attendance_logged {
  int session = 0;
  std::string cohort;
  std::size_t marks = 0;
  std::size_t present = 0;
};

/// Records marks for one session, all or none, one audit entry. Refused: a session in the
/// future or cancelled or without a leader, a participant outside the cohort or withdrawn, more
/// present than the maximum, a change of a recorded mark without a reason; a leader's log of a
/// session they do not lead (forbidden, field "session").
core::result<attendance_logged> log_attendance(storage::database& db, const request& req,
                                               const std::string& cohort, int session,
                                               const std::vector<attendance_mark>& marks,
                                               const std::optional<std::string>& reason);

/// Progress of every randomized participant whose cohort has a calendar; for a leader, of the
/// participants on the rosters of the sessions they lead.
core::result<std::vector<attendance::progress>> attendance_progress(storage::database& db,
                                                                    const request& req);

/// What a certificate of completion states, for a participant who attended at least the
/// required sessions; refused otherwise.
struct certificate_facts {
  attendance::completion completion;
  std::string trial_title;
};

core::result<certificate_facts> completion_certificate(storage::database& db, const request& req,
                                                       const std::string& participant);

}  // namespace balint::app
