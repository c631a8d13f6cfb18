#include "balint/app/randomization_service.hpp"

#include "balint/app/services.hpp"
#include "balint/core/json.hpp"
#include "balint/core/text.hpp"
#include "balint/randomization/allocation_list.hpp"

#include <algorithm>
#include <random>
#include <set>

namespace balint::app {
namespace {

/// Why `stratum` has no position left: how many it had, and the way on.
core::error list_used_up(storage::database& db, const std::string& stratum, bool stratified) {
  std::size_t positions = 0;
  for (const auto& l : db.load_allocation_list()) {
    if (l.stratum == stratum) positions = l.entries.size();
  }
  const std::size_t extensions = db.list_extensions().size();
  const std::string list =
      stratified ? "the allocation list of stratum " + stratum : std::string("the allocation list");
  const std::string made_of = extensions == 0
                                  ? "as planned"
                                  : "planned and " + std::to_string(extensions) +
                                        (extensions == 1 ? " extension" : " extensions");
  return core::precondition_failed(
      "randomization", list + " is used up: all its " + std::to_string(positions) + " positions (" +
                           made_of +
                           ") are allocated; to go on, extend it with sealed blocks from a new "
                           "seed (who and why go into the audit trail)");
}

/// More extensions than any trial needs; bounds what verify regenerates from a hostile file.
constexpr std::size_t max_list_extensions = 100;

std::map<std::string, std::string> stratum_fields(const enrolment::participant& p) {
  return {{"gender", p.gender}, {"specialty", p.specialty.value_or("")}};
}

core::error not_enrolled(const std::string& code) {
  return core::not_found("participant",
                         "participant \"" + code + "\" is not enrolled in this trial");
}

core::result<storage::randomization_setup_record> sealed_setup(storage::database& db) {
  auto setup = db.load_randomization_setup();
  if (!setup) {
    return core::precondition_failed("randomization",
                                     "this trial has no allocation list (it was set up before "
                                     "randomization existed); set up the trial again in a new "
                                     "database");
  }
  return std::move(setup.value());
}

/// Why `who` cannot be randomized now, or nothing. Reads the database; writes nothing.
std::optional<core::error> refusal(storage::database& db, const loaded_trial& trial,
                                   const storage::participant_record& who) {
  const std::string& code = who.participant.code;
  if (const auto a = db.find_allocation(who.id)) {
    return core::conflict("participant", "participant " + code + " was already randomized on " +
                                             a->allocated_at + "; an allocation is final");
  }
  if (who.withdrawn()) {
    return core::precondition_failed("participant", "participant " + code + " withdrew on " +
                                                        who.withdrawal_day() +
                                                        " and cannot be randomized");
  }
  if (!who.participant.consent) {
    return core::precondition_failed("participant", "participant " + code +
                                                        " has not given written informed consent; "
                                                        "randomization needs consent");
  }
  if (trial.definition.randomization.baseline_required) {
    std::vector<outcomes::assessment> recorded;
    for (const auto& id : trial.definition.baseline_required) {
      if (auto a = db.find_assessment(who.id, trial.definition.baseline_timepoint, id)) {
        recorded.push_back({code, a->timepoint, a->instrument, a->items, 0});
      }
    }
    const auto gaps = outcomes::baseline_gaps(trial.definition, trial.instruments, recorded);
    if (!gaps.empty()) {
      return core::precondition_failed(
          "participant",
          "participant " + code +
              " cannot be randomized before the baseline is complete: " + core::join(gaps, "; "));
    }
  }
  return std::nullopt;
}

}  // namespace

list_seed random_list_seed() {
  std::random_device os_random;
  list_seed s;
  s.seed = os_random();
  static constexpr char hex[] = "0123456789abcdef";
  for (int i = 0; i < 8; ++i) {
    const std::uint32_t word = os_random();
    for (int k = 0; k < 8; ++k) s.salt_hex.push_back(hex[(word >> (4 * k)) & 0xf]);
  }
  return s;
}

core::result<void> ensure_unlocked(storage::database& db) {
  const auto t = db.load_trial();
  if (t && t->locked_at) {
    return core::precondition_failed("db", "the trial database was locked on " + *t->locked_at +
                                               "; no changes are accepted after the lock");
  }
  return {};
}

core::result<allocation_view> randomize(storage::database& db, const request& req,
                                        const std::string& participant) {
  auto trial = authorized_trial(db, req, use_case::randomize);
  if (!trial) return std::move(trial).error();
  storage::transaction tx(db);  // BEGIN IMMEDIATE: one allocator at a time
  if (auto ok = ensure_unlocked(db); !ok) return std::move(ok).error();
  if (auto setup = sealed_setup(db); !setup) return std::move(setup).error();
  const auto who = db.find_participant(participant);
  if (!who) return not_enrolled(participant);
  if (auto why = refusal(db, trial.value(), *who)) return std::move(*why);
  auto stratum =
      randomization::stratum_of(trial->definition.randomization, stratum_fields(who->participant));
  if (!stratum) return std::move(stratum).error();
  const auto entry = db.next_unused_entry(stratum.value());
  if (!entry) {
    return list_used_up(db, stratum.value(), !trial->definition.randomization.strata.empty());
  }
  storage::allocation_record a{who->id,    participant, stratum.value(), entry->position,
                               entry->arm, req.now,     req.actor};
  db.insert_allocation(a);
  core::json after;
  after["arm"] = a.arm;
  after["stratum"] = a.stratum;
  after["position"] = a.position;
  after["allocated_at"] = a.allocated_at;
  append_audit(db, req, "participant.randomize", "participant:" + participant, std::nullopt, after,
               std::nullopt);
  tx.commit();
  return allocation_view{participant, a.arm, a.stratum, a.allocated_at, a.allocated_by};
}

core::result<std::vector<batch_outcome>> randomize_all_eligible(storage::database& db,
                                                                const request& req) {
  auto trial = authorized_trial(db, req, use_case::randomize);
  if (!trial) return std::move(trial).error();
  if (auto ok = ensure_unlocked(db); !ok) return std::move(ok).error();
  std::vector<batch_outcome> out;
  for (const auto& r : db.participants()) {
    if (db.find_allocation(r.id)) continue;  // already randomized: not news
    auto a = randomize(db, req, r.participant.code);
    if (a) {
      out.push_back({r.participant.code, std::move(a.value()), ""});
    } else {
      out.push_back({r.participant.code, std::nullopt, a.error().message});
    }
  }
  return out;
}

core::result<list_extension_view> extend_allocation_list(storage::database& db, const request& req,
                                                         int blocks, const std::string& reason,
                                                         const list_seed& seed) {
  auto trial = authorized_trial(db, req, use_case::extend_allocation_list);
  if (!trial) return std::move(trial).error();
  const auto& scheme = trial->definition.randomization;
  const int largest_block =
      scheme.block_sizes.empty()
          ? 1
          : *std::max_element(scheme.block_sizes.begin(), scheme.block_sizes.end());
  if (blocks < 1 || blocks > 1000 || static_cast<long long>(blocks) * largest_block > 100000) {
    return core::invalid_input(
        "blocks", "the extension adds " + std::to_string(blocks) +
                      " blocks per stratum; allowed: 1 to " +
                      std::to_string(std::min(1000, 100000 / std::max(1, largest_block))) +
                      " (at most 100,000 positions per stratum at a time)");
  }
  const std::string why(core::trim(reason));
  if (why.empty() || core::code_points(why) > 2000) {
    return core::invalid_input("reason", "the reason for extending the allocation list is " +
                                             std::string(why.empty() ? "empty" : "too long") +
                                             "; allowed: 1 to 2000 characters saying why more "
                                             "positions are needed");
  }
  storage::transaction tx(db);
  if (auto ok = ensure_unlocked(db); !ok) return std::move(ok).error();
  auto setup = sealed_setup(db);
  if (!setup) return std::move(setup).error();
  const auto earlier = db.list_extensions();
  if (earlier.size() >= max_list_extensions) {
    return core::precondition_failed(
        "randomization", "the allocation list has been extended " + std::to_string(earlier.size()) +
                             " times; allowed: at most " + std::to_string(max_list_extensions));
  }
  const int segment = earlier.empty() ? 2 : earlier.back().segment + 1;
  const std::string extends = earlier.empty() ? setup->commitment : earlier.back().commitment;
  const auto added = randomization::extension(scheme, trial->definition.arms, seed.seed, blocks,
                                              db.load_allocation_list());
  const std::string commitment = randomization::extension_commitment(
      scheme, extends, segment, seed.seed, seed.salt_hex, blocks, added);
  db.insert_allocation_list(added);
  db.insert_list_extension(
      {segment, seed.seed, seed.salt_hex, blocks, why, commitment, req.now, req.actor});
  core::json after;
  after["segment"] = segment;
  after["blocks"] = blocks;
  after["commitment"] = commitment;
  after["extends"] = extends;
  after["seed_given_by_user"] = seed.from_user;
  append_audit(db, req, "randomization.extend", "allocation_list:" + std::to_string(segment),
               std::nullopt, after, why);
  tx.commit();
  return list_extension_view{segment, blocks, added.size(), commitment,
                             extends, why,    req.now,      req.actor};
}

core::result<randomization_check> verify_randomization(storage::database& db, const request& req) {
  auto trial = authorized_trial(db, req, use_case::verify_randomization);
  if (!trial) return std::move(trial).error();
  auto setup = sealed_setup(db);
  if (!setup) return std::move(setup).error();
  randomization_check check;
  check.commitment = setup->commitment;
  auto fail = [&](std::string problem) {
    check.ok = false;
    check.problem = std::move(problem);
    return check;
  };
  const auto& scheme = trial->definition.randomization;
  const auto& arms = trial->definition.arms;
  const auto planned = randomization::generate(scheme, arms, setup->seed);
  // The list as the planned seed and every extension's seed give it, each extension appended
  // after what came before it; each extension's commitment is checked on the way.
  auto regenerated = planned;
  std::string previous = setup->commitment;
  int expected_segment = 2;
  const auto extensions = db.list_extensions();
  if (extensions.size() > max_list_extensions) {
    return fail("the database records " + std::to_string(extensions.size()) +
                " list extensions; the program makes at most " +
                std::to_string(max_list_extensions) + ": rows were added by hand");
  }
  for (const auto& e : extensions) {
    if (e.blocks < 1 || e.blocks > 1000) {
      return fail("list extension " + std::to_string(e.segment) + " records " +
                  std::to_string(e.blocks) +
                  " blocks, which the program never makes (1 to 1000): the row was changed");
    }
    if (e.segment != expected_segment) {
      return fail("list extension " + std::to_string(expected_segment) +
                  " is missing: the recorded extensions jump to " + std::to_string(e.segment));
    }
    const auto added = randomization::extension(scheme, arms, e.seed, e.blocks, regenerated);
    const auto recomputed = randomization::extension_commitment(scheme, previous, e.segment, e.seed,
                                                                e.salt, e.blocks, added);
    if (recomputed != e.commitment) {
      return fail("the commitment of list extension " + std::to_string(e.segment) + " (" +
                  e.commitment + ", " + e.created_at + ") does not match its seed, salt and the " +
                  "list before it (" + recomputed + "): the extension was altered");
    }
    for (auto& list : regenerated) {
      for (const auto& a : added) {
        if (a.stratum == list.stratum) {
          list.entries.insert(list.entries.end(), a.entries.begin(), a.entries.end());
        }
      }
    }
    check.extension_commitments.push_back(e.commitment);
    previous = e.commitment;
    ++expected_segment;
  }
  const auto stored = db.load_allocation_list();
  check.strata = stored.size();
  if (randomization::compare_lists(stored, regenerated)) {
    // Name the place, but an arm only where it is already allocated: a failed check must not
    // reveal future allocations.
    std::set<std::pair<std::string, int>> used;
    for (const auto& a : db.allocations()) used.insert({a.stratum, a.position});
    for (const auto& r : regenerated) {
      const auto s = std::find_if(stored.begin(), stored.end(),
                                  [&](const auto& l) { return l.stratum == r.stratum; });
      if (s == stored.end()) {
        return fail("the stored allocation list has no stratum " + r.stratum +
                    ", which the recorded seed gives");
      }
      for (std::size_t i = 0; i < r.entries.size(); ++i) {
        const auto& want = r.entries[i];
        if (i < s->entries.size() && s->entries[i] == want) continue;
        std::string where = "stratum " + r.stratum + ", position " + std::to_string(want.position);
        if (used.count({r.stratum, want.position}) && i < s->entries.size()) {
          where += " (stored " + s->entries[i].arm + ", the seed gives " + want.arm + ")";
        }
        return fail("the stored allocation list differs from the one the recorded seed gives at " +
                    where);
      }
      if (s->entries.size() != r.entries.size()) {
        return fail("the stored allocation list of stratum " + r.stratum + " has " +
                    std::to_string(s->entries.size()) + " positions; the recorded seed gives " +
                    std::to_string(r.entries.size()));
      }
    }
    return fail("the stored allocation list has strata the recorded seed does not give");
  }
  const auto recomputed =
      randomization::commitment(scheme, arms, setup->seed, setup->salt, planned);
  if (recomputed != setup->commitment) {
    return fail("the commitment recorded at init (" + setup->commitment +
                ") does not match the list, seed and salt (" + recomputed +
                "): the sealed set-up was altered");
  }
  // The audit trail's record of every allocation, by participant code, and of every extension.
  std::map<std::string, core::json> audited;
  std::size_t audited_count = 0;
  std::vector<std::string> audited_extensions;
  db.for_each_audit_entry([&](const storage::audit_record& e) {
    if (e.action == "randomization.extend" && e.after) {
      auto j = core::parse_json(*e.after);
      const core::json* c = j ? j->find("commitment") : nullptr;
      audited_extensions.push_back(c != nullptr && c->is_string() ? c->as_string() : "");
      return;
    }
    if (e.action != "participant.randomize" || !e.after) return;
    auto j = core::parse_json(*e.after);
    if (!j) return;
    ++audited_count;
    audited[e.entity.substr(std::string_view("participant:").size())] = std::move(j.value());
  });
  if (audited_extensions != check.extension_commitments) {
    return fail("the audit trail records " + std::to_string(audited_extensions.size()) +
                " list extensions, the database " +
                std::to_string(check.extension_commitments.size()) +
                (audited_extensions.size() == check.extension_commitments.size()
                     ? ", with other commitments"
                     : "") +
                ": an extension was removed, replaced or added by hand");
  }
  const auto made = db.allocations();
  check.allocations = made.size();
  std::map<std::string, std::vector<const storage::allocation_record*>> by_stratum;
  for (const auto& a : made) {
    const std::string who =
        "the allocation of participant " + a.participant_code + " (" + a.allocated_at + ")";
    const auto p = db.find_participant(a.participant_code);
    if (!p) return fail(who + " names a participant who is not enrolled");
    const auto expected_stratum = randomization::stratum_of(scheme, stratum_fields(p->participant));
    if (!expected_stratum || expected_stratum.value() != a.stratum) {
      return fail(who + " is in stratum " + a.stratum + ", but the participant belongs to " +
                  (expected_stratum ? expected_stratum.value() : "no stratum"));
    }
    const auto list = std::find_if(stored.begin(), stored.end(),
                                   [&](const auto& l) { return l.stratum == a.stratum; });
    if (list == stored.end() || a.position < 1 ||
        a.position > static_cast<int>(list->entries.size())) {
      return fail(who + " uses position " + std::to_string(a.position) +
                  ", which the list of stratum " + a.stratum + " does not have");
    }
    const auto& expected_arm = list->entries[static_cast<std::size_t>(a.position - 1)].arm;
    if (expected_arm != a.arm) {
      return fail(who + " is recorded as " + a.arm + ", but list position " +
                  std::to_string(a.position) + " of stratum " + a.stratum + " is " + expected_arm);
    }
    const auto audit = audited.find(a.participant_code);
    if (audit == audited.end()) {
      return fail(who + " has no entry in the audit trail: it was not made by balint-trial");
    }
    const auto& j = audit->second;
    auto field = [&](const char* key) {
      const auto* v = j.find(key);
      return v ? v->dump() : std::string("null");
    };
    if (field("arm") != core::json(a.arm).dump() ||
        field("stratum") != core::json(a.stratum).dump() ||
        field("position") != core::json(a.position).dump() ||
        field("allocated_at") != core::json(a.allocated_at).dump()) {
      return fail(who + " differs from its audit entry (arm " + field("arm") + ", stratum " +
                  field("stratum") + ", position " + field("position") + ", time " +
                  field("allocated_at") + "): the allocation row was changed");
    }
    by_stratum[a.stratum].push_back(&a);
  }
  if (audited_count != made.size()) {
    return fail("the audit trail records " + std::to_string(audited_count) +
                " allocations, but the database holds " + std::to_string(made.size()) +
                ": allocation rows were removed or added by hand");
  }
  // Positions are taken in order: the k-th allocation of a stratum uses position k.
  for (auto& [stratum, list] : by_stratum) {
    std::sort(list.begin(), list.end(),
              [](const auto* x, const auto* y) { return x->position < y->position; });
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (list[i]->position != static_cast<int>(i + 1)) {
        return fail("stratum " + stratum + ": position " + std::to_string(i + 1) +
                    " was skipped (the allocation of " + list[i]->participant_code +
                    " uses position " + std::to_string(list[i]->position) + ")");
      }
    }
  }
  return check;
}

core::result<std::vector<allocation_view>> list_allocations(storage::database& db,
                                                            const request& req) {
  auto trial = authorized_trial(db, req, use_case::list_allocations);
  if (!trial) return std::move(trial).error();
  std::vector<allocation_view> out;
  for (auto& a : db.allocations()) {
    out.push_back({std::move(a.participant_code), std::move(a.arm), std::move(a.stratum),
                   std::move(a.allocated_at), std::move(a.allocated_by)});
  }
  return out;
}

core::result<randomization_counts> randomization_status(storage::database& db, const request& req) {
  auto trial = authorized_trial(db, req, use_case::view_randomization_status);
  if (!trial) return std::move(trial).error();
  randomization_counts c;
  c.planned = trial->definition.planned_participants;
  for (const auto& a : trial->definition.arms) {
    c.arms.push_back(a.id);
    c.per_arm[a.id] = 0;
  }
  for (const auto& r : db.participants()) c.enrolled += r.withdrawn() ? 0 : 1;
  for (const auto& a : db.allocations()) {
    ++c.randomized;
    ++c.per_arm[a.arm];
    ++c.per_stratum[a.stratum][a.arm];
  }
  return c;
}

core::result<revealed_list> reveal_list(storage::database& db, const request& req,
                                        const std::string& reason) {
  auto trial = authorized_trial(db, req, use_case::reveal_allocation_list);
  if (!trial) return std::move(trial).error();
  storage::transaction tx(db);
  const auto t = db.load_trial();
  if (!t->locked_at) {
    return core::precondition_failed(
        "db",
        "the allocation list stays sealed until the trial is locked; in an emergency one "
        "randomized participant can be unblinded, with a reason");
  }
  if (core::trim(reason).empty()) {
    return core::invalid_input("reason", "revealing the list needs a reason");
  }
  auto setup = sealed_setup(db);
  if (!setup) return std::move(setup).error();
  db.insert_unblinding(std::nullopt, req.now, req.actor, reason);
  core::json after;
  after["commitment"] = setup->commitment;
  append_audit(db, req, "randomization.reveal", "allocation-list", std::nullopt, after, reason);
  revealed_list out{std::move(setup.value()), db.list_extensions(), db.load_allocation_list(),
                    db.allocations()};
  tx.commit();
  return out;
}

core::result<allocation_view> unblind_participant(storage::database& db, const request& req,
                                                  const std::string& participant,
                                                  const std::string& reason) {
  auto trial = authorized_trial(db, req, use_case::unblind_participant);
  if (!trial) return std::move(trial).error();
  if (core::trim(reason).empty()) {
    return core::invalid_input("reason",
                               "emergency unblinding needs a reason; it is kept "
                               "in the audit trail");
  }
  storage::transaction tx(db);
  const auto who = db.find_participant(participant);
  if (!who) return not_enrolled(participant);
  auto a = db.find_allocation(who->id);
  if (!a) {
    return core::precondition_failed(
        "participant", "participant " + participant +
                           " is not randomized yet; there is no allocation to unblind, and "
                           "future allocations are never shown");
  }
  db.insert_unblinding(who->id, req.now, req.actor, reason);
  core::json after;
  after["arm"] = a->arm;
  append_audit(db, req, "randomization.unblind", "participant:" + participant, std::nullopt, after,
               reason);
  tx.commit();
  return allocation_view{participant, a->arm, a->stratum, a->allocated_at, a->allocated_by};
}

core::result<std::string> lock_trial(storage::database& db, const request& req,
                                     const std::string& reason) {
  auto trial = authorized_trial(db, req, use_case::lock_trial);
  if (!trial) return std::move(trial).error();
  storage::transaction tx(db);
  if (auto ok = ensure_unlocked(db); !ok) return std::move(ok).error();
  db.lock_trial(req.now);
  core::json before;
  before["locked"] = false;
  core::json after;
  after["locked"] = true;
  after["locked_at"] = req.now;
  append_audit(db, req, "trial.lock", "trial:" + trial->definition.id, before, after,
               core::trim(reason).empty() ? std::nullopt : std::optional<std::string>(reason));
  tx.commit();
  return req.now;
}

}  // namespace balint::app
