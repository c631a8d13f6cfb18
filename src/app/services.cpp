#include "balint/app/services.hpp"

#include "balint/core/json_schema.hpp"
#include "balint/core/sha256.hpp"
#include "balint/core/text.hpp"
#include "balint/randomization/allocation_list.hpp"
#include "balint/resources/resources.hpp"

#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <unordered_map>

namespace balint::app {
namespace {

core::json participant_json(const enrolment::participant& p) {
  core::json j;
  j["code"] = p.code;
  j["age"] = p.age;
  j["gender"] = p.gender;
  j["specialty"] = p.specialty ? core::json(*p.specialty) : core::json(nullptr);
  j["consent"] = p.consent;
  j["balint_knowledge"] = p.balint_knowledge ? core::json(*p.balint_knowledge) : core::json();
  j["balint_times"] = p.balint_times ? core::json(*p.balint_times) : core::json();
  j["available"] = enrolment::format_available(p.available);
  return j;
}

core::json items_json(const instruments::item_values& items) {
  core::json::array a;
  for (const auto& v : items) a.push_back(v ? core::json(*v) : core::json(nullptr));
  return core::json(std::move(a));
}

std::string entity_of(const std::string& participant, const std::string& timepoint,
                      const std::string& instrument) {
  return "assessment:" + participant + "/" + timepoint + "/" + instrument;
}

core::result<core::json> parse_resource_json(std::string_view path) {
  const auto text = resources::find(path);
  if (!text) {
    return core::error{core::error_code::not_found, "resource",
                       "the program has no built-in file " + std::string(path)};
  }
  return core::parse_json(*text);
}

/// A built-in JSON file (a schema), parsed once per process: the embedded files never change.
/// Shared read-only by every thread; the cache is never destroyed (no destructor racing a thread
/// still validating at exit).
core::result<std::shared_ptr<const core::json>> builtin_json(std::string_view path) {
  struct cache {
    std::mutex mutex;
    std::map<std::string, std::shared_ptr<const core::json>, std::less<>> parsed;
  };
  static auto* const shared = new cache;  // NOLINT: intentionally never destroyed
  std::lock_guard lock(shared->mutex);
  if (const auto it = shared->parsed.find(path); it != shared->parsed.end()) return it->second;
  auto doc = parse_resource_json(path);
  if (!doc) return std::move(doc).error();
  auto parsed = std::make_shared<const core::json>(std::move(doc.value()));
  shared->parsed.emplace(std::string(path), parsed);
  return parsed;
}

/// Loads, schema-checks and parses every instrument the trial names from the built-in files.
core::result<outcomes::instrument_set> builtin_instruments(const trial::trial_definition& trial) {
  auto schema = builtin_json("schemas/instrument.schema.json");
  if (!schema) return std::move(schema).error();
  outcomes::instrument_set set;
  std::vector<std::string> known;
  for (const auto& path : resources::list("schemas/instruments/")) {
    known.push_back(path.substr(19, path.size() - 19 - 5));
  }
  for (std::size_t k = 0; k < trial.instruments.size(); ++k) {
    const auto& id = trial.instruments[k];
    auto doc = parse_resource_json("schemas/instruments/" + id + ".json");
    if (!doc) {
      return core::invalid_input("$.instruments[" + std::to_string(k) + "]",
                                 "trial definition: instrument \"" + id +
                                     "\" is not known; known instruments: " + core::one_of(known));
    }
    const auto problems = core::validate_json(doc.value(), *schema.value());
    if (!problems.empty()) {
      return core::invalid_input(problems.front().path,
                                 "instrument " + id + ": " + problems.front().message);
    }
    auto inst = instruments::parse_instrument(doc.value());
    if (!inst) return std::move(inst).error();
    set.emplace(id, std::move(inst.value()));
  }
  for (std::size_t k = 0; k < trial.outcomes.size(); ++k) {
    const auto& o = trial.outcomes[k];
    const auto it = set.find(o.instrument);
    if (it == set.end() || it->second.find_subscale(o.subscale) == nullptr) {
      return core::invalid_input("$.outcomes[" + std::to_string(k) + "].subscale",
                                 "trial definition: outcome " + o.id + " names subscale \"" +
                                     o.subscale + "\" of " + o.instrument +
                                     ", which that instrument does not have");
    }
  }
  return set;
}

enrolment::enrolment_rules rules_of(const trial::trial_definition& t) {
  enrolment::enrolment_rules r;
  r.min_age = t.eligibility.min_age;
  r.max_age = t.eligibility.max_age;
  r.consent_required = t.eligibility.consent_required;
  r.genders = t.eligibility.genders;
  r.availability_options = t.availability_options;
  return r;
}

core::result<trial::trial_definition> parse_definition(const core::json& doc) {
  auto schema = builtin_json("schemas/trial.schema.json");
  if (!schema) return std::move(schema).error();
  return trial::parse_trial_definition(doc, *schema.value());
}

core::error not_enrolled(const std::string& code) {
  return core::not_found("participant", "participant \"" + code +
                                            "\" is not enrolled in this trial; see "
                                            "'balint-trial participant list'");
}

}  // namespace

namespace {

/// The stored texts a loaded_trial is parsed from: the definition and every instrument (id,
/// definition) in id order.
struct trial_texts {
  std::string definition;
  std::vector<std::pair<std::string, std::string>> instruments;

  friend bool operator==(const trial_texts&, const trial_texts&) = default;
};

/// Trials already parsed and checked, by their exact stored texts: parsing and schema-checking a
/// definition costs far more than reading it, and a trial's texts do not change after init.
/// Different text (another database, a changed row) is simply another entry. Process-wide and
/// thread-safe; the few most recently used are kept.
class trial_cache {
 public:
  std::shared_ptr<const loaded_trial> find(const trial_texts& key) {
    std::lock_guard lock(mutex_);
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (it->first == key) {
        entries_.splice(entries_.begin(), entries_, it);  // most recently used first
        return entries_.front().second;
      }
    }
    return nullptr;
  }

  void add(trial_texts key, std::shared_ptr<const loaded_trial> trial) {
    std::lock_guard lock(mutex_);
    for (const auto& e : entries_) {
      if (e.first == key) return;  // another thread parsed the same texts meanwhile
    }
    entries_.emplace_front(std::move(key), std::move(trial));
    if (entries_.size() > max_entries) entries_.pop_back();
  }

 private:
  static constexpr std::size_t max_entries = 8;
  std::mutex mutex_;
  std::list<std::pair<trial_texts, std::shared_ptr<const loaded_trial>>> entries_;
};

trial_cache& parsed_trials() {
  static auto* const cache = new trial_cache;  // NOLINT: intentionally never destroyed
  return *cache;
}

core::result<loaded_trial> parse_trial(const trial_texts& texts) {
  auto doc = core::parse_json(texts.definition);
  if (!doc) return std::move(doc).error();
  auto def = parse_definition(doc.value());
  if (!def) return std::move(def).error();
  // The instruments as stored at init, so a later program version cannot change a running
  // trial's scoring.
  loaded_trial t{std::move(def.value()), {}, {}};
  for (const auto& [id, text] : texts.instruments) {
    auto j = core::parse_json(text);
    if (!j) return std::move(j).error();
    auto inst = instruments::parse_instrument(j.value());
    if (!inst) return std::move(inst).error();
    t.instruments.emplace(id, std::move(inst.value()));
  }
  t.rules = rules_of(t.definition);
  return t;
}

}  // namespace

core::result<loaded_trial> load_trial(storage::database& db) {
  auto stored = db.load_trial();
  if (!stored) {
    return core::precondition_failed(
        "db", "this database holds no trial yet; set one up with 'balint-trial init --db FILE'");
  }
  trial_texts texts{std::move(stored->definition), db.load_instruments()};
  if (const auto hit = parsed_trials().find(texts)) return *hit;
  auto parsed = parse_trial(texts);
  if (!parsed) return std::move(parsed).error();  // refusals are not cached: they are rare
  auto shared = std::make_shared<const loaded_trial>(std::move(parsed.value()));
  parsed_trials().add(std::move(texts), shared);
  return *shared;
}

core::result<init_result> init_trial(storage::database& db, const request& req,
                                     const std::optional<std::string>& config_text,
                                     const list_seed& seed) {
  const std::string text =
      config_text ? *config_text : std::string(*resources::find("schemas/trials/tongji-2020.json"));
  auto doc = core::parse_json(text);
  if (!doc) {
    return core::invalid_input("config",
                               "the trial definition is not valid JSON: " + doc.error().message);
  }
  auto def = parse_definition(doc.value());
  if (!def) return std::move(def).error();
  auto set = builtin_instruments(def.value());
  if (!set) return std::move(set).error();

  storage::transaction tx(db);
  if (const auto existing = db.load_trial()) {
    return core::conflict("db", "this database already holds the trial \"" + existing->key +
                                    "\" (set up " + existing->created_at +
                                    "); use a new file for a new trial");
  }
  const std::string canonical = doc.value().dump();
  db.insert_trial({def->id, canonical, req.now, std::nullopt});
  for (const auto& id : def->instruments) {
    auto instrument_doc = parse_resource_json("schemas/instruments/" + id + ".json");
    db.insert_instrument(id, instrument_doc.value().dump());
  }
  // Generate and seal the allocation list.
  const auto& scheme = def->randomization;
  const auto lists = randomization::generate(scheme, def->arms, seed.seed);
  const std::string commitment =
      randomization::commitment(scheme, def->arms, seed.seed, seed.salt_hex, lists);
  const core::json* scheme_json = doc.value().find("randomization");
  db.insert_randomization_setup({"balint-trial/randomization/1", seed.seed, seed.salt_hex,
                                 scheme_json ? scheme_json->dump() : "{}", commitment, req.now});
  db.insert_allocation_list(lists);
  std::size_t positions = 0;
  for (const auto& l : lists) positions += l.entries.size();

  core::json after;
  after["allocation_list_commitment"] = commitment;
  after["seed_given_by_user"] = seed.from_user;
  after["trial"] = def->id;
  after["title"] = def->title;
  after["definition_sha256"] = core::sha256_hex(canonical);
  after["schema_version"] = storage::database::latest_schema_version();
  append_audit(db, req, "trial.init", "trial:" + def->id, std::nullopt, after, std::nullopt);
  tx.commit();
  return init_result{def->id,          def->title, def->planned_participants,
                     def->instruments, commitment, lists.size(),
                     positions};
}

core::result<storage::participant_record> add_participant(storage::database& db, const request& req,
                                                          const enrolment::participant_fields& f) {
  auto trial = load_trial(db);
  if (!trial) return std::move(trial).error();
  auto p = enrolment::parse_participant(trial->rules, f);
  if (!p) return std::move(p).error();
  storage::transaction tx(db);
  if (auto ok = ensure_unlocked(db); !ok) return std::move(ok).error();
  if (db.find_participant(p->code)) {
    return core::conflict("code", "participant code \"" + p->code +
                                      "\" is already enrolled; every participant needs their "
                                      "own code");
  }
  db.insert_participants({p.value()}, req.now);
  append_audit(db, req, "participant.add", "participant:" + p->code, std::nullopt,
               participant_json(p.value()), std::nullopt);
  auto record = db.find_participant(p->code);
  tx.commit();
  return std::move(record.value());
}

core::result<std::size_t> import_participants(storage::database& db, const request& req,
                                              const std::string& csv_text) {
  auto trial = load_trial(db);
  if (!trial) return std::move(trial).error();
  auto list = enrolment::parse_participant_csv(trial->rules, csv_text);
  if (!list) return std::move(list).error();
  if (list->empty()) {
    return core::invalid_input("csv",
                               "the file has a header but no participants; nothing to "
                               "import");
  }
  storage::transaction tx(db);
  if (auto ok = ensure_unlocked(db); !ok) return std::move(ok).error();
  std::set<std::string, std::less<>> existing;
  for (const auto& r : db.participants()) existing.insert(r.participant.code);
  for (const auto& p : list.value()) {
    if (existing.count(p.code)) {
      return core::conflict("code", "participant code \"" + p.code +
                                        "\" in the file is already enrolled; nothing was "
                                        "imported");
    }
  }
  db.insert_participants(list.value(), req.now);
  core::json after;
  after["participants"] = list->size();
  after["csv_sha256"] = core::sha256_hex(csv_text);
  if (!list->empty()) {
    after["first_code"] = list->front().code;
    after["last_code"] = list->back().code;
  }
  append_audit(db, req, "participant.import", "participants", std::nullopt, after, std::nullopt);
  tx.commit();
  return list->size();
}

core::result<std::vector<storage::participant_record>> list_participants(storage::database& db) {
  auto trial = load_trial(db);
  if (!trial) return std::move(trial).error();
  return db.participants();
}

core::json to_json(const storage::participant_record& r) {
  core::json j;
  const auto& p = r.participant;
  j["code"] = p.code;
  j["age"] = p.age;
  j["gender"] = p.gender;
  j["specialty"] = p.specialty ? core::json(*p.specialty) : core::json();
  j["consent"] = p.consent;
  j["balint_knowledge"] = p.balint_knowledge ? core::json(*p.balint_knowledge) : core::json();
  j["balint_times"] = p.balint_times ? core::json(*p.balint_times) : core::json();
  core::json::array avail;
  for (const auto& a : p.available) avail.emplace_back(a);
  j["available"] = core::json(std::move(avail));
  j["enrolled_at"] = r.enrolled_at;
  j["status"] = r.withdrawn() ? "withdrawn" : "enrolled";
  j["withdrawn_at"] = r.withdrawn_at ? core::json(*r.withdrawn_at) : core::json();
  j["withdrawal_reason"] = r.withdrawal_reason ? core::json(*r.withdrawal_reason) : core::json();
  return j;
}

core::result<std::vector<enrolment_entry>> enrolment_overview(storage::database& db) {
  auto trial = load_trial(db);
  if (!trial) return std::move(trial).error();
  const auto& def = trial->definition;
  std::map<std::int64_t, storage::allocation_record> allocated;
  for (auto& a : db.allocations()) allocated.emplace(a.participant_id, std::move(a));
  std::vector<enrolment_entry> out;
  for (auto& r : db.participants()) {
    enrolment_entry e;
    if (auto it = allocated.find(r.id); it != allocated.end()) e.allocation = it->second;
    std::vector<outcomes::assessment> recorded;
    for (const auto& id : def.baseline_required) {
      if (auto a = db.find_assessment(r.id, def.baseline_timepoint, id)) {
        recorded.push_back({r.participant.code, a->timepoint, a->instrument, a->items, 0});
      } else {
        e.baseline_missing.push_back(id);
      }
    }
    e.baseline_gaps = outcomes::baseline_gaps(def, trial->instruments, recorded);
    e.record = std::move(r);
    out.push_back(std::move(e));
  }
  return out;
}

core::json to_json(const enrolment_entry& e) {
  core::json j = to_json(e.record);
  if (e.allocation) {
    core::json a;
    a["arm"] = e.allocation->arm;
    a["stratum"] = e.allocation->stratum;
    a["allocated_at"] = e.allocation->allocated_at;
    j["allocation"] = std::move(a);
  } else {
    j["allocation"] = core::json();
  }
  core::json b;
  b["complete"] = e.baseline_gaps.empty();
  core::json::array missing, gaps;
  for (const auto& m : e.baseline_missing) missing.emplace_back(m);
  for (const auto& g : e.baseline_gaps) gaps.emplace_back(g);
  b["missing"] = core::json(std::move(missing));
  b["gaps"] = core::json(std::move(gaps));
  j["baseline"] = std::move(b);
  return j;
}

core::json trial_summary_json(const trial::trial_definition& t) {
  const auto id_label = [](const auto& items) {
    core::json::array a;
    for (const auto& i : items) {
      core::json j;
      j["id"] = i.id;
      j["label"] = i.label;
      a.push_back(std::move(j));
    }
    return core::json(std::move(a));
  };
  const auto strings = [](const std::vector<std::string>& v) {
    core::json::array a;
    for (const auto& s : v) a.emplace_back(s);
    return core::json(std::move(a));
  };
  core::json j;
  j["id"] = t.id;
  j["title"] = t.title;
  j["planned_participants"] = t.planned_participants;
  j["arms"] = id_label(t.arms);
  j["timepoints"] = id_label(t.timepoints);
  j["outcomes"] = id_label(t.outcomes);
  j["instruments"] = strings(t.instruments);
  j["baseline_timepoint"] = t.baseline_timepoint;
  j["baseline_instruments"] = strings(t.baseline_required);
  j["required_sessions"] = t.programme.required_sessions;
  j["time_zone"] = t.programme.time_zone;
  return j;
}

core::result<storage::participant_record> withdraw_participant(storage::database& db,
                                                               const request& req,
                                                               const std::string& code,
                                                               const std::string& reason) {
  auto trial = load_trial(db);
  if (!trial) return std::move(trial).error();
  if (core::trim(reason).empty()) {
    return core::invalid_input("reason",
                               "a withdrawal needs a reason (--reason TEXT); it is kept in the "
                               "audit trail");
  }
  storage::transaction tx(db);
  if (auto ok = ensure_unlocked(db); !ok) return std::move(ok).error();
  auto record = db.find_participant(code);
  if (!record) return not_enrolled(code);
  if (record->withdrawn()) {
    return core::conflict("code", "participant " + code + " was already withdrawn on " +
                                      *record->withdrawn_at + " (" + *record->withdrawal_reason +
                                      ")");
  }
  db.withdraw_participant(record->id, req.now, reason);
  core::json before;
  before["status"] = "enrolled";
  core::json after;
  after["status"] = "withdrawn";
  after["withdrawn_at"] = req.now;
  append_audit(db, req, "participant.withdraw", "participant:" + code, before, after, reason);
  auto updated = db.find_participant(code);
  tx.commit();
  return std::move(updated.value());
}

core::result<recorded_outcome> record_outcome(storage::database& db, const request& req,
                                              const std::string& participant,
                                              const std::string& timepoint,
                                              const std::string& instrument,
                                              const std::string& items_text,
                                              const std::optional<std::string>& reason) {
  auto trial = load_trial(db);
  if (!trial) return std::move(trial).error();
  if (auto ok =
          outcomes::check_planned(trial->definition, trial->instruments, timepoint, instrument);
      !ok) {
    return std::move(ok).error();
  }
  const auto& inst = trial->instruments.find(instrument)->second;
  auto items = instruments::parse_item_list(inst, items_text);
  if (!items) return std::move(items).error();

  storage::transaction tx(db);
  if (auto ok = ensure_unlocked(db); !ok) return std::move(ok).error();
  const auto who = db.find_participant(participant);
  if (!who) return not_enrolled(participant);
  if (who->withdrawn()) {
    return core::precondition_failed(
        "participant", "participant " + participant + " withdrew from the trial on " +
                           *who->withdrawn_at + "; no new answers are recorded after withdrawal");
  }
  const std::string entity = entity_of(participant, timepoint, instrument);
  auto existing = db.find_assessment(who->id, timepoint, instrument);
  bool correction = false;
  if (existing) {
    if (!reason || core::trim(*reason).empty()) {
      return core::invalid_input(
          "reason", "participant " + participant + " already has " + instrument + " answers at " +
                        timepoint + " (recorded " + existing->recorded_at +
                        "); recording them again is a correction and needs --reason TEXT");
    }
    existing->items.resize(items->size());
    if (existing->items == items.value()) {
      return core::invalid_input("items",
                                 "the answers given are the same as those recorded; "
                                 "nothing to correct");
    }
    db.replace_items(existing->id, items.value(), req.now);
    core::json before;
    before["items"] = items_json(existing->items);
    core::json after;
    after["items"] = items_json(items.value());
    append_audit(db, req, "outcome.correct", entity, before, after, reason);
    correction = true;
  } else {
    db.insert_assessments({{who->id, timepoint, instrument, &items.value()}}, req.now);
    core::json after;
    after["items"] = items_json(items.value());
    append_audit(db, req, "outcome.record", entity, std::nullopt, after,
                 reason ? std::optional<std::string>(*reason) : std::nullopt);
  }
  auto stored = db.find_assessment(who->id, timepoint, instrument);
  tx.commit();
  auto scores = instruments::score(inst, stored->items);
  return recorded_outcome{std::move(stored.value()), std::move(scores), correction};
}

core::result<outcome_import_result> import_outcomes(storage::database& db, const request& req,
                                                    const std::string& csv_text) {
  auto trial = load_trial(db);
  if (!trial) return std::move(trial).error();
  auto parsed = outcomes::parse_long_csv(trial->definition, trial->instruments, csv_text);
  if (!parsed) return std::move(parsed).error();
  if (parsed->empty()) {
    return core::invalid_input("csv", "the file has a header but no answers; nothing to import");
  }

  storage::transaction tx(db);
  if (auto ok = ensure_unlocked(db); !ok) return std::move(ok).error();
  std::unordered_map<std::string, const storage::participant_record*> by_code;
  const auto everyone = db.participants();
  for (const auto& r : everyone) by_code.emplace(r.participant.code, &r);
  std::set<std::tuple<std::int64_t, std::string, std::string>> recorded;
  for (auto& k : db.assessment_keys()) recorded.insert(std::move(k));

  std::vector<storage::new_assessment> rows;
  rows.reserve(parsed->size());
  std::set<std::int64_t> participants;
  outcome_import_result result;
  for (const auto& a : parsed.value()) {
    const auto it = by_code.find(a.participant);
    const std::string line = "line " + std::to_string(a.first_line) + ": ";
    if (it == by_code.end()) {
      return core::not_found("participant", line + "participant \"" + a.participant +
                                                "\" is not enrolled in this trial; nothing was "
                                                "imported");
    }
    const auto& who = *it->second;
    if (who.withdrawn()) {
      return core::precondition_failed("participant", line + "participant " + a.participant +
                                                          " withdrew on " + *who.withdrawn_at +
                                                          "; nothing was imported");
    }
    if (recorded.count({who.id, a.timepoint, a.instrument})) {
      return core::conflict("participant",
                            line + "participant " + a.participant + " already has " + a.instrument +
                                " answers at " + a.timepoint +
                                "; an import never overwrites: correct them with 'balint-trial "
                                "outcome record ... --reason TEXT'; nothing was imported");
    }
    // Score now, so the coordinator hears at once which questionnaires are incomplete.
    const auto& inst = trial->instruments.find(a.instrument)->second;
    for (const auto& sub : inst.subscales) {
      if (!instruments::score_subscale(inst, sub, a.items)) {
        ++result.incomplete;
        break;
      }
    }
    rows.push_back({who.id, a.timepoint, a.instrument, &a.items});
    participants.insert(who.id);
    result.item_rows += a.items.size();
  }
  db.insert_assessments(rows, req.now);
  result.assessments = rows.size();
  result.participants = participants.size();
  core::json after;
  after["assessments"] = result.assessments;
  after["item_rows"] = result.item_rows;
  after["participants"] = result.participants;
  after["incomplete"] = result.incomplete;
  after["csv_sha256"] = core::sha256_hex(csv_text);
  append_audit(db, req, "outcome.import", "assessments", std::nullopt, after, std::nullopt);
  tx.commit();
  return result;
}

core::result<std::vector<outcome_row>> list_outcomes(
    storage::database& db, const std::optional<std::string>& participant) {
  auto trial = load_trial(db);
  if (!trial) return std::move(trial).error();
  if (participant && !db.find_participant(*participant)) return not_enrolled(*participant);
  std::vector<outcome_row> out;
  db.for_each_assessment([&](const storage::assessment_record& a) {
    if (participant && a.participant_code != *participant) return;
    const auto it = trial->instruments.find(a.instrument);
    std::vector<instruments::subscale_score> scores;
    if (it != trial->instruments.end()) {
      auto items = a.items;
      items.resize(static_cast<std::size_t>(it->second.item_count));
      scores = instruments::score(it->second, items);
    }
    out.push_back({a, std::move(scores)});
  });
  return out;
}

core::result<export_data> read_export_data(storage::database& db) {
  // One consistent snapshot for all three files, without the write lock: an export or an
  // analysis never holds up a leader's attendance.
  storage::transaction tx(db, true);
  auto trial = load_trial(db);
  if (!trial) return std::move(trial).error();
  export_data data{std::move(trial.value()), db.participants(), {}, {}, {}};
  db.for_each_assessment([&](const storage::assessment_record& a) {
    outcomes::assessment x;
    x.participant = a.participant_code;
    x.timepoint = a.timepoint;
    x.instrument = a.instrument;
    x.items = a.items;
    const auto it = data.trial.instruments.find(a.instrument);
    if (it != data.trial.instruments.end()) {
      x.items.resize(static_cast<std::size_t>(it->second.item_count));
    }
    data.assessments.push_back(std::move(x));
  });
  data.allocations = db.allocations();
  std::set<std::string> cohorts_with_sessions;
  std::map<std::int64_t, std::string> session_cohort;
  for (const auto& slot : db.slots()) {
    if (slot.kind != "session") continue;
    cohorts_with_sessions.insert(slot.cohort);
    session_cohort[slot.id] = slot.cohort;
  }
  for (const auto& a : data.allocations) {
    if (cohorts_with_sessions.count(a.arm)) data.sessions_attended[a.participant_id] = 0;
  }
  for (const auto& m : db.attendance()) {
    if (m.status == "present" && session_cohort.count(m.slot_id)) {
      ++data.sessions_attended[m.participant_id];
    }
  }
  tx.commit();
  return data;
}

core::result<audit_verification> verify_audit_trail(storage::database& db) {
  return verify_audit(db);
}

core::result<std::vector<storage::audit_record>> audit_log(storage::database& db) {
  std::vector<storage::audit_record> out;
  db.for_each_audit_entry([&](const storage::audit_record& e) { out.push_back(e); });
  return out;
}

}  // namespace balint::app
