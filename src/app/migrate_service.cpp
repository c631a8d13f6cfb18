// Moving a trial between databases (issue 13): a copy through the repositories, so it works
// between any two backends, checked by the same verifications as the original.
#include "balint/app/migrate_service.hpp"

#include "balint/app/audit.hpp"

#include <map>
#include <utility>
#include <vector>

namespace balint::app {

namespace {

/// Old id -> new id of one table, filled as rows are copied.
using id_map = std::map<std::int64_t, std::int64_t>;

std::int64_t mapped(const id_map& ids, std::int64_t old_id, const char* what) {
  const auto it = ids.find(old_id);
  if (it == ids.end()) {
    throw storage::storage_error(std::string("migrate: a row refers to ") + what + " " +
                                 std::to_string(old_id) + ", which the source does not hold");
  }
  return it->second;
}

id_map copy_participants(storage::database& from, storage::database& to, migration_summary& out) {
  // One at a time: each keeps its own enrolment time. Their new ids are read back once.
  const auto source = from.participants();
  for (const auto& p : source) to.insert_participants({p.participant}, p.enrolled_at);
  std::map<std::string, std::int64_t> id_of_code;
  for (const auto& q : to.participants()) id_of_code[q.participant.code] = q.id;
  id_map ids;
  for (const auto& p : source) {
    const std::int64_t copied = id_of_code.at(p.participant.code);
    ids[p.id] = copied;
    if (p.withdrawn_at) {
      to.withdraw_participant(copied, {*p.withdrawn_at, p.withdrawal_reason.value_or(""),
                                       p.withdrawal_date.value_or(p.withdrawn_at->substr(0, 10)),
                                       p.withdrawal_category.value_or("other")});
    }
    ++out.participants;
  }
  from.for_each_assessment([&](const storage::assessment_record& a) {
    const storage::new_assessment row{mapped(ids, a.participant_id, "participant"), a.timepoint,
                                      a.instrument, &a.items, a.assessment_date};
    to.insert_assessments({row}, a.recorded_at);
    ++out.questionnaires;
  });
  return ids;
}

void copy_randomization(storage::database& from, storage::database& to, const id_map& people,
                        migration_summary& out) {
  if (const auto setup = from.load_randomization_setup()) {
    to.insert_randomization_setup(*setup);
    to.insert_allocation_list(from.load_allocation_list());
    for (const auto& e : from.list_extensions()) to.insert_list_extension(e);
  }
  for (auto a : from.allocations()) {
    a.participant_id = mapped(people, a.participant_id, "participant");
    to.insert_allocation(a);
    ++out.allocations;
  }
  for (const auto& u : from.unblindings()) {
    std::optional<std::int64_t> who;
    if (u.participant_id) who = mapped(people, *u.participant_id, "participant");
    to.insert_unblinding(who, u.at, u.actor, u.reason);
  }
}

void copy_programme(storage::database& from, storage::database& to, const id_map& people,
                    migration_summary& out) {
  for (const auto& l : from.leaders()) to.insert_leader(l);
  const auto slots = from.slots();
  to.insert_slots(slots);
  id_map slot_ids;
  for (const auto& s : slots) {
    const auto copied = to.find_slot(s.cohort, s.kind, s.number).value();
    slot_ids[s.id] = copied.id;
    if (s.cancelled_at) to.cancel_slot(copied.id, *s.cancelled_at, s.cancel_reason.value_or(""));
    ++out.sessions;
  }
  std::map<std::string, std::int64_t> leader_by_code;
  for (const auto& l : to.leaders()) leader_by_code[l.code] = l.id;
  for (const auto& [slot, code] : from.session_leaders()) {
    to.assign_leader(mapped(slot_ids, slot, "session slot"), leader_by_code.at(code));
  }
  std::vector<std::pair<std::int64_t, std::int64_t>> roster;
  for (const auto& [slot, person] : from.roster()) {
    roster.emplace_back(mapped(slot_ids, slot, "session slot"),
                        mapped(people, person, "participant"));
  }
  std::vector<std::int64_t> all_slots;
  for (const auto& [old_id, new_id] : slot_ids) all_slots.push_back(new_id);
  if (!roster.empty()) to.replace_roster(all_slots, roster);
  auto marks = from.attendance();
  for (auto& m : marks) {
    m.slot_id = mapped(slot_ids, m.slot_id, "session slot");
    m.participant_id = mapped(people, m.participant_id, "participant");
  }
  if (!marks.empty()) to.upsert_attendance(marks);
  out.attendance_marks = marks.size();
}

}  // namespace

core::result<migration_summary> migrate_trial(storage::database& from, storage::database& to,
                                              const request& req, const std::string& from_name) {
  if (auto ok = authorize(req, use_case::migrate_trial); !ok) return std::move(ok).error();
  storage::transaction read(from, true);
  const auto trial = from.load_trial();
  if (!trial) {
    return core::precondition_failed("from", "the source holds no trial; nothing was copied");
  }
  storage::transaction tx(to);
  if (to.load_trial() || to.last_audit_entry()) {
    return core::conflict("to",
                          "the target already holds a trial; a trial is copied only into an "
                          "empty database, so nothing was changed");
  }
  migration_summary out;
  to.insert_trial(*trial);
  for (const auto& [id, definition] : from.load_instruments()) to.insert_instrument(id, definition);
  if (trial->locked_at) to.lock_trial(*trial->locked_at);
  const auto people = copy_participants(from, to, out);
  copy_randomization(from, to, people, out);
  copy_programme(from, to, people, out);
  for (const auto& u : from.users()) {
    to.insert_user(u);
    if (u.disabled_at) to.disable_user(to.find_user(u.name).value().id, *u.disabled_at);
    ++out.users;
  }
  from.for_each_audit_entry([&](const storage::audit_record& e) {
    to.append_audit_entry(e);
    ++out.audit_entries;
  });
  append_audit(to, req, "trial.migrated", "trial", std::nullopt,
               core::json::object{{"from", from_name},
                                  {"participants", out.participants},
                                  {"audit_entries", out.audit_entries}},
               std::nullopt);
  tx.commit();
  read.commit();
  return out;
}

}  // namespace balint::app
