// Repositories: the SQL for trial, participants, assessments and the audit trail.
#include "database_impl.hpp"

#include "balint/core/text.hpp"
#include "balint/storage/database.hpp"

namespace balint::storage {

using detail::statement;

namespace {

std::optional<int> optional_int(const statement& s, int col) {
  if (s.is_null(col)) return std::nullopt;
  return static_cast<int>(s.integer(col));
}

std::vector<std::string> split_available(const std::string& text) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  for (auto piece : core::split(text, ';')) out.emplace_back(piece);
  return out;
}

constexpr std::string_view participant_columns =
    "id, code, age, gender, specialty, consent, balint_knowledge, balint_times, available, "
    "enrolled_at, withdrawn_at, withdrawal_reason";

participant_record read_participant(const statement& s) {
  participant_record r;
  r.id = s.integer(0);
  r.participant.code = s.text(1);
  r.participant.age = static_cast<int>(s.integer(2));
  r.participant.gender = s.text(3);
  r.participant.specialty = s.optional_text(4);
  r.participant.consent = s.integer(5) != 0;
  r.participant.balint_knowledge = optional_int(s, 6);
  r.participant.balint_times = optional_int(s, 7);
  r.participant.available = split_available(s.text(8));
  r.enrolled_at = s.text(9);
  r.withdrawn_at = s.optional_text(10);
  r.withdrawal_reason = s.optional_text(11);
  return r;
}

}  // namespace

std::optional<stored_trial> database::load_trial() {
  statement s(impl_->statements, "SELECT trial_key, definition, created_at, locked_at FROM trial");
  if (!s.step()) return std::nullopt;
  return stored_trial{s.text(0), s.text(1), s.text(2), s.optional_text(3)};
}

void database::insert_trial(const stored_trial& trial) {
  statement s(impl_->statements,
              "INSERT INTO trial (id, trial_key, definition, created_at) VALUES (1, ?, ?, ?)");
  s.bind(1, trial.key);
  s.bind(2, trial.definition);
  s.bind(3, trial.created_at);
  s.step();
}

void database::insert_instrument(const std::string& id, const std::string& definition) {
  statement s(impl_->statements, "INSERT INTO instrument (id, definition) VALUES (?, ?)");
  s.bind(1, id);
  s.bind(2, definition);
  s.step();
}

std::vector<std::pair<std::string, std::string>> database::load_instruments() {
  // Read on every use case (app::load_trial): a cached statement.
  statement s(impl_->statements, "SELECT id, definition FROM instrument ORDER BY id");
  std::vector<std::pair<std::string, std::string>> out;
  while (s.step()) out.emplace_back(s.text(0), s.text(1));
  return out;
}

std::optional<participant_record> database::find_participant(std::string_view code) {
  statement s(impl_->statements,
              "SELECT " + std::string(participant_columns) + " FROM participant WHERE code = ?");
  s.bind(1, code);
  if (!s.step()) return std::nullopt;
  return read_participant(s);
}

std::vector<participant_record> database::participants() {
  statement s(impl_->statements,
              "SELECT " + std::string(participant_columns) + " FROM participant ORDER BY id");
  std::vector<participant_record> out;
  while (s.step()) out.push_back(read_participant(s));
  return out;
}

void database::insert_participants(const std::vector<enrolment::participant>& list,
                                   const std::string& enrolled_at) {
  // One prepared statement for all rows, stepped once per row.
  statement s(impl_->statements,
              "INSERT INTO participant (code, age, gender, specialty, consent, balint_knowledge, "
              "balint_times, available, enrolled_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  const auto bind_optional = [&s](int index, const auto& v) {
    if (v) {
      s.bind(index, *v);
    } else {
      s.bind_null(index);
    }
  };
  for (const auto& p : list) {
    s.bind(1, p.code);
    s.bind(2, std::int64_t{p.age});
    s.bind(3, p.gender);
    bind_optional(4, p.specialty);
    s.bind(5, std::int64_t{p.consent ? 1 : 0});
    bind_optional(6, p.balint_knowledge);
    bind_optional(7, p.balint_times);
    s.bind(8, enrolment::format_available(p.available));
    s.bind(9, enrolled_at);
    s.step();
    s.reset();
  }
}

void database::withdraw_participant(std::int64_t id, const std::string& at,
                                    const std::string& reason) {
  statement s(impl_->statements,
              "UPDATE participant SET withdrawn_at = ?, withdrawal_reason = ? WHERE id = ?");
  s.bind(1, at);
  s.bind(2, reason);
  s.bind(3, id);
  s.step();
}

std::optional<assessment_record> database::find_assessment(std::int64_t participant_id,
                                                           std::string_view timepoint,
                                                           std::string_view instrument) {
  statement s(impl_->statements,
              "SELECT a.id, p.code, a.recorded_at FROM assessment a JOIN participant p ON "
              "p.id = a.participant_id WHERE a.participant_id = ? AND a.timepoint = ? AND "
              "a.instrument_id = ?");
  s.bind(1, participant_id);
  s.bind(2, timepoint);
  s.bind(3, instrument);
  if (!s.step()) return std::nullopt;
  assessment_record r;
  r.id = s.integer(0);
  r.participant_id = participant_id;
  r.participant_code = s.text(1);
  r.timepoint = std::string(timepoint);
  r.instrument = std::string(instrument);
  r.recorded_at = s.text(2);
  statement items(impl_->statements,
                  "SELECT item, value FROM item_response WHERE assessment_id = ? ORDER BY item");
  items.bind(1, r.id);
  while (items.step()) {
    const auto item = static_cast<std::size_t>(items.integer(0));
    if (r.items.size() < item) r.items.resize(item);
    r.items[item - 1] = optional_int(items, 1);
  }
  return r;
}

std::vector<std::tuple<std::int64_t, std::string, std::string>> database::assessment_keys() {
  statement s(impl_->statements, "SELECT participant_id, timepoint, instrument_id FROM assessment");
  std::vector<std::tuple<std::int64_t, std::string, std::string>> out;
  while (s.step()) out.emplace_back(s.integer(0), s.text(1), s.text(2));
  return out;
}

void database::insert_assessments(const std::vector<new_assessment>& list,
                                  const std::string& recorded_at) {
  statement head(impl_->statements,
                 "INSERT INTO assessment (participant_id, timepoint, instrument_id, recorded_at) "
                 "VALUES (?, ?, ?, ?)");
  statement item(impl_->statements,
                 "INSERT INTO item_response (assessment_id, item, value) VALUES (?, ?, ?)");
  for (const auto& a : list) {
    head.bind(1, a.participant_id);
    head.bind(2, a.timepoint);
    head.bind(3, a.instrument);
    head.bind(4, recorded_at);
    head.step();
    head.reset();
    const std::int64_t id = sqlite3_last_insert_rowid(impl_->handle);
    const auto& values = *a.items;
    for (std::size_t i = 0; i < values.size(); ++i) {
      item.bind(1, id);
      item.bind(2, static_cast<std::int64_t>(i + 1));
      if (values[i]) {
        item.bind(3, static_cast<std::int64_t>(*values[i]));
      } else {
        item.bind_null(3);
      }
      item.step();
      item.reset();
    }
  }
}

void database::replace_items(std::int64_t assessment_id, const instruments::item_values& items,
                             const std::string& recorded_at) {
  statement update(impl_->statements,
                   "UPDATE item_response SET value = ? WHERE assessment_id = ? AND item = ?");
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (items[i]) {
      update.bind(1, static_cast<std::int64_t>(*items[i]));
    } else {
      update.bind_null(1);
    }
    update.bind(2, assessment_id);
    update.bind(3, static_cast<std::int64_t>(i + 1));
    update.step();
    update.reset();
  }
  statement stamp(impl_->statements, "UPDATE assessment SET recorded_at = ? WHERE id = ?");
  stamp.bind(1, recorded_at);
  stamp.bind(2, assessment_id);
  stamp.step();
}

void database::for_each_assessment(const std::function<void(const assessment_record&)>& visit) {
  // One pass over the item answers joined to their assessment, in storage order.
  statement s(impl_->statements,
              "SELECT a.id, a.participant_id, p.code, a.timepoint, a.instrument_id, "
              "a.recorded_at, r.item, r.value FROM assessment a "
              "JOIN participant p ON p.id = a.participant_id "
              "JOIN item_response r ON r.assessment_id = a.id "
              "ORDER BY a.participant_id, a.id, r.item");
  assessment_record current;
  bool have = false;
  while (s.step()) {
    const std::int64_t id = s.integer(0);
    if (!have || id != current.id) {
      if (have) visit(current);
      have = true;
      current.id = id;
      current.participant_id = s.integer(1);
      current.participant_code = s.text(2);
      current.timepoint = s.text(3);
      current.instrument = s.text(4);
      current.recorded_at = s.text(5);
      current.items.clear();
    }
    const auto item = static_cast<std::size_t>(s.integer(6));
    if (current.items.size() < item) current.items.resize(item);
    current.items[item - 1] = optional_int(s, 7);
  }
  if (have) visit(current);
}

std::optional<randomization_setup_record> database::load_randomization_setup() {
  statement s(impl_->statements,
              "SELECT algorithm, seed, salt, scheme, commitment, created_at FROM "
              "randomization_setup");
  if (!s.step()) return std::nullopt;
  return randomization_setup_record{s.text(0), static_cast<std::uint32_t>(s.integer(1)),
                                    s.text(2), s.text(3),
                                    s.text(4), s.text(5)};
}

void database::insert_randomization_setup(const randomization_setup_record& r) {
  statement s(impl_->statements,
              "INSERT INTO randomization_setup (id, algorithm, seed, salt, scheme, commitment, "
              "created_at) VALUES (1, ?, ?, ?, ?, ?, ?)");
  s.bind(1, r.algorithm);
  s.bind(2, static_cast<std::int64_t>(r.seed));
  s.bind(3, r.salt);
  s.bind(4, r.scheme);
  s.bind(5, r.commitment);
  s.bind(6, r.created_at);
  s.step();
}

void database::insert_allocation_list(const std::vector<randomization::stratum_list>& lists) {
  statement s(impl_->statements,
              "INSERT INTO allocation_list (stratum, position, block, block_size, arm) VALUES "
              "(?, ?, ?, ?, ?)");
  for (const auto& list : lists) {
    for (const auto& e : list.entries) {
      s.bind(1, list.stratum);
      s.bind(2, static_cast<std::int64_t>(e.position));
      s.bind(3, static_cast<std::int64_t>(e.block));
      s.bind(4, static_cast<std::int64_t>(e.block_size));
      s.bind(5, e.arm);
      s.step();
      s.reset();
    }
  }
}

std::vector<randomization::stratum_list> database::load_allocation_list() {
  statement s(impl_->statements,
              "SELECT stratum, position, block, block_size, arm FROM allocation_list ORDER BY "
              "stratum, position");
  std::vector<randomization::stratum_list> out;
  while (s.step()) {
    const std::string stratum = s.text(0);
    if (out.empty() || out.back().stratum != stratum) out.push_back({stratum, {}});
    out.back().entries.push_back({static_cast<int>(s.integer(1)), static_cast<int>(s.integer(2)),
                                  static_cast<int>(s.integer(3)), s.text(4)});
  }
  return out;
}

std::optional<randomization::list_entry> database::next_unused_entry(std::string_view stratum) {
  statement s(impl_->statements,
              "SELECT l.position, l.block, l.block_size, l.arm FROM allocation_list l "
              "WHERE l.stratum = ? AND NOT EXISTS (SELECT 1 FROM allocation a WHERE "
              "a.stratum = l.stratum AND a.position = l.position) ORDER BY l.position LIMIT 1");
  s.bind(1, stratum);
  if (!s.step()) return std::nullopt;
  return randomization::list_entry{static_cast<int>(s.integer(0)), static_cast<int>(s.integer(1)),
                                   static_cast<int>(s.integer(2)), s.text(3)};
}

void database::insert_allocation(const allocation_record& a) {
  statement s(impl_->statements,
              "INSERT INTO allocation (participant_id, stratum, position, arm, allocated_at, "
              "allocated_by) VALUES (?, ?, ?, ?, ?, ?)");
  s.bind(1, a.participant_id);
  s.bind(2, a.stratum);
  s.bind(3, static_cast<std::int64_t>(a.position));
  s.bind(4, a.arm);
  s.bind(5, a.allocated_at);
  s.bind(6, a.allocated_by);
  s.step();
}

namespace {

constexpr std::string_view allocation_columns =
    "a.participant_id, p.code, a.stratum, a.position, a.arm, a.allocated_at, a.allocated_by "
    "FROM allocation a JOIN participant p ON p.id = a.participant_id";

allocation_record read_allocation(const statement& s) {
  return {s.integer(0), s.text(1), s.text(2), static_cast<int>(s.integer(3)),
          s.text(4),    s.text(5), s.text(6)};
}

}  // namespace

std::optional<allocation_record> database::find_allocation(std::int64_t participant_id) {
  statement s(impl_->statements,
              "SELECT " + std::string(allocation_columns) + " WHERE a.participant_id = ?");
  s.bind(1, participant_id);
  if (!s.step()) return std::nullopt;
  return read_allocation(s);
}

std::vector<allocation_record> database::allocations() {
  statement s(impl_->statements, "SELECT " + std::string(allocation_columns) +
                                     " ORDER BY a.allocated_at, a.stratum, a.position");
  std::vector<allocation_record> out;
  while (s.step()) out.push_back(read_allocation(s));
  return out;
}

void database::insert_unblinding(std::optional<std::int64_t> participant_id, const std::string& at,
                                 const std::string& actor, const std::string& reason) {
  statement s(impl_->statements,
              "INSERT INTO unblinding (participant_id, at, actor, reason) VALUES (?, ?, ?, ?)");
  if (participant_id) {
    s.bind(1, *participant_id);
  } else {
    s.bind_null(1);
  }
  s.bind(2, at);
  s.bind(3, actor);
  s.bind(4, reason);
  s.step();
}

void database::lock_trial(const std::string& at) {
  statement s(impl_->statements, "UPDATE trial SET locked_at = ? WHERE id = 1");
  s.bind(1, at);
  s.step();
}

std::optional<audit_record> database::last_audit_entry() {
  statement s(impl_->statements,
              "SELECT seq, at, actor, action, entity, before, after, reason, prev_hash, hash "
              "FROM audit_entry ORDER BY seq DESC LIMIT 1");
  if (!s.step()) return std::nullopt;
  return audit_record{s.integer(0), s.text(1),          s.text(2),          s.text(3),
                      s.text(4),    s.optional_text(5), s.optional_text(6), s.optional_text(7),
                      s.text(8),    s.text(9)};
}

void database::append_audit_entry(const audit_record& e) {
  // Written by every change: a cached statement.
  statement s(impl_->statements,
              "INSERT INTO audit_entry (seq, at, actor, action, entity, before, after, reason, "
              "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  s.bind(1, e.seq);
  s.bind(2, e.at);
  s.bind(3, e.actor);
  s.bind(4, e.action);
  s.bind(5, e.entity);
  const auto bind_optional = [&s](int index, const std::optional<std::string>& v) {
    if (v) {
      s.bind(index, *v);
    } else {
      s.bind_null(index);
    }
  };
  bind_optional(6, e.before);
  bind_optional(7, e.after);
  bind_optional(8, e.reason);
  s.bind(9, e.prev_hash);
  s.bind(10, e.hash);
  s.step();
}

void database::for_each_audit_entry(const std::function<void(const audit_record&)>& visit) {
  statement s(impl_->statements,
              "SELECT seq, at, actor, action, entity, before, after, reason, prev_hash, hash "
              "FROM audit_entry ORDER BY seq");
  while (s.step()) {
    visit(audit_record{s.integer(0), s.text(1), s.text(2), s.text(3), s.text(4), s.optional_text(5),
                       s.optional_text(6), s.optional_text(7), s.text(8), s.text(9)});
  }
}

}  // namespace balint::storage
