// programme_repository (SQL shared by both backends): group leaders, session slots, rosters and
// attendance.
#include "sql_repositories.hpp"

#include "balint/core/ids.hpp"

#include <algorithm>

namespace balint::storage {

namespace {

leader_record read_leader(const detail::statement& s) {
  return {s.integer(0), s.text(1), s.text(2), s.text(3)};
}

constexpr std::string_view slot_columns =
    "id, cohort, kind, number, start_utc, end_utc, time_zone, cancelled_at, cancel_reason "
    "FROM session_slot";

slot_record read_slot(const detail::statement& s) {
  return {s.integer(0),      s.text(1), s.text(2), static_cast<int>(s.integer(3)),
          s.text(4),         s.text(5), s.text(6), s.optional_text(7),
          s.optional_text(8)};
}

constexpr std::string_view attendance_columns =
    "a.slot_id, a.participant_id, p.code, a.status, a.reason, a.recorded_at, a.recorded_by "
    "FROM attendance a JOIN participant p ON p.id = a.participant_id";

attendance_record read_attendance(const detail::statement& s) {
  return {s.integer(0),       s.integer(1), s.text(2), s.text(3),
          s.optional_text(4), s.text(5),    s.text(6)};
}

std::string read_code(const detail::statement& s) { return s.text(0); }

}  // namespace

void sql_repositories::insert_leader(const leader_record& l) {
  forget_reads();
  sql("INSERT INTO leader (code, name, added_at) VALUES (?, ?, ?)")
      .execute(l.code, l.name, l.added_at);
}

std::optional<leader_record> sql_repositories::find_leader(std::string_view code) {
  return sql("SELECT id, code, name, added_at FROM leader WHERE code = ?")
      .bind_all(code)
      .first(read_leader);
}

std::vector<leader_record> sql_repositories::leaders() {
  return sql("SELECT id, code, name, added_at FROM leader ORDER BY id").all(read_leader);
}

void sql_repositories::insert_slots(const std::vector<slot_record>& slots) {
  forget_reads();
  auto insert =
      sql("INSERT INTO session_slot (cohort, kind, number, start_utc, end_utc, time_zone) "
          "VALUES (?, ?, ?, ?, ?, ?)");
  for (const auto& x : slots) {
    insert.execute(x.cohort, x.kind, x.number, x.start_utc, x.end_utc, x.time_zone);
  }
}

std::vector<slot_record> sql_repositories::slots(std::string_view cohort) {
  return sql("SELECT " + std::string(slot_columns) +
             " WHERE (?1 = '' OR cohort = ?1) ORDER BY cohort, kind = 'session', number")
      .bind_all(cohort)
      .all(read_slot);
}

std::optional<slot_record> sql_repositories::find_slot(std::string_view cohort,
                                                       std::string_view kind, int number) {
  return slot_reads_.get(depth_, {std::string(cohort), std::string(kind), number}, [&] {
    return sql("SELECT " + std::string(slot_columns) +
               " WHERE cohort = ? AND kind = ? AND number = ?")
        .bind_all(cohort, kind, number)
        .first(read_slot);
  });
}

void sql_repositories::cancel_slot(std::int64_t slot_id, const std::string& at,
                                   const std::string& reason) {
  forget_reads();
  sql("UPDATE session_slot SET cancelled_at = ?, cancel_reason = ? WHERE id = ?")
      .execute(at, reason, slot_id);
}

void sql_repositories::assign_leader(std::int64_t slot_id, std::int64_t leader_id) {
  forget_reads();
  sql("INSERT INTO session_leader (slot_id, leader_id) VALUES (?, ?)").execute(slot_id, leader_id);
}

std::vector<std::pair<std::int64_t, std::string>> sql_repositories::session_leaders() {
  return sql("SELECT sl.slot_id, l.code FROM session_leader sl JOIN leader l ON l.id = "
             "sl.leader_id ORDER BY sl.slot_id, l.code")
      .all([](const detail::statement& s) {
        return std::pair{s.integer(0), s.text(1)};
      });
}

std::vector<std::string> sql_repositories::leaders_of_slot(std::int64_t slot_id) {
  return slot_leader_reads_.get(depth_, slot_id, [&] {
    return sql("SELECT l.code FROM session_leader sl JOIN leader l ON l.id = sl.leader_id "
               "WHERE sl.slot_id = ? ORDER BY l.code")
        .bind_all(slot_id)
        .all(read_code);
  });
}

void sql_repositories::replace_roster(
    const std::vector<std::int64_t>& slot_ids,
    const std::vector<std::pair<std::int64_t, std::int64_t>>& entries) {
  forget_reads();
  auto clear = sql("DELETE FROM session_roster WHERE slot_id = ?");
  for (const auto id : slot_ids) clear.execute(id);
  auto add = sql("INSERT INTO session_roster (slot_id, participant_id) VALUES (?, ?)");
  for (const auto& [slot, participant] : entries) add.execute(slot, participant);
}

std::vector<std::pair<std::int64_t, std::int64_t>> sql_repositories::roster() {
  return sql("SELECT slot_id, participant_id FROM session_roster ORDER BY slot_id, "
             "participant_id")
      .all([](const detail::statement& s) {
        return std::pair{s.integer(0), s.integer(1)};
      });
}

void sql_repositories::move_roster(core::participant_id participant, core::slot_id from_slot,
                                   core::slot_id to_slot) {
  forget_reads();
  sql("DELETE FROM session_roster WHERE slot_id = ? AND participant_id = ?")
      .execute(from_slot.value(), participant.value());
  sql("INSERT INTO session_roster (slot_id, participant_id) VALUES (?, ?)")
      .execute(to_slot.value(), participant.value());
}

void sql_repositories::upsert_attendance(const std::vector<attendance_record>& marks) {
  auto upsert =
      sql("INSERT INTO attendance (slot_id, participant_id, status, reason, recorded_at, "
          "recorded_by) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (slot_id, participant_id) DO "
          "UPDATE SET status = excluded.status, reason = excluded.reason, recorded_at = "
          "excluded.recorded_at, recorded_by = excluded.recorded_by");
  for (const auto& m : marks) {
    upsert.execute(m.slot_id, m.participant_id, m.status, m.reason, m.recorded_at, m.recorded_by);
    // The slot's marks as read in this transaction get the same change (in participant order,
    // as attendance_of_slot reads them); without the participant's code they are read again.
    auto* read = slot_attendance_reads_.cached(m.slot_id);
    if (read == nullptr) continue;
    if (m.participant_code.empty()) {
      slot_attendance_reads_.forget(m.slot_id);
      continue;
    }
    const auto at = std::lower_bound(
        read->begin(), read->end(), m.participant_id,
        [](const attendance_record& r, std::int64_t id) { return r.participant_id < id; });
    if (at != read->end() && at->participant_id == m.participant_id) {
      *at = m;
    } else {
      read->insert(at, m);
    }
  }
}

std::vector<attendance_record> sql_repositories::attendance() {
  return sql("SELECT " + std::string(attendance_columns) + " ORDER BY a.slot_id, p.id")
      .all(read_attendance);
}

std::vector<attendance_record> sql_repositories::attendance_of_slot(std::int64_t slot_id) {
  return slot_attendance_reads_.get(depth_, slot_id, [&] {
    return sql("SELECT " + std::string(attendance_columns) + " WHERE a.slot_id = ? ORDER BY p.id")
        .bind_all(slot_id)
        .all(read_attendance);
  });
}

}  // namespace balint::storage
