#include "balint/app/services.hpp"

#include "trial_dates.hpp"

#include "balint/core/dates.hpp"
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
  j["consent_date"] = p.consent_date;
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

/// The ids of the built-in instruments (schemas/instruments/*.json), for messages.
std::vector<std::string> builtin_instrument_ids() {
  std::vector<std::string> known;
  const std::string_view dir = "schemas/instruments/";
  for (const auto& path : resources::list(dir)) {
    known.push_back(path.substr(dir.size(), path.size() - dir.size() - 5));
  }
  return known;
}

/// Checks one instrument definition against the published schema and parses it; `path` is
/// where it sits ("$" for a file, "$.instruments[2]" in a config), so every refusal names the
/// JSON path of the problem in what the user wrote.
core::result<instruments::instrument> checked_instrument(const core::json& doc,
                                                         const std::string& path) {
  auto schema = builtin_json("schemas/instrument.schema.json");
  if (!schema) return std::move(schema).error();
  const auto problems = core::validate_json(doc, *schema.value());
  if (!problems.empty()) {
    const auto& first = problems.front();
    // The validator's paths start at "$"; inside a config they continue the entry's path.
    const std::string field = path + first.path.substr(1);
    return core::invalid_input(field, "instrument definition: " + field + ": " + first.message);
  }
  return instruments::parse_instrument(doc, path);
}

/// What a config's "instruments" list names, resolved: each built-in id's file, each definition
/// written in the config. Replaces every entry of `doc`'s list by its id, so the stored trial
/// definition names its instruments by id and the trial's instrument table holds their
/// definitions. A list that is not a list of entries is left for the trial schema to refuse.
core::result<resolved_instruments> resolve_instruments(core::json& doc) {
  resolved_instruments out;
  if (!doc.is_object() || doc.find("instruments") == nullptr || !doc["instruments"].is_array()) {
    return out;
  }
  auto& list = doc["instruments"].as_array();
  for (std::size_t k = 0; k < list.size(); ++k) {
    const std::string path = "$.instruments[" + std::to_string(k) + "]";
    core::json& entry = list[k];
    core::json definition;
    if (entry.is_string()) {
      auto builtin = parse_resource_json("schemas/instruments/" + entry.as_string() + ".json");
      if (!builtin) {
        return core::invalid_input(
            path,
            "trial definition: instrument \"" + entry.as_string() +
                "\" is not known; known instruments: " + core::one_of(builtin_instrument_ids()) +
                "; another instrument is defined in the config itself or, on the command "
                "line, referenced by {\"file\": \"its-definition.json\"}");
      }
      definition = std::move(builtin).value();
    } else if (entry.is_object() && entry.find("file") != nullptr && entry.find("id") == nullptr) {
      const core::json* file = entry.find("file");
      if (entry.as_object().size() != 1 || !file->is_string()) {
        return core::invalid_input(path,
                                   "trial definition: an instrument file entry is "
                                   "{\"file\": \"its-definition.json\"} and nothing else");
      }
      return core::invalid_input(
          path + ".file",
          "trial definition: the instrument file " + (file->is_string() ? file->dump() : "") +
              " is read only by the command line (init or trial create --config); here, put the "
              "file's definition itself in its place");
    } else if (entry.is_object()) {
      definition = entry;
    } else {
      continue;  // the trial schema names what is wrong
    }
    auto inst = checked_instrument(definition, entry.is_string() ? "$" : path);
    if (!inst) return std::move(inst).error();
    const std::string id = inst->id;
    if (out.set.count(id) != 0) {
      return core::invalid_input(path, "trial definition: instrument \"" + id +
                                           "\" is listed twice; each instrument may appear once");
    }
    out.set.emplace(id, std::move(inst).value());
    out.definitions.emplace(id, std::move(definition));
    entry = core::json(id);
  }
  return out;
}

/// The outcomes' subscales exist in the trial's instruments.
core::result<void> check_outcome_subscales(const trial::trial_definition& trial,
                                           const outcomes::instrument_set& set) {
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
  return {};
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

/// Enrolling `adding` more when `enrolled` already are: refused past the planned size unless the
/// coordinator confirmed it (a warning that must be answered before anything is saved).
core::result<void> within_plan(const trial::trial_definition& t, std::size_t enrolled,
                               std::size_t adding, bool beyond_plan_confirmed) {
  const auto planned = static_cast<std::size_t>(t.planned_participants);
  if (beyond_plan_confirmed || enrolled + adding <= planned) return {};
  return core::conflict(
      "beyond_plan",
      "the trial planned " + std::to_string(planned) + " participants and " +
          std::to_string(enrolled) + " are enrolled; enrolling " + std::to_string(adding) +
          " more goes beyond the plan, and the allocation list may need extending. Nothing was "
          "saved; confirm it to enrol anyway");
}

core::error not_enrolled(const std::string& code) {
  return core::not_found("participant",
                         "participant \"" + code + "\" is not enrolled in this trial");
}

/// A consent date left out is today; one given must not be after today.
core::result<void> settle_consent_date(enrolment::participant& p, const std::string& today) {
  if (p.consent_date.empty()) {
    p.consent_date = today;
    return {};
  }
  auto checked = core::check_past_date(p.consent_date, "consent_date", today);
  if (!checked) return std::move(checked).error();
  return {};
}

/// The day of a questionnaire or withdrawal of `who`: `given` checked (not after today, not
/// before consent), or `fallback` when not given.
core::result<std::string> settle_day(const std::optional<std::string>& given,
                                     const std::string& field, const std::string& today,
                                     const storage::participant_record& who,
                                     const std::string& fallback) {
  if (!given || core::trim(*given).empty()) return fallback;
  const auto& consent = who.participant.consent_date;
  return core::check_past_date(*given, field, today,
                               consent.empty() ? std::nullopt : std::optional(consent),
                               "participant " + who.participant.code + "'s consent date");
}

/// A participant as use cases answer: the record with the allocation once it is made and what
/// the baseline still lacks.
participant_view participant_view_of(storage::database& db, const loaded_trial& trial,
                                     const storage::participant_record& r,
                                     const std::optional<storage::allocation_record>& allocation) {
  const auto& p = r.participant;
  participant_view v;
  v.participant = p;
  v.enrolment_number = r.id;
  v.enrolled_at = r.enrolled_at;
  v.withdrawn_at = r.withdrawn_at;
  v.withdrawal_reason = r.withdrawal_reason;
  v.withdrawal_date = r.withdrawal_date;
  v.withdrawal_category = r.withdrawal_category;
  if (allocation) {
    v.allocation = allocation_view{p.code, allocation->arm, allocation->stratum,
                                   allocation->allocated_at, allocation->allocated_by};
  }
  const auto& def = trial.definition;
  std::vector<outcomes::assessment> recorded;
  for (const auto& id : def.baseline_required) {
    if (auto a = db.find_assessment(r.id, def.baseline_timepoint, id)) {
      recorded.push_back({p.code, a->timepoint, a->instrument, a->items, 0});
    } else {
      v.baseline.missing.push_back(id);
    }
  }
  v.baseline.gaps = outcomes::baseline_gaps(def, trial.instruments, recorded);
  v.baseline.complete = v.baseline.gaps.empty();
  return v;
}

outcome_view outcome_view_of(const loaded_trial& trial, const storage::assessment_record& a,
                             const detail::window_facts& facts) {
  outcome_view v;
  v.participant = a.participant_code;
  v.timepoint = a.timepoint;
  v.instrument = a.instrument;
  v.recorded_at = a.recorded_at;
  v.assessment_date = a.assessment_date;
  v.window = std::string(outcomes::to_string(detail::window_of(
      trial.definition, facts, a.participant_id, a.timepoint, a.assessment_date)));
  v.items = a.items;
  const auto it = trial.instruments.find(a.instrument);
  if (it == trial.instruments.end()) return v;
  v.items.resize(static_cast<std::size_t>(it->second.item_count));
  for (auto& s : instruments::score(it->second, v.items)) {
    std::optional<std::string> band;
    if (s.band_index) {
      band = it->second.find_subscale(s.subscale)->bands.at(*s.band_index).label.text();
    }
    v.scores.push_back(
        {std::move(s.subscale), s.score, s.answered, s.missing, s.is_case, std::move(band)});
  }
  return v;
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
    return core::precondition_failed("db", "this database holds no trial yet; set one up first");
  }
  trial_texts texts{std::move(stored->definition), db.load_instruments()};
  if (const auto hit = parsed_trials().find(texts)) return *hit;
  auto parsed = parse_trial(texts);
  if (!parsed) return std::move(parsed).error();  // refusals are not cached: they are rare
  auto shared = std::make_shared<const loaded_trial>(std::move(parsed.value()));
  parsed_trials().add(std::move(texts), shared);
  return *shared;
}

core::result<loaded_trial> default_trial() {
  auto checked = check_trial_definition(std::nullopt);
  if (!checked) return std::move(checked).error();
  loaded_trial t{std::move(checked->definition), std::move(checked->instruments.set), {}};
  t.rules = rules_of(t.definition);
  return t;
}

core::result<loaded_trial> authorized_trial(storage::database& db, const request& req, use_case u) {
  if (auto ok = authorize(req, u); !ok) return std::move(ok).error();
  return load_trial(db);
}

trial_view trial_view_of(const trial::trial_definition& t) {
  const auto labels = [](const auto& items) {
    std::vector<labelled> out;
    for (const auto& i : items) out.push_back({i.id, i.label});
    return out;
  };
  return {t.id,
          t.title,
          t.planned_participants,
          labels(t.arms),
          labels(t.timepoints),
          labels(t.outcomes),
          t.instruments,
          t.baseline_timepoint,
          t.baseline_required,
          t.programme.required_sessions,
          t.programme.time_zone,
          {}};
}

core::result<trial_view> view_trial(storage::database& db, const request& req) {
  auto trial = authorized_trial(db, req, use_case::view_trial);
  if (!trial) return std::move(trial).error();
  auto view = trial_view_of(trial->definition);
  for (const auto& id : trial->definition.instruments) {
    const auto it = trial->instruments.find(id);
    if (it == trial->instruments.end()) continue;
    const auto& inst = it->second;
    view.instrument_details.push_back(
        {id, inst.name.text(), inst.item_count, inst.item_scale.min, inst.item_scale.max});
  }
  return view;
}

core::result<checked_definition> check_trial_definition(
    const std::optional<std::string>& config_text) {
  const std::string text =
      config_text ? *config_text : std::string(*resources::find("schemas/trials/tongji-2020.json"));
  auto doc = core::parse_json(text);
  if (!doc) {
    return core::invalid_input("config",
                               "the trial definition is not valid JSON: " + doc.error().message);
  }
  auto resolved = resolve_instruments(doc.value());
  if (!resolved) return std::move(resolved).error();
  auto def = parse_definition(doc.value());
  if (!def) return std::move(def).error();
  if (auto ok = check_outcome_subscales(def.value(), resolved->set); !ok) {
    return std::move(ok).error();
  }
  return checked_definition{std::move(def.value()), std::move(doc.value()),
                            std::move(resolved).value()};
}

core::result<instrument_definition> check_instrument_definition(const std::string& text) {
  auto doc = core::parse_json(text);
  if (!doc) {
    return core::invalid_input(
        "$", "the instrument definition is not valid JSON: " + doc.error().message);
  }
  auto inst = checked_instrument(doc.value(), "$");
  if (!inst) return std::move(inst).error();
  return instrument_definition{std::move(inst).value(), std::move(doc).value()};
}

core::result<std::vector<instrument_definition>> builtin_instruments() {
  std::vector<instrument_definition> out;
  for (const auto& id : builtin_instrument_ids()) {
    auto checked = check_instrument_definition(
        std::string(*resources::find("schemas/instruments/" + id + ".json")));
    if (!checked) return std::move(checked).error();
    out.push_back(std::move(checked).value());
  }
  return out;
}

core::result<std::vector<instrument_definition>> trial_instruments(storage::database& db,
                                                                   const request& req) {
  auto trial = authorized_trial(db, req, use_case::view_trial);
  if (!trial) return std::move(trial).error();
  std::vector<instrument_definition> out;
  for (const auto& [id, text] : db.load_instruments()) {
    const auto it = trial->instruments.find(id);
    auto doc = core::parse_json(text);
    if (it == trial->instruments.end() || !doc) continue;  // load_trial has parsed them all
    out.push_back({it->second, std::move(doc).value()});
  }
  return out;
}

core::result<init_result> init_trial(storage::database& db, const request& req,
                                     const std::optional<std::string>& config_text,
                                     const list_seed& seed) {
  if (auto ok = authorize(req, use_case::set_up_trial); !ok) return std::move(ok).error();
  auto checked = check_trial_definition(config_text);
  if (!checked) return std::move(checked).error();
  auto& [def, doc, instruments] = checked.value();
  // Every schedule and every date of the trial is read in its zone: refused now, not at the
  // first schedule command. (Only here: analysing a CSV needs no time zone database.)
  if (auto zone = detail::zone_of(def, "$.programme.time_zone"); !zone) {
    return std::move(zone).error();
  }

  storage::transaction tx(db);
  if (const auto existing = db.load_trial()) {
    return core::conflict("db", "this database already holds the trial \"" + existing->key +
                                    "\" (set up " + existing->created_at +
                                    "); use a new file for a new trial");
  }
  const std::string canonical = doc.dump();
  db.insert_trial({def.id, canonical, req.now, std::nullopt});
  core::json instrument_hashes;
  for (const auto& [id, definition] : instruments.definitions) {
    const std::string stored = definition.dump();
    db.insert_instrument(id, stored);
    instrument_hashes[id] = core::sha256_hex(stored);
  }
  // Generate and seal the allocation list.
  const auto& scheme = def.randomization;
  const auto lists = randomization::generate(scheme, def.arms, seed.seed);
  const std::string commitment =
      randomization::commitment(scheme, def.arms, seed.seed, seed.salt_hex, lists);
  const core::json* scheme_json = doc.find("randomization");
  db.insert_randomization_setup({"balint-trial/randomization/1", seed.seed, seed.salt_hex,
                                 scheme_json ? scheme_json->dump() : "{}", commitment, req.now});
  db.insert_allocation_list(lists);
  std::size_t positions = 0;
  for (const auto& l : lists) positions += l.entries.size();

  core::json after;
  after["allocation_list_commitment"] = commitment;
  after["seed_given_by_user"] = seed.from_user;
  after["trial"] = def.id;
  after["title"] = def.title;
  after["definition_sha256"] = core::sha256_hex(canonical);
  after["instrument_sha256"] = std::move(instrument_hashes);
  after["schema_version"] = storage::database::latest_schema_version();
  append_audit(db, req, "trial.init", "trial:" + def.id, std::nullopt, after, std::nullopt);
  tx.commit();
  return init_result{def.id,       def.title, def.planned_participants, def.instruments, commitment,
                     lists.size(), positions};
}

core::result<participant_view> add_participant(storage::database& db, const request& req,
                                               const enrolment::participant_fields& f,
                                               bool beyond_plan_confirmed) {
  auto trial = authorized_trial(db, req, use_case::enrol_participant);
  if (!trial) return std::move(trial).error();
  auto p = enrolment::parse_participant(trial->rules, f);
  if (!p) return std::move(p).error();
  if (auto ok = settle_consent_date(p.value(), detail::today_of(req, trial->definition)); !ok) {
    return std::move(ok).error();
  }
  storage::transaction tx(db);
  if (auto ok = ensure_unlocked(db); !ok) return std::move(ok).error();
  if (db.find_participant(p->code)) {
    return core::conflict("code", "participant code \"" + p->code +
                                      "\" is already enrolled; every participant needs their "
                                      "own code");
  }
  if (auto ok = within_plan(trial->definition, db.participants().size(), 1, beyond_plan_confirmed);
      !ok) {
    return std::move(ok).error();
  }
  db.insert_participants({p.value()}, req.now);
  core::json after = participant_json(p.value());
  if (beyond_plan_confirmed) after["beyond_plan_confirmed"] = true;
  append_audit(db, req, "participant.add", "participant:" + p->code, std::nullopt, after,
               std::nullopt);
  auto view =
      participant_view_of(db, trial.value(), db.find_participant(p->code).value(), std::nullopt);
  tx.commit();
  return view;
}

core::result<std::size_t> import_participants(storage::database& db, const request& req,
                                              const std::string& csv_text,
                                              bool beyond_plan_confirmed) {
  auto trial = authorized_trial(db, req, use_case::import_participants);
  if (!trial) return std::move(trial).error();
  auto list = enrolment::parse_participant_csv(trial->rules, csv_text);
  if (!list) return std::move(list).error();
  const std::string today = detail::today_of(req, trial->definition);
  for (auto& p : list.value()) {
    if (auto ok = settle_consent_date(p, today); !ok) {
      auto e = std::move(ok).error();
      e.message = "participant " + p.code + ": " + e.message + "; nothing was imported";
      return e;
    }
  }
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
  if (auto ok =
          within_plan(trial->definition, existing.size(), list->size(), beyond_plan_confirmed);
      !ok) {
    return std::move(ok).error();
  }
  db.insert_participants(list.value(), req.now);
  core::json after;
  after["participants"] = list->size();
  if (beyond_plan_confirmed) after["beyond_plan_confirmed"] = true;
  after["csv_sha256"] = core::sha256_hex(csv_text);
  if (!list->empty()) {
    after["first_code"] = list->front().code;
    after["last_code"] = list->back().code;
  }
  append_audit(db, req, "participant.import", "participants", std::nullopt, after, std::nullopt);
  tx.commit();
  return list->size();
}

core::result<std::vector<participant_view>> list_participants(storage::database& db,
                                                              const request& req) {
  auto trial = authorized_trial(db, req, use_case::list_participants);
  if (!trial) return std::move(trial).error();
  std::map<std::int64_t, storage::allocation_record> allocated;
  for (auto& a : db.allocations()) allocated.emplace(a.participant_id, std::move(a));
  std::vector<participant_view> out;
  for (const auto& r : db.participants()) {
    const auto it = allocated.find(r.id);
    out.push_back(participant_view_of(
        db, trial.value(), r, it == allocated.end() ? std::nullopt : std::optional(it->second)));
  }
  return out;
}

core::result<participant_view> withdraw_participant(storage::database& db, const request& req,
                                                    const withdrawal& w) {
  auto trial = authorized_trial(db, req, use_case::withdraw_participant);
  if (!trial) return std::move(trial).error();
  const std::string& code = w.participant;
  const std::string& reason = w.reason;
  if (core::trim(reason).empty()) {
    return core::invalid_input("reason",
                               "a withdrawal needs a reason; it is kept in the audit trail");
  }
  storage::transaction tx(db);
  if (auto ok = ensure_unlocked(db); !ok) return std::move(ok).error();
  auto record = db.find_participant(code);
  if (!record) return not_enrolled(code);
  if (record->withdrawn()) {
    return core::conflict("code", "participant " + code + " was already withdrawn on " +
                                      record->withdrawal_day() + " (" + *record->withdrawal_reason +
                                      ")");
  }
  const std::string today = detail::today_of(req, trial->definition);
  auto day = settle_day(w.date, "date", today, record.value(), today);
  if (!day) return std::move(day).error();
  std::string category = w.category ? std::string(core::trim(*w.category)) : "";
  if (category.empty()) category = "other";
  const auto& allowed = enrolment::withdrawal_categories;
  if (std::find(allowed.begin(), allowed.end(), category) == allowed.end()) {
    return core::invalid_input("category", "withdrawal category " + core::shown_value(category) +
                                               " is not known; allowed: " + core::one_of(allowed));
  }
  db.withdraw_participant(record->id, {req.now, reason, day.value(), category});
  core::json before;
  before["status"] = "enrolled";
  core::json after;
  after["status"] = "withdrawn";
  after["withdrawn_at"] = req.now;
  after["withdrawal_date"] = day.value();
  after["withdrawal_category"] = category;
  append_audit(db, req, "participant.withdraw", "participant:" + code, before, after, reason);
  auto view = participant_view_of(db, trial.value(), db.find_participant(code).value(),
                                  db.find_allocation(record->id));
  tx.commit();
  return view;
}

core::result<recorded_outcome> record_outcome(storage::database& db, const request& req,
                                              const outcome_entry& entry) {
  auto trial = authorized_trial(db, req, use_case::record_outcome);
  const std::string& participant = entry.participant;
  const std::string& timepoint = entry.timepoint;
  const std::string& instrument = entry.instrument;
  const std::string& items_text = entry.items;
  const std::optional<std::string>& reason = entry.reason;
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
    return core::precondition_failed("participant",
                                     "participant " + participant + " withdrew from the trial on " +
                                         who->withdrawal_day() +
                                         "; no new answers are recorded after withdrawal");
  }
  const std::string entity = entity_of(participant, timepoint, instrument);
  auto existing = db.find_assessment(who->id, timepoint, instrument);
  const std::string today = detail::today_of(req, trial->definition);
  auto day = settle_day(entry.assessment_date, "assessment_date", today, who.value(),
                        existing ? existing->assessment_date : today);
  if (!day) return std::move(day).error();
  bool correction = false;
  if (existing) {
    if (!reason || core::trim(*reason).empty()) {
      return core::invalid_input(
          "reason", "participant " + participant + " already has " + instrument + " answers at " +
                        timepoint + " (recorded " + existing->recorded_at +
                        "); recording them again is a correction and needs a reason");
    }
    existing->items.resize(items->size());
    if (existing->items == items.value() && existing->assessment_date == day.value()) {
      return core::invalid_input("items",
                                 "the answers and the assessment date given are the same as "
                                 "those recorded; nothing to correct");
    }
    db.replace_items(existing->id, items.value(), req.now, day.value());
    core::json before;
    before["items"] = items_json(existing->items);
    before["assessment_date"] = existing->assessment_date;
    core::json after;
    after["items"] = items_json(items.value());
    after["assessment_date"] = day.value();
    append_audit(db, req, "outcome.correct", entity, before, after, reason);
    correction = true;
  } else {
    db.insert_assessments({{who->id, timepoint, instrument, &items.value(), day.value()}}, req.now);
    core::json after;
    after["items"] = items_json(items.value());
    after["assessment_date"] = day.value();
    append_audit(db, req, "outcome.record", entity, std::nullopt, after,
                 reason ? std::optional<std::string>(*reason) : std::nullopt);
  }
  auto stored = db.find_assessment(who->id, timepoint, instrument);
  const auto facts = detail::read_window_facts(db, trial->definition);
  tx.commit();
  recorded_outcome out{outcome_view_of(trial.value(), stored.value(), facts), correction, {}};
  if (out.outcome.window == outcomes::to_string(outcomes::window_state::outside)) {
    out.warnings.push_back(detail::outside_window_warning(trial->definition, participant, timepoint,
                                                          instrument, day.value()));
  }
  return out;
}

core::result<outcome_import_result> import_outcomes(storage::database& db, const request& req,
                                                    const std::string& csv_text) {
  auto trial = authorized_trial(db, req, use_case::import_outcomes);
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
  const std::string today = detail::today_of(req, trial->definition);
  const auto facts = detail::read_window_facts(db, trial->definition);
  constexpr std::size_t warnings_shown = 10;
  for (auto& a : parsed.value()) {
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
                                                          " withdrew on " + who.withdrawal_day() +
                                                          "; nothing was imported");
    }
    if (recorded.count({who.id, a.timepoint, a.instrument})) {
      return core::conflict("participant",
                            line + "participant " + a.participant + " already has " + a.instrument +
                                " answers at " + a.timepoint +
                                "; an import never overwrites: correct them one by one, with a "
                                "reason; nothing was imported");
    }
    // Score now, so the coordinator hears at once which questionnaires are incomplete.
    const auto& inst = trial->instruments.find(a.instrument)->second;
    for (const auto& sub : inst.subscales) {
      if (!instruments::score_subscale(inst, sub, a.items)) {
        ++result.incomplete;
        break;
      }
    }
    auto day = settle_day(a.assessment_date, "assessment_date", today, who, today);
    if (!day) {
      auto e = std::move(day).error();
      e.message = line + e.message + "; nothing was imported";
      return e;
    }
    a.assessment_date = day.value();
    if (detail::window_of(trial->definition, facts, who.id, a.timepoint, a.assessment_date) ==
        outcomes::window_state::outside) {
      if (++result.outside_window <= warnings_shown) {
        result.warnings.push_back(detail::outside_window_warning(
            trial->definition, a.participant, a.timepoint, a.instrument, a.assessment_date));
      }
    }
    rows.push_back({who.id, a.timepoint, a.instrument, &a.items, a.assessment_date});
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
  after["outside_window"] = result.outside_window;
  after["csv_sha256"] = core::sha256_hex(csv_text);
  append_audit(db, req, "outcome.import", "assessments", std::nullopt, after, std::nullopt);
  tx.commit();
  return result;
}

core::result<std::vector<outcome_view>> list_outcomes(
    storage::database& db, const request& req, const std::optional<std::string>& participant) {
  auto trial = authorized_trial(db, req, use_case::list_outcomes);
  if (!trial) return std::move(trial).error();
  if (participant && !db.find_participant(*participant)) return not_enrolled(*participant);
  std::vector<outcome_view> out;
  const auto facts = detail::read_window_facts(db, trial->definition);
  db.for_each_assessment([&](const storage::assessment_record& a) {
    if (participant && a.participant_code != *participant) return;
    out.push_back(outcome_view_of(trial.value(), a, facts));
  });
  return out;
}

core::result<export_data> export_trial_data(storage::database& db, const request& req) {
  if (auto ok = authorize(req, use_case::export_data); !ok) return std::move(ok).error();
  return read_export_data(db);
}

core::result<export_data> read_export_data(storage::database& db) {
  // One consistent snapshot for all three files, without the write lock: an export or an
  // analysis never holds up a leader's attendance.
  storage::transaction tx(db, true);
  auto trial = load_trial(db);
  if (!trial) return std::move(trial).error();
  export_data data{std::move(trial.value()), db.participants(), {}, {}, {}, {}, {}};
  const auto& def = data.trial.definition;
  auto facts = detail::read_window_facts(db, def);
  db.for_each_assessment([&](const storage::assessment_record& a) {
    outcomes::assessment x;
    x.participant = a.participant_code;
    x.timepoint = a.timepoint;
    x.instrument = a.instrument;
    x.items = a.items;
    x.assessment_date = a.assessment_date;
    data.windows.push_back(
        detail::window_of(def, facts, a.participant_id, a.timepoint, a.assessment_date));
    const auto it = data.trial.instruments.find(a.instrument);
    if (it != data.trial.instruments.end()) {
      x.items.resize(static_cast<std::size_t>(it->second.item_count));
    }
    data.assessments.push_back(std::move(x));
  });
  data.allocations = db.allocations();
  for (const auto& a : data.allocations) {
    data.randomized_on[a.participant_id] = detail::local_day_of(a.allocated_at, def);
  }
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

core::result<audit_verification> verify_audit_trail(storage::database& db, const request& req) {
  if (auto ok = authorize(req, use_case::verify_audit_trail); !ok) return std::move(ok).error();
  return verify_audit(db);
}

core::result<std::vector<audit_entry_view>> audit_log(storage::database& db, const request& req) {
  if (auto ok = authorize(req, use_case::read_audit_log); !ok) return std::move(ok).error();
  std::vector<audit_entry_view> out;
  db.for_each_audit_entry([&](const storage::audit_record& e) {
    out.push_back({e.seq, e.at, e.actor, e.action, e.entity, e.before, e.after, e.reason, e.hash});
  });
  return out;
}

}  // namespace balint::app
