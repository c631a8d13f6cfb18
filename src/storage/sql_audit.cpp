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
  // Within a transaction the chain grows only through append_audit_entry (writers of a trial
  // take turns), so its head is read once and then followed.
  if (depth_ > 0 && audit_head_) return *audit_head_;
  auto head =
      sql("SELECT " + std::string(audit_columns) + " ORDER BY seq DESC LIMIT 1").first(read_audit);
  if (depth_ > 0) audit_head_ = head;
  return head;
}

void sql_repositories::append_audit_entry(const audit_record& e) {
  // Written by every change: a cached statement.
  sql("INSERT INTO audit_entry (seq, at, actor, action, entity, before, after, reason, "
      "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
      .execute(e.seq, e.at, e.actor, e.action, e.entity, e.before, e.after, e.reason, e.prev_hash,
               e.hash);
  // Only once the row is in: a failed insert leaves the head unknown (read again).
  if (depth_ > 0) audit_head_ = std::optional<audit_record>(e);
}

void sql_repositories::for_each_audit_entry(const std::function<void(const audit_record&)>& visit) {
  auto s = sql("SELECT " + std::string(audit_columns) + " ORDER BY seq");
  while (s.step()) visit(read_audit(s));
}

}  // namespace balint::storage
