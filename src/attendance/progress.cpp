#include "balint/attendance/progress.hpp"

#include "balint/core/names.hpp"

#include <array>

namespace balint::attendance {

namespace {

constexpr std::array<core::enum_name<mark>, 3> mark_names{
    {{mark::present, "present"}, {mark::absent, "absent"}, {mark::excused, "excused"}}};

constexpr std::array<core::enum_name<progress_status>, 4> progress_status_names{
    {{progress_status::completed, "completed"},
     {progress_status::on_track, "on-track"},
     {progress_status::at_risk, "at-risk"},
     {progress_status::cannot_complete, "cannot-complete"}}};

}  // namespace

std::string_view to_string(mark m) { return core::name_of<mark>(mark_names, m, "present"); }

core::result<mark> parse_mark(std::string_view text) {
  if (const auto m = core::value_of<mark>(mark_names, text)) return *m;
  return core::invalid_input("status", "status \"" + std::string(text) +
                                           "\" is not an attendance mark; allowed: present, "
                                           "absent or excused");
}

std::string_view to_string(progress_status s) {
  return core::name_of<progress_status>(progress_status_names, s, "on-track");
}

progress assess(std::string participant, int attended, int required, int remaining_possible) {
  progress p{std::move(participant), attended, required, remaining_possible,
             progress_status::on_track};
  const int missing = required - attended;
  if (missing <= 0) {
    p.status = progress_status::completed;
  } else if (remaining_possible < missing) {
    p.status = progress_status::cannot_complete;
  } else if (remaining_possible == missing) {
    p.status = progress_status::at_risk;
  }
  return p;
}

core::result<void> check_mark(const mark_context& c, mark m) {
  const std::string who = "participant " + c.participant;
  const std::string at = "session " + std::to_string(c.session);
  if (c.session_cancelled) {
    return core::precondition_failed("session", at + " was cancelled; no attendance is recorded "
                                                     "for a cancelled session");
  }
  if (!c.session_started) {
    return core::precondition_failed(
        "session", at + " has not taken place yet; attendance is recorded after the session");
  }
  if (!c.participant_in_cohort) {
    return core::invalid_input("participant", who + " is not in the cohort of " + at +
                                                  "; only participants of that cohort attend it");
  }
  if (c.withdrawn) {
    return core::precondition_failed("participant", who + " has withdrawn from the trial");
  }
  if (c.existing) {
    if (*c.existing == m) {
      return core::invalid_input(
          "status", who + " is already marked " + std::string(to_string(m)) + " at " + at);
    }
    if (!c.has_reason) {
      return core::invalid_input(
          "reason", who + " is already marked " + std::string(to_string(*c.existing)) + " at " +
                        at + "; changing it to " + std::string(to_string(m)) + " needs a reason");
    }
  }
  if (m == mark::present && c.present_others + 1 > c.capacity_max) {
    return core::invalid_input("status", at + " already has " + std::to_string(c.present_others) +
                                             " participants present; a session holds at most " +
                                             std::to_string(c.capacity_max));
  }
  return {};
}

}  // namespace balint::attendance
