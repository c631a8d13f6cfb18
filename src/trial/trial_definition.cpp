#include "balint/trial/trial_definition.hpp"

#include "balint/core/error.hpp"
#include "balint/core/json_schema.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace balint::trial {

namespace {

using core::json;
using core::schema_violation;

// Readers that tolerate a missing or mistyped member. The schema has already required the
// members, but a caller may pass a looser schema, and a bad file must never crash the program.
std::string text_of(const json& object, std::string_view key) {
  const json* member = object.find(key);
  return member != nullptr && member->is_string() ? member->as_string() : std::string{};
}

int int_of(const json& object, std::string_view key, int fallback = 0) {
  const json* member = object.find(key);
  if (member == nullptr || !member->is_integer()) return fallback;
  const std::int64_t value = member->as_int();
  // The schema bounds every number far inside int; clamp in case it was not applied.
  return static_cast<int>(std::clamp<std::int64_t>(value, -1'000'000'000, 1'000'000'000));
}

const json& member_of(const json& object, std::string_view key) {
  static const json empty;
  const json* member = object.find(key);
  return member != nullptr ? *member : empty;
}

const json::array& list_of(const json& object, std::string_view key) {
  static const json::array empty;
  const json* member = object.find(key);
  return member != nullptr && member->is_array() ? member->as_array() : empty;
}

std::vector<std::string> texts_of(const json& object, std::string_view key) {
  std::vector<std::string> out;
  for (const auto& v : list_of(object, key)) {
    if (v.is_string()) out.push_back(v.as_string());
  }
  return out;
}

std::string quoted(std::string_view s) {
  std::string out;
  core::append_json_string(out, s);
  return out;
}

std::string quoted_list(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) {
    if (!out.empty()) out += ", ";
    out += quoted(v);
  }
  return out.empty() ? "none" : out;
}

std::string at(std::string_view base, std::size_t index) {
  return std::string(base) + '[' + std::to_string(index) + ']';
}

bool contains(const std::vector<std::string>& values, std::string_view v) {
  return std::find(values.begin(), values.end(), v) != values.end();
}

trial_definition read(const json& doc) {
  trial_definition t;
  t.id = text_of(doc, "id");
  t.title = text_of(doc, "title");
  t.registration = text_of(doc, "registration");
  t.citation = text_of(doc, "source");
  t.language = text_of(doc, "language");
  if (t.language.empty()) t.language = "en";
  for (const auto& a : list_of(doc, "arms")) {
    t.arms.push_back({text_of(a, "id"), text_of(a, "label"), int_of(a, "ratio", 1)});
  }
  t.planned_participants = int_of(doc, "planned_participants");
  for (const auto& tp : list_of(doc, "timepoints")) {
    timepoint point{text_of(tp, "id"), text_of(tp, "label"), std::nullopt};
    if (const json* w = tp.find("window")) {
      assessment_window window;
      // The schema allows exactly {"before": "randomization"} or {"after": ..., "within_weeks"}.
      window.before = w->find("before") != nullptr;
      const std::string anchor = window.before ? text_of(*w, "before") : text_of(*w, "after");
      window.from = anchor == "programme-end" ? assessment_window::anchor::programme_end
                                              : assessment_window::anchor::randomization;
      window.within_weeks = window.before ? 0 : int_of(*w, "within_weeks");
      point.window = window;
    }
    t.timepoints.push_back(std::move(point));
  }
  const json& baseline = member_of(doc, "baseline");
  t.baseline_timepoint = text_of(baseline, "timepoint");
  t.baseline_required = texts_of(baseline, "required_instruments");
  for (const auto& plan : list_of(doc, "assessments")) {
    t.assessments.push_back(
        {text_of(plan, "timepoint"), texts_of(plan, "instruments"), texts_of(plan, "arms")});
  }
  for (const auto& o : list_of(doc, "outcomes")) {
    t.outcomes.push_back(
        {text_of(o, "id"), text_of(o, "label"), text_of(o, "instrument"), text_of(o, "subscale")});
  }
  const json& e = member_of(doc, "eligibility");
  t.eligibility.min_age = int_of(e, "min_age", 0);
  t.eligibility.max_age = int_of(e, "max_age", 120);
  const json* consent = e.find("consent_required");
  t.eligibility.consent_required = consent == nullptr || !consent->is_bool() || consent->as_bool();
  t.eligibility.genders = texts_of(e, "genders");
  t.availability_options = texts_of(doc, "availability_options");
  const json& r = member_of(doc, "randomization");
  t.randomization.method = text_of(r, "method");
  for (const auto& size : list_of(r, "block_sizes")) {
    if (size.is_integer()) t.randomization.block_sizes.push_back(static_cast<int>(size.as_int()));
  }
  for (const auto& factor : list_of(r, "strata")) {
    stratum_factor f{text_of(factor, "field"), {}};
    for (const auto& level : list_of(factor, "levels")) {
      f.levels.push_back({text_of(level, "id"), texts_of(level, "values")});
    }
    t.randomization.strata.push_back(std::move(f));
  }
  t.randomization.list_length = int_of(r, "list_length", t.planned_participants);
  const json* baseline_flag = r.find("baseline_required");
  t.randomization.baseline_required =
      baseline_flag == nullptr || !baseline_flag->is_bool() || baseline_flag->as_bool();
  const json& p = member_of(doc, "programme");
  auto& prog = t.programme;
  prog.time_zone = text_of(p, "time_zone");
  for (const auto& l : list_of(p, "lectures")) {
    prog.lectures.push_back({text_of(l, "date"), text_of(l, "start"), text_of(l, "end")});
  }
  prog.session_weekday = text_of(p, "session_weekday");
  prog.session_start = text_of(p, "session_start");
  prog.session_end = text_of(p, "session_end");
  prog.first_session_date = text_of(p, "first_session_date");
  prog.session_slots = int_of(p, "session_slots");
  for (const auto& b : list_of(p, "blackout_dates"))
    prog.blackout_dates.push_back(text_of(b, "date"));
  prog.capacity_min = int_of(member_of(p, "capacity"), "min", 1);
  prog.capacity_max = int_of(member_of(p, "capacity"), "max", 1);
  prog.leaders_min = int_of(member_of(p, "leaders_per_session"), "min", 1);
  prog.leaders_max = int_of(member_of(p, "leaders_per_session"), "max", 1);
  prog.required_sessions = int_of(p, "required_sessions");
  t.instruments = texts_of(doc, "instruments");
  t.source = doc;
  return t;
}

// Day of the week of a "YYYY-MM-DD" date, 0 = monday .. 6 = sunday, or -1 when malformed.
// Howard Hinnant's days_from_civil, so the trial module needs no calendar library.
int weekday_of(std::string_view date) {
  if (date.size() != 10) return -1;
  for (std::size_t i : {0U, 1U, 2U, 3U, 5U, 6U, 8U, 9U}) {
    if (date[i] < '0' || date[i] > '9') return -1;
  }
  const auto number = [&](std::size_t from, std::size_t count) {
    int n = 0;
    for (std::size_t i = from; i < from + count; ++i) n = n * 10 + (date[i] - '0');
    return n;
  };
  int y = number(0, 4);
  const int m = number(5, 2);
  const int d = number(8, 2);
  if (m < 1 || m > 12 || d < 1 || d > 31) return -1;
  y -= m <= 2 ? 1 : 0;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const long days = static_cast<long>(era) * 146097 + doe - 719468;  // 0 = 1970-01-01, a thursday
  return static_cast<int>(((days % 7) + 7 + 3) % 7);
}

constexpr std::array<std::string_view, 7> weekday_names = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};

// The randomization member: what the method uses, ratios against block sizes, strata levels.
template <class Add>
void check_randomization(const trial_definition& t, const Add& add) {
  const auto& r = t.randomization;
  const bool simple = r.method == "simple";
  const bool stratified = r.method == "stratified-permuted-block";
  std::string sizes_text;
  for (const int size : r.block_sizes) {
    sizes_text += (sizes_text.empty() ? "" : ", ") + std::to_string(size);
  }
  if (simple && !r.block_sizes.empty()) {
    add("$.randomization.block_sizes",
        "simple randomization uses no blocks, but block sizes " + sizes_text +
            " are given; remove block_sizes or choose permuted-block");
  }
  if (!simple && r.block_sizes.empty()) {
    add("$.randomization.block_sizes",
        r.method + " randomization needs at least one block size (for example [4, 6])");
  }
  const int ratios = t.ratio_sum();
  std::string ratio_text;
  for (const auto& a : t.arms)
    ratio_text += (ratio_text.empty() ? "" : ":") + std::to_string(a.ratio);
  for (std::size_t i = 0; i < r.block_sizes.size() && !simple; ++i) {
    const int size = r.block_sizes[i];
    if (ratios > 0 && size % ratios != 0) {
      add(at("$.randomization.block_sizes", i),
          "block size " + std::to_string(size) + " does not fit the allocation ratio " +
              ratio_text + " (sizes must be multiples of " + std::to_string(ratios) + ")");
    }
  }
  if (!stratified && !r.strata.empty()) {
    add("$.randomization.strata", r.method +
                                      " randomization is not stratified, but strata are given; "
                                      "remove strata or choose stratified-permuted-block");
  }
  if (stratified && r.strata.empty()) {
    add("$.randomization.strata",
        "stratified-permuted-block randomization needs at least one stratification field "
        "(gender or specialty)");
  }
  for (std::size_t i = 0; i < r.strata.size(); ++i) {
    const auto& factor = r.strata[i];
    const auto base = at("$.randomization.strata", i);
    for (std::size_t k = 0; k < i; ++k) {
      if (r.strata[k].field == factor.field) {
        add(base + ".field", factor.field + " is stratified twice (also at " +
                                 at("$.randomization.strata", k) + "); each field may appear once");
        break;
      }
    }
    for (std::size_t l = 0; l < factor.levels.size(); ++l) {
      const auto& level = factor.levels[l];
      const auto level_path = at(base + ".levels", l);
      for (std::size_t k = 0; k < l; ++k) {
        if (factor.levels[k].id == level.id) {
          add(level_path + ".id", "level id " + quoted(level.id) + " of " + factor.field +
                                      " is used twice (also at " + at(base + ".levels", k) +
                                      "); level ids must differ");
          break;
        }
      }
      for (std::size_t v = 0; v < level.values.size(); ++v) {
        const auto& value = level.values[v];
        for (std::size_t k = 0; k < l; ++k) {
          const auto& earlier = factor.levels[k].values;
          const auto it = std::find(earlier.begin(), earlier.end(), value);
          if (it == earlier.end()) continue;
          add(at(level_path + ".values", v),
              quoted(value) + " is already in level " + quoted(factor.levels[k].id) + " of " +
                  factor.field + " (" +
                  at(at(base + ".levels", k) + ".values",
                     static_cast<std::size_t>(it - earlier.begin())) +
                  "); a value may belong to one level only");
          break;
        }
      }
    }
  }
}

// Cross references, in the order the members appear in the file.
std::vector<schema_violation> cross_check(const trial_definition& t) {
  std::vector<schema_violation> out;
  const auto add = [&](std::string path, std::string message) {
    out.push_back({std::move(path), std::move(message)});
  };

  std::vector<std::string> arm_ids;
  for (std::size_t i = 0; i < t.arms.size(); ++i) {
    const auto& id = t.arms[i].id;
    if (const auto it = std::find(arm_ids.begin(), arm_ids.end(), id); it != arm_ids.end()) {
      add(at("$.arms", i) + ".id",
          "arm id " + quoted(id) + " is used twice (also at " +
              at("$.arms", static_cast<std::size_t>(it - arm_ids.begin())) +
              "); arm ids must differ");
    }
    arm_ids.push_back(id);
  }

  std::vector<std::string> timepoint_ids;
  for (std::size_t i = 0; i < t.timepoints.size(); ++i) {
    const auto& id = t.timepoints[i].id;
    if (contains(timepoint_ids, id)) {
      add(at("$.timepoints", i) + ".id",
          "time point id " + quoted(id) + " is used twice; time point ids must differ");
    }
    timepoint_ids.push_back(id);
  }

  const auto unknown_instrument = [&](const std::string& path, const std::string& id) {
    if (!t.has_instrument(id)) {
      add(path, quoted(id) + " is not one of the trial's instruments (" +
                    quoted_list(t.instruments) + ")");
      return true;
    }
    return false;
  };

  if (!t.has_timepoint(t.baseline_timepoint)) {
    add("$.baseline.timepoint", quoted(t.baseline_timepoint) +
                                    " is not one of the trial's time points (" +
                                    quoted_list(timepoint_ids) + ")");
  }
  const auto at_baseline = t.instruments_at(t.baseline_timepoint, "");
  for (std::size_t i = 0; i < t.baseline_required.size(); ++i) {
    const auto& id = t.baseline_required[i];
    const auto path = at("$.baseline.required_instruments", i);
    if (unknown_instrument(path, id)) continue;
    if (t.has_timepoint(t.baseline_timepoint) && !contains(at_baseline, id)) {
      add(path, quoted(id) + " is required at baseline but no assessment collects it at " +
                    quoted(t.baseline_timepoint) + " from every arm");
    }
  }

  for (std::size_t i = 0; i < t.assessments.size(); ++i) {
    const auto& plan = t.assessments[i];
    const auto base = at("$.assessments", i);
    if (!t.has_timepoint(plan.timepoint)) {
      add(base + ".timepoint", quoted(plan.timepoint) + " is not one of the trial's time points (" +
                                   quoted_list(timepoint_ids) + ")");
    }
    for (std::size_t k = 0; k < plan.instruments.size(); ++k) {
      unknown_instrument(at(base + ".instruments", k), plan.instruments[k]);
    }
    for (std::size_t k = 0; k < plan.arms.size(); ++k) {
      if (t.find_arm(plan.arms[k]) == nullptr) {
        add(at(base + ".arms", k), quoted(plan.arms[k]) + " is not one of the trial's arms (" +
                                       quoted_list(arm_ids) + ")");
      }
    }
  }

  std::vector<std::string> outcome_ids;
  for (std::size_t i = 0; i < t.outcomes.size(); ++i) {
    const auto& o = t.outcomes[i];
    const auto base = at("$.outcomes", i);
    if (contains(outcome_ids, o.id)) {
      add(base + ".id", "outcome id " + quoted(o.id) + " is used twice; outcome ids must differ");
    }
    outcome_ids.push_back(o.id);
    unknown_instrument(base + ".instrument", o.instrument);
  }

  if (t.eligibility.max_age < t.eligibility.min_age) {
    add("$.eligibility.max_age", "the maximum age " + std::to_string(t.eligibility.max_age) +
                                     " is below the minimum age " +
                                     std::to_string(t.eligibility.min_age));
  }

  check_randomization(t, add);

  const auto& p = t.programme;
  for (std::size_t i = 0; i < p.lectures.size(); ++i) {
    if (p.lectures[i].end <= p.lectures[i].start) {
      add(at("$.programme.lectures", i) + ".end", "the lecture ends at " + p.lectures[i].end +
                                                      ", not after its start " +
                                                      p.lectures[i].start);
    }
  }
  // "HH:MM" strings of equal length order like the times they name.
  if (p.session_end <= p.session_start) {
    add("$.programme.session_end",
        "sessions end at " + p.session_end + ", not after their start " + p.session_start);
  }
  if (const int wd = weekday_of(p.first_session_date);
      wd >= 0 && weekday_names[static_cast<std::size_t>(wd)] != p.session_weekday) {
    add("$.programme.first_session_date",
        p.first_session_date + " is a " + std::string(weekday_names[static_cast<std::size_t>(wd)]) +
            ", but sessions are held on " + p.session_weekday + "s");
  }
  if (p.capacity_max < p.capacity_min) {
    add("$.programme.capacity.max", "the most participants per session " +
                                        std::to_string(p.capacity_max) + " is below the fewest " +
                                        std::to_string(p.capacity_min));
  }
  if (p.leaders_max < p.leaders_min) {
    add("$.programme.leaders_per_session.max",
        "the most leaders per session " + std::to_string(p.leaders_max) + " is below the fewest " +
            std::to_string(p.leaders_min));
  }
  if (p.required_sessions > p.session_slots) {
    add("$.programme.required_sessions",
        std::to_string(p.required_sessions) + " required sessions exceed the " +
            std::to_string(p.session_slots) + " session slots offered");
  }
  return out;
}

core::error refuse(const std::vector<schema_violation>& problems) {
  return core::invalid_input(problems.front().path,
                             "trial definition: " + core::format_violations(problems));
}

}  // namespace

const arm* trial_definition::find_arm(std::string_view arm_id) const {
  const auto it =
      std::find_if(arms.begin(), arms.end(), [&](const arm& a) { return a.id == arm_id; });
  return it == arms.end() ? nullptr : &*it;
}

bool trial_definition::has_timepoint(std::string_view timepoint_id) const {
  return std::any_of(timepoints.begin(), timepoints.end(),
                     [&](const timepoint& tp) { return tp.id == timepoint_id; });
}

bool trial_definition::has_instrument(std::string_view instrument_id) const {
  return std::find(instruments.begin(), instruments.end(), instrument_id) != instruments.end();
}

std::vector<std::string> trial_definition::instruments_at(std::string_view timepoint_id,
                                                          std::string_view arm_id) const {
  std::vector<std::string> out;
  for (const auto& plan : assessments) {
    if (plan.timepoint != timepoint_id) continue;
    if (!plan.arms.empty() && !contains(plan.arms, arm_id)) continue;
    for (const auto& instrument : plan.instruments) {
      if (!contains(out, instrument)) out.push_back(instrument);
    }
  }
  return out;
}

int trial_definition::ratio_sum() const {
  int sum = 0;
  for (const auto& a : arms) sum += a.ratio;
  return sum;
}

core::result<trial_definition> parse_trial_definition(const core::json& doc,
                                                      const core::json& schema) {
  if (const auto violations = core::validate_json(doc, schema); !violations.empty()) {
    return refuse(violations);
  }
  trial_definition t = read(doc);
  if (const auto problems = cross_check(t); !problems.empty()) return refuse(problems);
  return t;
}

}  // namespace balint::trial
