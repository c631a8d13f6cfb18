// survey_repository (SQL shared by both backends): participants' survey links, found by the
// SHA-256 of their token.
#include "sql_repositories.hpp"

namespace balint::storage {

namespace {

constexpr std::string_view link_columns =
    "l.id, l.token_hash, l.participant_id, p.code, l.timepoint, l.instruments, l.issued_at, "
    "l.issued_by, l.expires_at, l.state, l.answers, l.saved_at, l.submitted_at, l.revoked_at, "
    "l.revoke_reason FROM survey_link l JOIN participant p ON p.id = l.participant_id";

survey_link_record read_link(const detail::statement& s) {
  survey_link_record r;
  r.id = s.integer(0);
  r.token_hash = s.text(1);
  r.participant_id = s.integer(2);
  r.participant_code = s.text(3);
  r.timepoint = s.text(4);
  r.instruments = s.text(5);
  r.issued_at = s.text(6);
  r.issued_by = s.text(7);
  r.expires_at = s.text(8);
  r.state = s.text(9);
  r.answers = s.optional_text(10);
  r.saved_at = s.optional_text(11);
  r.submitted_at = s.optional_text(12);
  r.revoked_at = s.optional_text(13);
  r.revoke_reason = s.optional_text(14);
  return r;
}

}  // namespace

void sql_repositories::insert_survey_links(const std::vector<survey_link_record>& links) {
  auto insert =
      sql("INSERT INTO survey_link (token_hash, participant_id, timepoint, instruments, "
          "issued_at, issued_by, expires_at, state) VALUES (?, ?, ?, ?, ?, ?, ?, 'open')");
  for (const auto& l : links) {
    insert.execute(l.token_hash, l.participant_id, l.timepoint, l.instruments, l.issued_at,
                   l.issued_by, l.expires_at);
  }
}

std::optional<survey_link_record> sql_repositories::find_survey_link(std::string_view token_hash) {
  return sql("SELECT " + std::string(link_columns) + " WHERE l.token_hash = ?")
      .bind_all(token_hash)
      .first(read_link);
}

std::vector<survey_link_record> sql_repositories::survey_links(std::string_view timepoint) {
  if (timepoint.empty()) {
    return sql("SELECT " + std::string(link_columns) + " ORDER BY l.id").all(read_link);
  }
  return sql("SELECT " + std::string(link_columns) + " WHERE l.timepoint = ? ORDER BY l.id")
      .bind_all(timepoint)
      .all(read_link);
}

void sql_repositories::save_survey_answers(std::int64_t link_id, const std::string& answers,
                                           const std::string& at) {
  sql("UPDATE survey_link SET answers = ?, saved_at = ? WHERE id = ? AND state = 'open'")
      .execute(answers, at, link_id);
}

void sql_repositories::mark_survey_link_submitted(std::int64_t link_id, const std::string& at) {
  sql("UPDATE survey_link SET state = 'submitted', submitted_at = ?, answers = NULL "
      "WHERE id = ? AND state = 'open'")
      .execute(at, link_id);
}

void sql_repositories::revoke_survey_link(std::int64_t link_id, const std::string& at,
                                          const std::string& reason) {
  sql("UPDATE survey_link SET state = 'revoked', revoked_at = ?, revoke_reason = ?, "
      "answers = NULL WHERE id = ? AND state = 'open'")
      .execute(at, reason, link_id);
}

}  // namespace balint::storage
