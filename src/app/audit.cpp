#include "balint/app/audit.hpp"

#include "balint/core/sha256.hpp"

namespace balint::app {

std::string canonical_audit_entry(const storage::audit_record& e) {
  const auto text_or_null = [](const std::optional<std::string>& v) {
    return v ? core::json(*v) : core::json(nullptr);
  };
  // Keys are sorted when printed, so the order here does not change the canonical bytes.
  const core::json j = core::json::object{{"seq", e.seq},
                                          {"at", e.at},
                                          {"actor", e.actor},
                                          {"action", e.action},
                                          {"entity", e.entity},
                                          {"before", text_or_null(e.before)},
                                          {"after", text_or_null(e.after)},
                                          {"reason", text_or_null(e.reason)}};
  return j.dump();
}

std::string audit_hash(const std::string& prev_hash, const storage::audit_record& entry) {
  return core::sha256_hex(prev_hash + canonical_audit_entry(entry));
}

void append_audit(storage::database& db, const request& req, std::string action, std::string entity,
                  std::optional<core::json> before, std::optional<core::json> after,
                  std::optional<std::string> reason) {
  const auto last = db.last_audit_entry();
  storage::audit_record e;
  e.seq = last ? last->seq + 1 : 1;
  e.at = req.now;
  e.actor = req.actor;
  e.action = std::move(action);
  e.entity = std::move(entity);
  if (before) e.before = before->dump();
  if (after) e.after = after->dump();
  e.reason = std::move(reason);
  e.prev_hash = last ? last->hash : genesis_hash;
  e.hash = audit_hash(e.prev_hash, e);
  db.append_audit_entry(e);
}

namespace {

std::string describe(const storage::audit_record& e) {
  return "entry " + std::to_string(e.seq) + " (" + e.action + " of " + e.entity + " by " + e.actor +
         " at " + e.at + ")";
}

}  // namespace

audit_verification verify_audit(storage::database& db) {
  audit_verification v;
  std::optional<storage::audit_record> previous;
  std::int64_t expected_seq = 1;
  db.for_each_audit_entry([&](const storage::audit_record& e) {
    if (!v.ok) return;
    ++v.entries;
    const std::string prev_hash = previous ? previous->hash : genesis_hash;
    if (e.seq != expected_seq) {
      v.ok = false;
      v.first_broken = expected_seq;
      v.problem = "entry " + std::to_string(expected_seq) +
                  " is missing: the trail jumps from entry " + std::to_string(expected_seq - 1) +
                  " to entry " + std::to_string(e.seq) + "; entries were deleted";
    } else if (audit_hash(e.prev_hash, e) != e.hash) {
      v.ok = false;
      v.first_broken = e.seq;
      v.problem = describe(e) +
                  " was changed after it was written: its content no longer "
                  "matches its hash";
    } else if (e.prev_hash != prev_hash) {
      // Entry e is intact, so the one before it was changed and its hash recomputed (or e's
      // link was forged): either way the break is at the previous entry.
      v.ok = false;
      v.first_broken = previous ? previous->seq : e.seq;
      v.problem = (previous ? describe(*previous) : describe(e)) +
                  " was changed after it was written and its hash recomputed: entry " +
                  std::to_string(e.seq) + " still records the hash it had before (" +
                  e.prev_hash.substr(0, 12) + "...)";
    }
    previous = e;
    ++expected_seq;
  });
  if (v.ok) v.head_hash = previous ? previous->hash : genesis_hash;
  return v;
}

}  // namespace balint::app
