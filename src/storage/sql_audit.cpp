// audit_repository (SQL shared by both backends): the append-only, hash-chained audit trail.
#include "sql_repositories.hpp"

namespace balint::storage {

namespace {

constexpr std::string_view audit_columns =
    "seq, at, actor, action, entity, before, after, reason, prev_hash, hash FROM audit_entry";

audit_record read_audit(const detail::statement& s) {
  return {s.integer(0),       s.text(1),          s.text(2),          s.text(3), s.text(4),
          s.optional_text(5), s.optional_text(6), s.optional_text(7), s.text(8), s.text(9)};
}

}  // namespace

std::optional<audit_record> sql_repositories::last_audit_entry() {
  return sql("SELECT " + std::string(audit_columns) + " ORDER BY seq DESC LIMIT 1")
      .first(read_audit);
}

void sql_repositories::append_audit_entry(const audit_record& e) {
  // Written by every change: a cached statement.
  sql("INSERT INTO audit_entry (seq, at, actor, action, entity, before, after, reason, "
      "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
      .execute(e.seq, e.at, e.actor, e.action, e.entity, e.before, e.after, e.reason, e.prev_hash,
               e.hash);
}

void sql_repositories::for_each_audit_entry(const std::function<void(const audit_record&)>& visit) {
  auto s = sql("SELECT " + std::string(audit_columns) + " ORDER BY seq");
  while (s.step()) visit(read_audit(s));
}

}  // namespace balint::storage
