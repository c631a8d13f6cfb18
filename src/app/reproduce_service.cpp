#include "balint/app/reproduce_service.hpp"

#include "programme_state.hpp"

#include "balint/analysis/data_set.hpp"
#include "balint/app/analysis_service.hpp"
#include "balint/app/database.hpp"
#include "balint/app/randomization_service.hpp"
#include "balint/app/schedule_service.hpp"
#include "balint/core/sha256.hpp"
#include "balint/randomization/allocation_list.hpp"
#include "balint/reproduction/reconstruct.hpp"
#include "balint/resources/resources.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <utility>

namespace balint::app {
namespace {

constexpr std::array<std::string_view, 5> achievement_items{
    "reduce_pressure", "understood_supported", "empathy", "communication", "occupational_identity"};
constexpr std::array<std::string_view, 5> achievement_levels{"none", "little", "neutral", "helpful",
                                                             "extremely"};
constexpr std::array<std::string_view, 4> satisfaction_items{"activity_time", "group_size",
                                                             "group_leaders", "group_atmosphere"};
constexpr std::array<std::string_view, 5> satisfaction_levels{"ext_unsat", "unsat", "neutral",
                                                              "sat", "ext_sat"};

/// The paper's arm name → the trial's arm id.
std::string trial_arm(const std::string& published_arm) {
  return published_arm == "control" ? "waitlist" : published_arm;
}

/// Index of `name` in `names`, or -1.
template <std::size_t N>
int index_of(const std::array<std::string_view, N>& names, std::string_view name) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == name) return static_cast<int>(i);
  }
  return -1;
}

/// The parts of a cell id: "T5.reduce_pressure.helpful.n" → {T5, reduce_pressure, helpful, n}.
std::vector<std::string> id_parts(const std::string& id) {
  std::vector<std::string> parts;
  std::string cur;
  for (char c : id) {
    if (c == '.') {
      parts.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  parts.push_back(cur);
  return parts;
}

const reproduction::cell* find_cell(const reproduction::summary& s, std::string_view id) {
  for (const auto& c : s.cells) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

// --- CSV texts the replay imports ---------------------------------------------------------

template <std::size_t N>
void item_rows(std::ostringstream& out, const std::string& code, const std::string& timepoint,
               const std::string& instrument, const std::array<int, N>& items) {
  for (std::size_t i = 0; i < N; ++i) {
    out << code << ',' << timepoint << ',' << instrument << ',' << (i + 1) << ',' << items[i]
        << '\n';
  }
}

void add(reproduction::reproduced_values& v, const std::string& id, std::string method,
         double value, std::string source) {
  v[id].push_back({std::move(method), value, std::move(source)});
}

void add_t(reproduction::reproduced_values& v, const reproduction::cell& c,
           const analysis::estimate<stats::t_result>& student,
           const analysis::estimate<stats::t_result>& welch) {
  for (const auto& [method, est] : {std::pair{"student", &student}, std::pair{"welch", &welch}}) {
    if (!est->value) continue;
    add(v, c.id, method, c.stat == "t" ? est->value->t : est->value->p,
        "the replay's database, analysed as 'analyze --db' does");
  }
}

}  // namespace

// --- phases ----------------------------------------------------------------------------------

core::result<published_trial> load_published(const std::string& key) {
  if (key != "tongji") {
    return core::not_found(
        "trial", "there is no published trial \"" + key + "\" to reproduce; allowed: tongji");
  }
  const auto text = resources::find("schemas/published/tongji-2020.json");
  const auto schema = resources::find("schemas/published.schema.json");
  if (!text || !schema) {
    throw std::runtime_error(
        "schemas/published/tongji-2020.json or schemas/published.schema.json is not embedded");
  }
  auto s = reproduction::load_summary(*text, *schema);
  if (!s) return std::move(s).error();
  published_trial p;
  p.summary = std::move(s.value());
  p.audit = reproduction::audit(p.summary);
  return p;
}

core::result<replica> reconstruct_replica(const published_trial& published,
                                          const reproduce_options& options) {
  reproduction::reconstruction_options ro;
  ro.seed = options.reconstruction_seed;
  ro.max_attempts = options.max_attempts;
  auto rec = reproduction::reconstruct(published.summary, published.audit, ro);
  if (!rec) return std::move(rec).error();
  replica r;
  r.seed = rec->seed;
  r.unmet = rec->unmet;
  r.attempts = rec->attempts;
  r.source = "reconstruction";
  for (const auto& p : rec->participants) {
    replica_participant q;
    q.id = p.id;
    q.arm = trial_arm(p.arm);
    q.age = p.age;
    q.gender = p.gender;
    q.mbi_pre = p.mbi_pre;
    q.mbi_post = p.mbi_post;
    q.msq_pre = p.msq_pre;
    q.msq_post = p.msq_post;
    q.achievements = p.achievements;
    q.satisfaction = p.satisfaction;
    r.participants.push_back(std::move(q));
  }
  return r;
}

programme_answers programme_answers_from(const reproduction::summary& s, std::size_t n) {
  programme_answers out;
  out.satisfaction.assign(n, {});
  out.achievements.assign(n, {});
  auto fill = [&](const std::string& table, auto const& items, auto const& levels, auto& target) {
    for (std::size_t item = 0; item < items.size(); ++item) {
      std::vector<int> answers;
      for (std::size_t level = 0; level < levels.size(); ++level) {
        const auto* c = find_cell(
            s, table + "." + std::string(items[item]) + "." + std::string(levels[level]) + ".n");
        const int count = c ? static_cast<int>(c->value) : 0;
        for (int k = 0; k < count; ++k) answers.push_back(static_cast<int>(level) + 1);
      }
      if (answers.size() != n) {
        out.notes.push_back(table + " row " + std::string(items[item]) +
                            ": the printed counts add up to " + std::to_string(answers.size()) +
                            ", not " + std::to_string(n) +
                            "; the replay records the counts as printed and fills or trims with "
                            "the most frequent answer");
        int mode = 5;
        if (!answers.empty()) {
          std::map<int, int> freq;
          for (int a : answers) ++freq[a];
          mode = std::max_element(freq.begin(), freq.end(), [](auto& a, auto& b) {
                   return a.second < b.second;
                 })->first;
        }
        while (answers.size() > n) {
          const auto it = std::find(answers.begin(), answers.end(), mode);
          answers.erase(it == answers.end() ? answers.end() - 1 : it);
        }
        while (answers.size() < n) answers.push_back(mode);
      }
      for (std::size_t p = 0; p < n; ++p) target[p][item] = answers[p];
    }
  };
  fill("T5", achievement_items, achievement_levels, out.achievements);
  fill("T6", satisfaction_items, satisfaction_levels, out.satisfaction);
  return out;
}

core::result<replay_result> replay(storage::database& db, const request& req,
                                   const published_trial& published, const replica& data,
                                   const reproduce_options& options) {
  replay_result out;
  out.list_seed = options.list_seed;
  // 1. init with a recorded seed (and a salt derived from it, so the replay is repeatable).
  list_seed seed{options.list_seed,
                 core::sha256_hex("balint-trial reproduce tongji, list seed " +
                                  std::to_string(options.list_seed)),
                 true};
  auto init = init_trial(db, req, std::nullopt, seed);
  if (!init) return std::move(init).error();
  out.init = std::move(init.value());
  auto trial = load_trial(db);
  if (!trial) return std::move(trial).error();
  const auto& def = trial->definition;

  // 2. The order of enrolment: position i of the list gets the next participant reconstructed
  //    for the arm the list holds there.
  const auto lists = randomization::generate(def.randomization, def.arms, options.list_seed);
  if (lists.empty())
    return core::invalid_input("randomization", "the trial has no allocation list");
  const auto& list = lists.front().entries;
  if (list.size() < data.participants.size()) {
    return core::invalid_input("randomization",
                               "the allocation list has " + std::to_string(list.size()) +
                                   " positions for " + std::to_string(data.participants.size()) +
                                   " participants");
  }
  std::vector<const replica_participant*> order;
  std::vector<bool> used(data.participants.size(), false);
  for (std::size_t pos = 0; pos < data.participants.size(); ++pos) {
    const replica_participant* next = nullptr;
    for (std::size_t k = 0; k < data.participants.size(); ++k) {
      if (!used[k] && data.participants[k].arm == list[pos].arm) {
        used[k] = true;
        next = &data.participants[k];
        break;
      }
    }
    if (!next) {
      return core::invalid_input("randomization",
                                 "position " + std::to_string(pos + 1) + " of the list of seed " +
                                     std::to_string(options.list_seed) + " is " + list[pos].arm +
                                     ", but no reconstructed participant of that arm is left");
    }
    order.push_back(next);
  }

  // 3. Enrol. Availability: everyone in the intervention arm can come on Wednesday evenings
  //    (they attended the sessions); the waitlist up to the published count of 17:30 preferences.
  const int n_int = static_cast<int>(
      std::count_if(order.begin(), order.end(), [](auto* p) { return p->arm == "intervention"; }));
  const auto* pref = find_cell(published.summary, "RES.pref_time.n");
  int evening_waitlist = std::max(0, (pref ? static_cast<int>(pref->value) : n_int) - n_int);
  std::ostringstream people;
  people << "code,age,gender,specialty,consent,balint_knowledge,balint_times,available\n";
  for (const auto* p : order) {
    std::string available = "workday-evening";
    if (p->arm != "intervention") {
      available = evening_waitlist > 0 ? "workday-evening" : "workday-noon";
      --evening_waitlist;
    }
    people << p->id << ',' << p->age << ',' << p->gender << ",,yes,1,1," << available << '\n';
  }
  auto enrolled = import_participants(db, req, people.str());
  if (!enrolled) return std::move(enrolled).error();
  out.enrolled = enrolled.value();

  // 4. Baseline questionnaires, then randomization in enrolment order.
  std::ostringstream pre;
  pre << "participant,timepoint,instrument,item,value\n";
  for (const auto* p : order) {
    item_rows(pre, p->id, "pre", "mbi-hss", p->mbi_pre);
    item_rows(pre, p->id, "pre", "msq", p->msq_pre);
  }
  if (auto r = import_outcomes(db, req, pre.str()); !r) return std::move(r).error();
  auto allocated = randomize_all_eligible(db, req);
  if (!allocated) return std::move(allocated).error();
  std::map<std::string, std::string> arm_of;
  for (const auto* p : order) arm_of[p->id] = p->arm;
  for (const auto& b : allocated.value()) {
    if (!b.allocation) {
      return core::precondition_failed("randomize",
                                       b.participant + " was not randomized: " + b.skipped_because);
    }
    if (b.allocation->arm != arm_of[b.participant]) {
      return core::precondition_failed("randomize",
                                       b.participant + " was allocated to " + b.allocation->arm +
                                           " but reconstructed for " + arm_of[b.participant]);
    }
    ++out.randomized;
  }

  // 5. Programme: leaders, calendar, plan, attendance.
  const std::string cohort = def.arms.front().id;
  for (const auto& [code, name] :
       {std::pair{"L1", "Group leader 1"}, std::pair{"L2", "Group leader 2"}}) {
    if (auto r = add_leader(db, req, code, name); !r) return std::move(r).error();
  }
  auto calendar = generate_schedule(db, req, cohort, std::nullopt);
  if (!calendar) return std::move(calendar).error();
  for (const auto& s : calendar.value()) {
    if (s.kind != "session") continue;
    for (int l = 1; l <= std::min(2, def.programme.leaders_max); ++l) {
      if (auto r = assign_leader(db, req, cohort, s.number, "L" + std::to_string(l)); !r) {
        return std::move(r).error();
      }
    }
  }
  auto plan = plan_schedule(db, req, cohort);
  if (!plan) return std::move(plan).error();
  if (!plan->feasible) {
    std::string why;
    for (const auto& p : plan->problems) why += (why.empty() ? "" : "; ") + p;
    return core::precondition_failed("plan", "no session plan exists: " + why);
  }
  for (const auto& s : plan->sessions) {
    if (s.kind != "session" || s.participants.empty()) continue;
    std::vector<attendance_mark> marks;
    for (const auto& p : s.participants) marks.push_back({p, "present"});
    auto logged = log_attendance(db, req, cohort, s.number, marks, std::nullopt);
    if (!logged) return std::move(logged).error();
    ++out.sessions_held;
    out.attendance_marks += logged->present;
  }

  // 6. Post questionnaires; programme questionnaires for the intervention arm.
  std::vector<const replica_participant*> intervention;
  for (const auto* p : order) {
    if (p->arm == cohort) intervention.push_back(p);
  }
  // Programme answers from the reconstruction; laid out from the published counts for
  // participants it has none for.
  const auto answers = programme_answers_from(published.summary, intervention.size());
  bool from_counts = false;
  std::ostringstream post;
  post << "participant,timepoint,instrument,item,value\n";
  for (const auto* p : order) {
    item_rows(post, p->id, "post", "mbi-hss", p->mbi_post);
    item_rows(post, p->id, "post", "msq", p->msq_post);
  }
  for (std::size_t i = 0; i < intervention.size(); ++i) {
    const auto* p = intervention[i];
    std::array<int, 4> sat = answers.satisfaction[i];
    std::array<int, 5> ach = answers.achievements[i];
    if (p->satisfaction.size() == sat.size() && p->achievements.size() == ach.size()) {
      std::copy(p->satisfaction.begin(), p->satisfaction.end(), sat.begin());
      std::copy(p->achievements.begin(), p->achievements.end(), ach.begin());
    } else {
      from_counts = true;
    }
    item_rows(post, p->id, "post", "satisfaction", sat);
    item_rows(post, p->id, "post", "achievements", ach);
    item_rows(post, p->id, "post", "willingness", std::array<int, 1>{1});
  }
  if (from_counts) out.notes.insert(out.notes.end(), answers.notes.begin(), answers.notes.end());
  if (auto r = import_outcomes(db, req, post.str()); !r) return std::move(r).error();
  return out;
}

core::result<reproduced_trial> analyze_replay(storage::database& db,
                                              const reproduction::summary& published) {
  auto data = read_export_data(db);
  if (!data) return std::move(data).error();
  const auto& def = data->trial.definition;
  auto setup = analysis_setup_of(data->trial);
  if (!setup) return std::move(setup).error();
  const auto& arms = setup->arms;
  auto set = itt_data_set(data.value(), setup.value());  // in memory, as analyze --db
  if (!set) return std::move(set).error();
  auto result = analysis::analyze(set.value(), setup->options);
  if (!result) return std::move(result).error();

  reproduced_trial out;
  out.analysis = std::move(result.value());

  // CONSORT counts from the database.
  auto& c = out.consort;
  c.arms = arms;
  c.enrolled = data->participants.size();
  c.required_sessions = def.programme.required_sessions;
  c.time_zone = def.programme.time_zone;
  std::map<std::int64_t, std::string> arm_of;
  std::map<std::string, std::string> arm_of_code;
  for (const auto& a : data->allocations) {
    arm_of[a.participant_id] = a.arm;
    arm_of_code[a.participant_code] = a.arm;
    ++c.allocated[a.arm];
  }
  for (const auto& arm : arms) {
    c.allocated.try_emplace(arm, 0);
    c.received.try_emplace(arm, 0);
    c.lost.try_emplace(arm, 0);
  }
  for (const auto& [pid, n] : data->sessions_attended) {
    const auto arm = arm_of.find(pid);
    if (arm == arm_of.end()) continue;
    if (n >= 1) ++c.received[arm->second];
    if (arm->second == arms[0]) c.sessions_attended.push_back(n);
  }
  std::set<std::string> has_post;
  std::map<std::string, std::set<std::string>> post_instruments;
  for (const auto& a : data->assessments) {
    if (a.timepoint == "post") post_instruments[a.participant].insert(a.instrument);
  }
  for (const auto& r : data->participants) {
    const auto arm = arm_of.find(r.id);
    if (arm == arm_of.end()) continue;
    const auto& got = post_instruments[r.participant.code];
    if (got.count("mbi-hss") && got.count("msq")) continue;
    ++c.lost[arm->second];
    // A withdrawal is counted under its CONSORT category, its own words beside it.
    const std::string why = !r.withdrawn()          ? "no post questionnaire"
                            : r.withdrawal_category ? *r.withdrawal_category + " (" +
                                                          r.withdrawal_reason.value_or("") + ")"
                                                    : r.withdrawal_reason.value_or("withdrawn");
    ++c.lost_reasons[arm->second][why];
  }
  for (std::size_t a = 0; a < 2; ++a) {
    std::size_t n = out.analysis.n[a];
    for (const auto& o : out.analysis.outcomes) n = std::min(n, o.change[a].n);
    c.analysed[arms[a]] = n;
  }
  auto schedule = detail::schedule_of(db, arms[0]);
  if (!schedule) return std::move(schedule).error();
  bool first = true;
  for (const auto& s : schedule.value()) {
    if (s.kind == "lecture") {
      ++c.lectures;
      continue;
    }
    ++c.sessions_planned;
    if (s.status != "held") continue;
    ++c.sessions_held;
    const int size = static_cast<int>(s.participants.size());
    c.min_present = first ? size : std::min(c.min_present, size);
    c.max_present = first ? size : std::max(c.max_present, size);
    first = false;
  }
  c.leaders = db.leaders().size();

  // Reproduced values of the published cells.
  const auto& an = out.analysis;
  auto& v = out.values;
  const std::string db_src = "the replay's database, analysed as 'analyze --db' does";
  // Programme questionnaires: answer counts per item and level.
  std::map<std::string, std::map<int, std::map<int, int>>> answer_counts;  // instrument→item→level
  std::map<std::string, std::size_t> respondents;
  for (const auto& a : data->assessments) {
    if (a.timepoint != "post") continue;
    if (a.instrument != "satisfaction" && a.instrument != "achievements") continue;
    ++respondents[a.instrument];
    for (std::size_t i = 0; i < a.items.size(); ++i) {
      if (a.items[i]) ++answer_counts[a.instrument][static_cast<int>(i)][*a.items[i]];
    }
  }
  std::size_t completers = 0;
  for (const auto& [code, got] : post_instruments) {
    if (got.count("mbi-hss") && got.count("msq")) ++completers;
  }
  // Age over everyone randomized.
  std::vector<double> ages;
  for (const auto& r : data->participants) {
    if (arm_of.count(r.id)) ages.push_back(r.participant.age);
  }
  double age_mean = 0;
  for (double x : ages) age_mean += x;
  age_mean /= ages.empty() ? 1.0 : static_cast<double>(ages.size());
  double age_ss = 0;
  for (double x : ages) age_ss += (x - age_mean) * (x - age_mean);
  const double age_sd =
      ages.size() > 1 ? std::sqrt(age_ss / static_cast<double>(ages.size() - 1)) : 0;
  const std::array<std::size_t, 2> male{an.gender[0].male, an.gender[1].male};
  const std::array<std::size_t, 2> female{an.gender[0].female, an.gender[1].female};

  for (const auto& cell : published.cells) {
    const int arm = cell.arm == "intervention" ? 0 : cell.arm == "control" ? 1 : -1;
    const auto ua = static_cast<std::size_t>(arm < 0 ? 0 : arm);
    const auto parts = id_parts(cell.id);
    const auto outcome =
        std::find(analysis::outcome_ids.begin(), analysis::outcome_ids.end(), cell.variable);
    if (outcome != analysis::outcome_ids.end()) {
      const auto& o =
          an.outcomes[static_cast<std::size_t>(outcome - analysis::outcome_ids.begin())];
      if ((cell.stat == "mean" || cell.stat == "sd") && arm >= 0) {
        const auto& d = cell.timepoint == "pre"    ? o.pre[ua]
                        : cell.timepoint == "post" ? o.post[ua]
                                                   : o.change[ua];
        const auto& e = cell.stat == "mean" ? d.mean : d.sd;
        if (e.value) add(v, cell.id, "", *e.value, db_src);
      } else if ((cell.stat == "t" || cell.stat == "p") && cell.test == "paired_t" && arm >= 0) {
        const auto& e = o.paired[ua];
        if (e.value) add(v, cell.id, "paired", cell.stat == "t" ? e.value->t : e.value->p, db_src);
      } else if ((cell.stat == "t" || cell.stat == "p") && cell.test == "independent_t") {
        if (cell.timepoint == "change") add_t(v, cell, o.change_student, o.change_welch);
        if (cell.timepoint == "pre") add_t(v, cell, o.baseline_student, o.baseline_welch);
      }
      continue;
    }
    if (cell.variable == "age") {
      if ((cell.stat == "mean" || cell.stat == "sd") && arm >= 0) {
        const auto& e = cell.stat == "mean" ? an.age[ua].mean : an.age[ua].sd;
        if (e.value) add(v, cell.id, "", *e.value, db_src);
      } else if (cell.arm == "all" && cell.stat == "mean") {
        add(v, cell.id, "", age_mean, db_src);
      } else if (cell.arm == "all" && cell.stat == "sd") {
        add(v, cell.id, "", age_sd, db_src);
      } else if (cell.arm == "all" && cell.stat == "n") {
        add(v, cell.id, "", static_cast<double>(ages.size()), db_src);
      } else if (cell.test == "independent_t") {
        add_t(v, cell, an.age_student, an.age_welch);
      }
      continue;
    }
    if (cell.variable == "gender_male" || cell.variable == "gender_female") {
      const auto& counts = cell.variable == "gender_male" ? male : female;
      const double count =
          arm >= 0 ? static_cast<double>(counts[ua]) : static_cast<double>(counts[0] + counts[1]);
      const double n = arm >= 0 ? static_cast<double>(male[ua] + female[ua])
                                : static_cast<double>(male[0] + female[0] + male[1] + female[1]);
      if (cell.stat == "count") add(v, cell.id, "", count, db_src);
      if (cell.stat == "percent" && n > 0) add(v, cell.id, "", 100.0 * count / n, db_src);
      continue;
    }
    if (cell.variable == "gender" && (cell.stat == "chisq" || cell.stat == "p")) {
      const std::vector<std::vector<long>> table{
          {static_cast<long>(male[0]), static_cast<long>(female[0])},
          {static_cast<long>(male[1]), static_cast<long>(female[1])}};
      for (const bool corrected : {false, true}) {
        const auto x = reproduction::pearson_chi2(table, corrected);
        if (!x) continue;
        add(v, cell.id, corrected ? "yates" : "pearson",
            cell.stat == "chisq" ? *x : reproduction::chi2_p_value(*x, 1), db_src);
      }
      continue;
    }
    const bool achievement = cell.variable.rfind("achievement_", 0) == 0;
    const bool satisfaction = cell.variable.rfind("satisfaction_", 0) == 0;
    if ((achievement || satisfaction) && parts.size() == 4 &&
        (cell.stat == "count" || cell.stat == "percent")) {
      const std::string instrument = achievement ? "achievements" : "satisfaction";
      const int item = achievement ? index_of(achievement_items, parts[1])
                                   : index_of(satisfaction_items, parts[1]);
      const int level = achievement ? index_of(achievement_levels, parts[2])
                                    : index_of(satisfaction_levels, parts[2]);
      if (item < 0 || level < 0) continue;
      const double count = answer_counts[instrument][item][level + 1];
      const double n = static_cast<double>(respondents[instrument]);
      const std::string src = "the replay's " + instrument + " questionnaires";
      if (cell.stat == "count") add(v, cell.id, "", count, src);
      if (cell.stat == "percent" && n > 0) add(v, cell.id, "", 100.0 * count / n, src);
      continue;
    }
    if (cell.stat == "n" && cell.variable == "all") {
      if (cell.arm == "all")
        add(v, cell.id, "", static_cast<double>(c.enrolled), "enrolled in the replay's database");
      if (arm >= 0 && cell.timepoint == "baseline") {
        add(v, cell.id, "", static_cast<double>(c.allocated[arms[ua]]),
            "allocated in the replay's database");
      }
      if (arm == 0 && cell.timepoint == "post") {
        add(v, cell.id, "", static_cast<double>(respondents["satisfaction"]),
            "programme questionnaires in the replay's database");
      }
      continue;
    }
    if (cell.variable == "completers" && cell.stat == "n") {
      add(v, cell.id, "", static_cast<double>(completers),
          "post questionnaires in the replay's database");
      continue;
    }
    if (cell.variable == "design_lectures") {
      add(v, cell.id, "", static_cast<double>(c.lectures), "lectures in the replay's calendar");
    } else if (cell.variable == "design_sessions_available") {
      add(v, cell.id, "", static_cast<double>(c.sessions_planned),
          "session slots in the replay's calendar");
    } else if (cell.variable == "design_sessions_required") {
      add(v, cell.id, "", c.required_sessions, "the trial definition stored in the database");
    } else if (cell.variable == "design_sessions" && !c.sessions_attended.empty()) {
      add(v, cell.id, "", *std::min_element(c.sessions_attended.begin(), c.sessions_attended.end()),
          "sessions attended by every intervention participant (attendance log)");
    } else if (cell.variable == "design_group_size_min") {
      add(v, cell.id, "", def.programme.capacity_min,
          "the trial definition stored in the database");
    } else if (cell.variable == "design_group_size_max") {
      add(v, cell.id, "", def.programme.capacity_max,
          "the trial definition stored in the database");
    } else if (cell.variable == "design_leaders_min") {
      add(v, cell.id, "", def.programme.leaders_min, "the trial definition stored in the database");
    } else if (cell.variable == "design_leaders_max") {
      add(v, cell.id, "", def.programme.leaders_max, "the trial definition stored in the database");
    }
  }
  return out;
}

core::result<reproduction_outcome> reproduce(storage::database& db, const request& req,
                                             const std::string& key,
                                             const reproduce_options& options) {
  if (auto ok = authorize(req, use_case::reproduce_published_trial); !ok) {
    return std::move(ok).error();
  }
  auto published = load_published(key);
  if (!published) return std::move(published).error();
  auto data = reconstruct_replica(published.value(), options);
  if (!data) return std::move(data).error();
  auto replayed = replay(db, req, published.value(), data.value(), options);
  if (!replayed) return std::move(replayed).error();
  auto reproduced = analyze_replay(db, published->summary);
  if (!reproduced) return std::move(reproduced).error();
  reproduction_outcome out;
  out.comparison = reproduction::compare(published->summary, published->audit, reproduced->values);
  out.published = std::move(published.value());
  out.data = std::move(data.value());
  out.replayed = std::move(replayed.value());
  out.reproduced = std::move(reproduced.value());
  return out;
}

core::result<reproduction_outcome> tongji_reproduction(const request& req) {
  if (auto ok = authorize(req, use_case::view_reproduction_report); !ok) {
    return std::move(ok).error();
  }
  // The replay runs once per process, on a scratch database removed afterwards; later callers
  // get the same outcome. It is the program's own demonstration, so it runs as the console.
  static std::mutex mutex;
  static std::optional<reproduction_outcome> cached;
  std::lock_guard lock(mutex);
  if (cached) return *cached;
  std::random_device rd;
  const auto path = std::filesystem::temp_directory_path() /
                    ("balint-reproduce-" + std::to_string(rd()) + std::to_string(rd()) + ".db");
  core::result<reproduction_outcome> outcome = [&]() -> core::result<reproduction_outcome> {
    auto db = open_database(path.string());
    return reproduce(*db, {"reproduction", req.now, role::console}, "tongji", {});
  }();
  remove_database_files(path.string());
  if (!outcome) return std::move(outcome).error();
  cached = std::move(outcome.value());
  return *cached;
}

}  // namespace balint::app
