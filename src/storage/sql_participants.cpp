// participant_repository (SQL shared by both backends): enrolment and withdrawal.
#include "sql_repositories.hpp"

#include "balint/core/text.hpp"

namespace balint::storage {

namespace {

std::vector<std::string> split_available(const std::string& text) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  for (auto piece : core::split(text, ';')) out.emplace_back(piece);
  return out;
}

constexpr std::string_view participant_columns =
    "id, code, age, gender, specialty, consent, balint_knowledge, balint_times, available, "
    "enrolled_at, withdrawn_at, withdrawal_reason, consent_date, withdrawal_date, "
    "withdrawal_category";

participant_record read_participant(const detail::statement& s) {
  participant_record r;
  r.id = s.integer(0);
  r.participant.code = s.text(1);
  r.participant.age = static_cast<int>(s.integer(2));
  r.participant.gender = s.text(3);
  r.participant.specialty = s.optional_text(4);
  r.participant.consent = s.integer(5) != 0;
  r.participant.balint_knowledge = s.optional_int(6);
  r.participant.balint_times = s.optional_int(7);
  r.participant.available = split_available(s.text(8));
  r.enrolled_at = s.text(9);
  r.withdrawn_at = s.optional_text(10);
  r.withdrawal_reason = s.optional_text(11);
  r.participant.consent_date = s.optional_text(12).value_or("");
  r.withdrawal_date = s.optional_text(13);
  r.withdrawal_category = s.optional_text(14);
  return r;
}

}  // namespace

std::optional<participant_record> sql_repositories::find_participant(std::string_view code) {
  return participant_reads_.get(depth_, std::string(code), [&] {
    return sql("SELECT " + std::string(participant_columns) + " FROM participant WHERE code = ?")
        .bind_all(code)
        .first(read_participant);
  });
}

std::vector<participant_record> sql_repositories::participants() {
  return sql("SELECT " + std::string(participant_columns) + " FROM participant ORDER BY id")
      .all(read_participant);
}

void sql_repositories::insert_participants(const std::vector<enrolment::participant>& list,
                                           const std::string& enrolled_at) {
  forget_reads();
  // One prepared statement for all rows, stepped once per row.
  auto insert =
      sql("INSERT INTO participant (code, age, gender, specialty, consent, balint_knowledge, "
          "balint_times, available, enrolled_at, consent_date) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
          "?)");
  for (const auto& p : list) {
    const std::optional<std::string> consent_date =
        p.consent_date.empty() ? std::nullopt : std::optional(p.consent_date);
    insert.execute(p.code, p.age, p.gender, p.specialty, p.consent, p.balint_knowledge,
                   p.balint_times, enrolment::format_available(p.available), enrolled_at,
                   consent_date);
  }
}

void sql_repositories::withdraw_participant(std::int64_t id, const new_withdrawal& w) {
  forget_reads();
  sql("UPDATE participant SET withdrawn_at = ?, withdrawal_reason = ?, withdrawal_date = ?, "
      "withdrawal_category = ? WHERE id = ?")
      .execute(w.at, w.reason, w.date, w.category, id);
}

}  // namespace balint::storage
