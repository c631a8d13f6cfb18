// Repositories for group leaders, session slots, rosters and attendance.
#include "database_impl.hpp"

#include "balint/storage/database.hpp"

namespace balint::storage {

using detail::statement;

void database::insert_leader(const leader_record& l) {
  statement s(impl_->statements, "INSERT INTO leader (code, name, added_at) VALUES (?, ?, ?)");
  s.bind(1, l.code);
  s.bind(2, l.name);
  s.bind(3, l.added_at);
  s.step();
}

namespace {

leader_record read_leader(const statement& s) {
  return {s.integer(0), s.text(1), s.text(2), s.text(3)};
}

constexpr std::string_view slot_columns =
    "id, cohort, kind, number, start_utc, end_utc, time_zone, cancelled_at, cancel_reason";

slot_record read_slot(const statement& s) {
  return {s.integer(0),      s.text(1), s.text(2), static_cast<int>(s.integer(3)),
          s.text(4),         s.text(5), s.text(6), s.optional_text(7),
          s.optional_text(8)};
}

}  // namespace

std::optional<leader_record> database::find_leader(std::string_view code) {
  statement s(impl_->statements, "SELECT id, code, name, added_at FROM leader WHERE code = ?");
  s.bind(1, code);
  if (!s.step()) return std::nullopt;
  return read_leader(s);
}

std::vector<leader_record> database::leaders() {
  statement s(impl_->statements, "SELECT id, code, name, added_at FROM leader ORDER BY id");
  std::vector<leader_record> out;
  while (s.step()) out.push_back(read_leader(s));
  return out;
}

void database::insert_slots(const std::vector<slot_record>& slots) {
  statement s(impl_->statements,
              "INSERT INTO session_slot (cohort, kind, number, start_utc, end_utc, time_zone) "
              "VALUES (?, ?, ?, ?, ?, ?)");
  for (const auto& x : slots) {
    s.bind(1, x.cohort);
    s.bind(2, x.kind);
    s.bind(3, static_cast<std::int64_t>(x.number));
    s.bind(4, x.start_utc);
    s.bind(5, x.end_utc);
    s.bind(6, x.time_zone);
    s.step();
    s.reset();
  }
}

std::vector<slot_record> database::slots(std::string_view cohort) {
  statement s(impl_->statements, "SELECT " + std::string(slot_columns) +
                                     " FROM session_slot WHERE (?1 = '' OR cohort = ?1) ORDER BY "
                                     "cohort, kind = 'session', number");
  s.bind(1, cohort);
  std::vector<slot_record> out;
  while (s.step()) out.push_back(read_slot(s));
  return out;
}

std::optional<slot_record> database::find_slot(std::string_view cohort, std::string_view kind,
                                               int number) {
  statement s(impl_->statements,
              "SELECT " + std::string(slot_columns) +
                  " FROM session_slot WHERE cohort = ? AND kind = ? AND number = ?");
  s.bind(1, cohort);
  s.bind(2, kind);
  s.bind(3, static_cast<std::int64_t>(number));
  if (!s.step()) return std::nullopt;
  return read_slot(s);
}

void database::cancel_slot(std::int64_t slot_id, const std::string& at, const std::string& reason) {
  statement s(impl_->statements,
              "UPDATE session_slot SET cancelled_at = ?, cancel_reason = ? WHERE id = ?");
  s.bind(1, at);
  s.bind(2, reason);
  s.bind(3, slot_id);
  s.step();
}

void database::assign_leader(std::int64_t slot_id, std::int64_t leader_id) {
  statement s(impl_->statements, "INSERT INTO session_leader (slot_id, leader_id) VALUES (?, ?)");
  s.bind(1, slot_id);
  s.bind(2, leader_id);
  s.step();
}

std::vector<std::pair<std::int64_t, std::string>> database::session_leaders() {
  statement s(impl_->statements,
              "SELECT sl.slot_id, l.code FROM session_leader sl JOIN leader l ON l.id = "
              "sl.leader_id ORDER BY sl.slot_id, l.code");
  std::vector<std::pair<std::int64_t, std::string>> out;
  while (s.step()) out.emplace_back(s.integer(0), s.text(1));
  return out;
}

void database::replace_roster(const std::vector<std::int64_t>& slot_ids,
                              const std::vector<std::pair<std::int64_t, std::int64_t>>& entries) {
  statement clear(impl_->statements, "DELETE FROM session_roster WHERE slot_id = ?");
  for (const auto id : slot_ids) {
    clear.bind(1, id);
    clear.step();
    clear.reset();
  }
  statement add(impl_->statements,
                "INSERT INTO session_roster (slot_id, participant_id) VALUES (?, ?)");
  for (const auto& [slot, participant] : entries) {
    add.bind(1, slot);
    add.bind(2, participant);
    add.step();
    add.reset();
  }
}

std::vector<std::pair<std::int64_t, std::int64_t>> database::roster() {
  statement s(impl_->statements,
              "SELECT slot_id, participant_id FROM session_roster ORDER BY slot_id, "
              "participant_id");
  std::vector<std::pair<std::int64_t, std::int64_t>> out;
  while (s.step()) out.emplace_back(s.integer(0), s.integer(1));
  return out;
}

void database::move_roster(std::int64_t participant_id, std::int64_t from_slot,
                           std::int64_t to_slot) {
  statement del(impl_->statements,
                "DELETE FROM session_roster WHERE slot_id = ? AND participant_id = ?");
  del.bind(1, from_slot);
  del.bind(2, participant_id);
  del.step();
  statement add(impl_->statements,
                "INSERT INTO session_roster (slot_id, participant_id) VALUES (?, ?)");
  add.bind(1, to_slot);
  add.bind(2, participant_id);
  add.step();
}

void database::upsert_attendance(const std::vector<attendance_record>& marks) {
  statement s(impl_->statements,
              "INSERT INTO attendance (slot_id, participant_id, status, reason, recorded_at, "
              "recorded_by) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (slot_id, participant_id) DO "
              "UPDATE SET status = excluded.status, reason = excluded.reason, recorded_at = "
              "excluded.recorded_at, recorded_by = excluded.recorded_by");
  for (const auto& m : marks) {
    s.bind(1, m.slot_id);
    s.bind(2, m.participant_id);
    s.bind(3, m.status);
    if (m.reason) {
      s.bind(4, *m.reason);
    } else {
      s.bind_null(4);
    }
    s.bind(5, m.recorded_at);
    s.bind(6, m.recorded_by);
    s.step();
    s.reset();
  }
}

std::vector<attendance_record> database::attendance() {
  statement s(impl_->statements,
              "SELECT a.slot_id, a.participant_id, p.code, a.status, a.reason, a.recorded_at, "
              "a.recorded_by FROM attendance a JOIN participant p ON p.id = a.participant_id "
              "ORDER BY a.slot_id, p.id");
  std::vector<attendance_record> out;
  while (s.step()) {
    out.push_back({s.integer(0), s.integer(1), s.text(2), s.text(3), s.optional_text(4), s.text(5),
                   s.text(6)});
  }
  return out;
}

std::vector<attendance_record> database::attendance_of_slot(std::int64_t slot_id) {
  statement s(impl_->statements,
              "SELECT a.slot_id, a.participant_id, p.code, a.status, a.reason, a.recorded_at, "
              "a.recorded_by FROM attendance a JOIN participant p ON p.id = a.participant_id "
              "WHERE a.slot_id = ? ORDER BY p.id");
  s.bind(1, slot_id);
  std::vector<attendance_record> out;
  while (s.step()) {
    out.push_back({s.integer(0), s.integer(1), s.text(2), s.text(3), s.optional_text(4), s.text(5),
                   s.text(6)});
  }
  return out;
}

std::vector<std::string> database::leaders_of_slot(std::int64_t slot_id) {
  statement s(impl_->statements,
              "SELECT l.code FROM session_leader sl JOIN leader l ON l.id = sl.leader_id WHERE "
              "sl.slot_id = ? ORDER BY l.code");
  s.bind(1, slot_id);
  std::vector<std::string> out;
  while (s.step()) out.push_back(s.text(0));
  return out;
}

}  // namespace balint::storage
