#include "balint/app/survey_service.hpp"

#include "trial_dates.hpp"

#include "balint/app/audit.hpp"
#include "balint/app/randomization_service.hpp"
#include "balint/app/services.hpp"
#include "balint/app/user_service.hpp"
#include "balint/core/sha256.hpp"
#include "balint/core/text.hpp"
#include "balint/outcomes/assessment.hpp"
#include "balint/outcomes/survey_answers.hpp"
#include "balint/scheduling/calendar.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

namespace balint::app {
namespace {

constexpr std::size_t max_reason_chars = 2000;
constexpr std::size_t max_participants = 100000;

/// The one refusal of every unusable token: unknown, malformed, spent, expired, revoked or of a
/// withdrawn participant. The same words for all, so a guess learns nothing.
core::error no_such_link() {
  return core::not_found("token", "this survey link does not exist or can no longer be used");
}

std::vector<std::string> planned_for_every_arm(const trial::trial_definition& t,
                                               std::string_view timepoint) {
  std::vector<std::string> ids;
  for (const auto& plan : t.assessments) {
    if (plan.timepoint != timepoint || !plan.arms.empty()) continue;
    for (const auto& i : plan.instruments) {
      if (std::find(ids.begin(), ids.end(), i) == ids.end()) ids.push_back(i);
    }
  }
  return ids;
}

std::vector<std::string> timepoint_ids(const trial::trial_definition& t) {
  std::vector<std::string> ids;
  for (const auto& tp : t.timepoints) ids.push_back(tp.id);
  return ids;
}

core::result<void> check_timepoint(const trial::trial_definition& t, const std::string& tp) {
  if (t.has_timepoint(tp)) return {};
  return core::with_value(
      core::invalid_input("timepoint", "time point \"" + tp +
                                           "\" is not part of this trial; allowed: " +
                                           core::one_of(timepoint_ids(t))),
      tp, core::join(timepoint_ids(t), ", "));
}

/// The instruments of a link: those asked for (or all planned for every arm), checked.
core::result<std::vector<std::string>> link_instruments(const loaded_trial& trial,
                                                        const std::string& timepoint,
                                                        const std::vector<std::string>& asked) {
  const auto allowed = planned_for_every_arm(trial.definition, timepoint);
  if (asked.empty()) {
    if (allowed.empty()) {
      return core::invalid_input("timepoint", "no questionnaire is planned for every arm at " +
                                                  timepoint + "; a survey link has nothing to ask");
    }
    return allowed;
  }
  std::vector<std::string> out;
  for (const auto& id : asked) {
    if (std::find(allowed.begin(), allowed.end(), id) == allowed.end()) {
      const std::string why =
          outcomes::check_planned(trial.definition, trial.instruments, timepoint, id)
              ? " is planned for some arms only, and a link must not tell its participant their "
                "arm"
              : " is not planned at time point " + timepoint;
      return core::with_value(
          core::invalid_input("instrument", "instrument \"" + id + "\"" + why +
                                                "; allowed: " + core::one_of(allowed)),
          id, core::join(allowed, ", "));
    }
    if (std::find(out.begin(), out.end(), id) != out.end()) {
      return core::with_value(
          core::invalid_input("instrument", "instrument \"" + id + "\" is named twice"), id);
    }
    out.push_back(id);
  }
  return out;
}

core::result<void> check_expiry_days(int days) {
  if (days >= 1 && days <= 365) return {};
  return core::with_value(
      core::invalid_input("expires_days", "a link expires after 1 to 365 days; " +
                                              std::to_string(days) + " is outside that"),
      std::to_string(days), "1-365");
}

/// A valid UTF-8 text of 1 to max_reason_chars code points, not only spaces.
core::result<void> check_reason(const std::string& reason) {
  bool valid = true;
  for (std::size_t i = 0; i < reason.size() && valid;) {
    const auto c = static_cast<unsigned char>(reason[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > reason.size()) valid = false;
    for (std::size_t k = 1; valid && k < n; ++k) {
      valid = (static_cast<unsigned char>(reason[i + k]) >> 6) == 2;
    }
    i += n == 0 ? 1 : n;
  }
  if (!valid) return core::invalid_input("reason", "the reason is not valid UTF-8 text");
  if (core::trim(reason).empty()) {
    return core::invalid_input("reason", "a reason is needed; it is kept in the audit trail");
  }
  if (core::code_points(reason) > max_reason_chars) {
    return core::invalid_input(
        "reason", "the reason is longer than " + std::to_string(max_reason_chars) + " characters");
  }
  return {};
}

std::string expiry_after(const request& req, int days) {
  return scheduling::utc_iso(now_of(req) + std::chrono::days(days));
}

bool expired(const request& req, const std::string& expires_at) {
  const auto t = scheduling::parse_utc_iso(expires_at);
  return !t || now_of(req) >= *t;
}

std::vector<std::string> instruments_of(const std::string& stored) {
  std::vector<std::string> out;
  auto j = core::parse_json(stored);
  if (!j || !j->is_array()) return out;
  for (const auto& e : j->as_array()) {
    if (e.is_string()) out.push_back(e.as_string());
  }
  return out;
}

std::string instruments_json(const std::vector<std::string>& ids) {
  core::json a{core::json::array{}};
  for (const auto& id : ids) a.push_back(id);
  return a.dump();
}

/// The chosen instruments the participant has not answered yet at the time point.
std::vector<std::string> unanswered(storage::database& db, std::int64_t participant_id,
                                    const std::string& timepoint,
                                    const std::vector<std::string>& chosen) {
  std::vector<std::string> out;
  for (const auto& id : chosen) {
    if (!db.find_assessment(participant_id, timepoint, id)) out.push_back(id);
  }
  return out;
}

std::string state_of(const request& req, const storage::survey_link_record& l) {
  if (l.state == "open" && expired(req, l.expires_at)) return "expired";
  return l.state;
}

survey_link_view view_of(const request& req, const storage::survey_link_record& l) {
  survey_link_view v;
  v.participant = l.participant_code;
  v.timepoint = l.timepoint;
  v.state = state_of(req, l);
  v.instruments = instruments_of(l.instruments);
  v.issued_at = l.issued_at;
  v.issued_by = l.issued_by;
  v.expires_at = l.expires_at;
  v.answers_saved = l.state == "open" && l.answers.has_value();
  v.submitted_at = l.submitted_at;
  v.revoked_at = l.revoked_at;
  v.revoke_reason = l.revoke_reason;
  return v;
}

/// The participant's latest link at the time point, or nothing.
std::optional<storage::survey_link_record> latest_link(storage::database& db,
                                                       const std::string& timepoint,
                                                       std::int64_t participant_id) {
  std::optional<storage::survey_link_record> last;
  for (auto& l : db.survey_links(timepoint)) {
    if (l.participant_id == participant_id) last = std::move(l);
  }
  return last;
}

storage::survey_link_record new_link(const request& req, std::int64_t participant_id,
                                     const std::string& timepoint,
                                     const std::vector<std::string>& instruments,
                                     const std::string& token, int days) {
  storage::survey_link_record r;
  r.token_hash = core::sha256_hex(token);
  r.participant_id = participant_id;
  r.timepoint = timepoint;
  r.instruments = instruments_json(instruments);
  r.issued_at = req.now;
  r.issued_by = req.actor;
  r.expires_at = expiry_after(req, days);
  return r;
}

core::error not_enrolled(const std::string& code) {
  return core::with_value(
      core::not_found("participant", "participant \"" + code + "\" is not enrolled in this trial"),
      code);
}

/// The link of a usable token, with its loaded trial; no_such_link() otherwise.
struct usable_link {
  loaded_trial trial;
  storage::survey_link_record link;
  std::vector<const instruments::instrument*> instruments;
};

core::result<usable_link> find_usable(storage::database& db, const request& req,
                                      const std::string& token) {
  const auto parsed = outcomes::parse_survey_token(token);
  if (!parsed) return no_such_link();
  auto link = db.find_survey_link(core::sha256_hex(*parsed));
  if (!link || link->state != "open" || expired(req, link->expires_at)) return no_such_link();
  auto who = db.find_participant(link->participant_code);
  if (!who || who->withdrawn()) return no_such_link();
  auto trial = load_trial(db);
  if (!trial) return std::move(trial).error();
  usable_link out{std::move(trial).value(), std::move(link).value(), {}};
  for (const auto& id : instruments_of(out.link.instruments)) {
    const auto it = out.trial.instruments.find(id);
    if (it == out.trial.instruments.end()) return no_such_link();
    out.instruments.push_back(&it->second);
  }
  return out;
}

survey_form form_of(const usable_link& u) {
  survey_form f;
  f.participant = u.link.participant_code;
  f.language = u.trial.definition.language;
  f.timepoint = u.link.timepoint;
  f.expires_at = u.link.expires_at;
  for (const auto* inst : u.instruments) {
    survey_instrument si;
    si.id = inst->id;
    si.name = inst->name.in(f.language);
    for (int n = 1; n <= inst->item_count; ++n) {
      const auto it = inst->item_texts.find(n);
      std::string text = it != inst->item_texts.end() ? it->second.in(f.language) : std::string();
      if (text.empty()) text = "Item " + std::to_string(n);
      si.items.push_back({n, std::move(text), outcomes::is_required_item(*inst, n)});
    }
    for (int v = inst->item_scale.min; v <= inst->item_scale.max; ++v) {
      const auto it = inst->item_scale.labels.find(v);
      std::string label = it != inst->item_scale.labels.end() ? it->second.in(f.language) : "";
      si.choices.push_back({v, label.empty() ? std::to_string(v) : label});
    }
    f.instruments.push_back(std::move(si));
  }
  if (u.link.answers) {
    auto saved = core::parse_json(*u.link.answers);
    if (saved && saved->is_object()) f.saved = std::move(saved).value();
  }
  if (!f.saved.is_object()) f.saved = core::json(core::json::object{});
  return f;
}

}  // namespace

std::string survey_actor(const std::string& participant) {
  return "participant " + participant + " (survey link)";
}

core::result<survey_issue_result> issue_survey_links(storage::database& db, const request& req,
                                                     const survey_link_spec& spec) {
  auto trial = authorized_trial(db, req, use_case::issue_survey_links);
  if (!trial) return std::move(trial).error();
  if (auto ok = check_timepoint(trial->definition, spec.timepoint); !ok) {
    return std::move(ok).error();
  }
  auto chosen = link_instruments(trial.value(), spec.timepoint, spec.instruments);
  if (!chosen) return std::move(chosen).error();
  if (auto ok = check_expiry_days(spec.expires_days); !ok) return std::move(ok).error();
  if (spec.participants.size() > max_participants) {
    return core::invalid_input(
        "participant", "at most " + std::to_string(max_participants) + " participants at once");
  }

  storage::transaction tx(db);
  if (auto ok = ensure_unlocked(db); !ok) return std::move(ok).error();
  std::map<std::int64_t, bool> has_open;  // participant id -> holds an open, unexpired link
  for (const auto& l : db.survey_links(spec.timepoint)) {
    if (state_of(req, l) == "open") has_open[l.participant_id] = true;
  }
  std::vector<storage::participant_record> targets;
  const bool named = !spec.participants.empty();
  if (named) {
    std::set<std::string> seen;
    for (const auto& code : spec.participants) {
      if (!seen.insert(code).second) {
        return core::with_value(
            core::invalid_input("participant", "participant " + code + " is named twice"), code);
      }
      auto who = db.find_participant(code);
      if (!who) return not_enrolled(code);
      if (who->withdrawn()) {
        return core::with_value(
            core::precondition_failed("participant", "participant " + code + " withdrew on " +
                                                         who->withdrawal_day() +
                                                         "; no link is issued"),
            code);
      }
      targets.push_back(std::move(who).value());
    }
  } else {
    for (auto& p : db.participants()) {
      if (!p.withdrawn()) targets.push_back(std::move(p));
    }
  }

  survey_issue_result result;
  result.timepoint = spec.timepoint;
  std::vector<storage::survey_link_record> rows;
  core::json codes{core::json::array{}};
  for (const auto& who : targets) {
    const auto& code = who.participant.code;
    auto todo = unanswered(db, who.id, spec.timepoint, chosen.value());
    if (todo.empty()) {
      if (named) {
        return core::with_value(
            core::precondition_failed("participant", "participant " + code +
                                                         " has answered every chosen "
                                                         "questionnaire at " +
                                                         spec.timepoint),
            code);
      }
      ++result.already_answered;
      continue;
    }
    if (has_open.count(who.id)) {
      if (named) {
        return core::with_value(
            core::conflict("participant", "participant " + code +
                                              " already holds an open link at " + spec.timepoint +
                                              "; reissue it (that revokes the old one) instead"),
            code);
      }
      ++result.already_linked;
      continue;
    }
    const std::string token = random_hex(16);
    rows.push_back(new_link(req, who.id, spec.timepoint, todo, token, spec.expires_days));
    result.links.push_back({code, token, rows.back().expires_at, todo});
    codes.push_back(code);
  }
  if (rows.empty()) {
    return core::invalid_input("participant",
                               "nobody needs a link at " + spec.timepoint + ": " +
                                   std::to_string(result.already_answered) + " answered already, " +
                                   std::to_string(result.already_linked) + " hold an open link");
  }
  db.insert_survey_links(rows);
  core::json after;
  after["timepoint"] = spec.timepoint;
  after["instruments"] = core::parse_json(instruments_json(chosen.value())).value();
  after["links"] = rows.size();
  after["participants"] = std::move(codes);
  after["expires_at"] = rows.front().expires_at;
  append_audit(db, req, "survey.issue", "survey-links:" + spec.timepoint, std::nullopt, after,
               std::nullopt);
  tx.commit();
  return result;
}

core::result<survey_status> survey_link_status(storage::database& db, const request& req,
                                               const std::string& timepoint) {
  auto trial = authorized_trial(db, req, use_case::list_survey_links);
  if (!trial) return std::move(trial).error();
  if (auto ok = check_timepoint(trial->definition, timepoint); !ok) return std::move(ok).error();
  storage::transaction tx(db, true);
  survey_status s;
  s.timepoint = timepoint;
  std::map<std::int64_t, std::pair<survey_link_view, std::size_t>> latest;
  for (const auto& l : db.survey_links(timepoint)) {
    auto v = view_of(req, l);
    ++s.issued;
    if (v.state == "open") ++s.open;
    if (v.state == "expired") ++s.expired;
    if (v.state == "submitted") ++s.submitted;
    if (v.state == "revoked") ++s.revoked;
    auto& slot = latest[l.participant_id];
    slot.first = std::move(v);
    ++slot.second;
  }
  for (const auto& p : db.participants()) {
    if (p.withdrawn()) continue;
    survey_link_view v;
    if (const auto it = latest.find(p.id); it != latest.end()) {
      v = it->second.first;
      v.links = it->second.second;
    } else {
      v.participant = p.participant.code;
      v.timepoint = timepoint;
      v.state = "none";
    }
    s.participants.push_back(std::move(v));
  }
  tx.commit();
  return s;
}

core::result<survey_link_view> revoke_survey_link(storage::database& db, const request& req,
                                                  const std::string& participant,
                                                  const std::string& timepoint,
                                                  const std::string& reason) {
  auto trial = authorized_trial(db, req, use_case::revoke_survey_link);
  if (!trial) return std::move(trial).error();
  if (auto ok = check_timepoint(trial->definition, timepoint); !ok) return std::move(ok).error();
  if (auto ok = check_reason(reason); !ok) return std::move(ok).error();
  storage::transaction tx(db);
  if (auto ok = ensure_unlocked(db); !ok) return std::move(ok).error();
  const auto who = db.find_participant(participant);
  if (!who) return not_enrolled(participant);
  auto link = latest_link(db, timepoint, who->id);
  if (!link || link->state != "open") {
    return core::with_value(
        core::not_found("link", "participant " + participant + " holds no open link at " +
                                    timepoint +
                                    (link ? " (the latest is " + link->state + ")" : "")),
        participant);
  }
  const std::string before_state = state_of(req, *link);
  db.revoke_survey_link(link->id, req.now, reason);
  core::json before;
  before["state"] = before_state;
  core::json after;
  after["state"] = "revoked";
  append_audit(db, req, "survey.revoke", "survey-link:" + participant + "/" + timepoint, before,
               after, reason);
  auto stored = latest_link(db, timepoint, who->id).value();
  tx.commit();
  return view_of(req, stored);
}

core::result<issued_survey_link> reissue_survey_link(storage::database& db, const request& req,
                                                     const std::string& participant,
                                                     const std::string& timepoint,
                                                     const std::string& reason, int expires_days) {
  auto trial = authorized_trial(db, req, use_case::issue_survey_links);
  if (!trial) return std::move(trial).error();
  if (auto ok = authorize(req, use_case::revoke_survey_link); !ok) return std::move(ok).error();
  if (auto ok = check_timepoint(trial->definition, timepoint); !ok) return std::move(ok).error();
  if (auto ok = check_reason(reason); !ok) return std::move(ok).error();
  if (auto ok = check_expiry_days(expires_days); !ok) return std::move(ok).error();
  storage::transaction tx(db);
  if (auto ok = ensure_unlocked(db); !ok) return std::move(ok).error();
  const auto who = db.find_participant(participant);
  if (!who) return not_enrolled(participant);
  if (who->withdrawn()) {
    return core::with_value(
        core::precondition_failed("participant", "participant " + participant + " withdrew on " +
                                                     who->withdrawal_day() + "; no link is issued"),
        participant);
  }
  const auto link = latest_link(db, timepoint, who->id);
  // The same questionnaires as before (those still unanswered), or all planned for every arm.
  auto chosen = link ? instruments_of(link->instruments)
                     : planned_for_every_arm(trial->definition, timepoint);
  auto todo = unanswered(db, who->id, timepoint, chosen);
  if (todo.empty()) {
    return core::with_value(
        core::precondition_failed("participant", "participant " + participant +
                                                     " has answered every questionnaire of the "
                                                     "link at " +
                                                     timepoint + "; nothing to reissue"),
        participant);
  }
  core::json before;
  before["state"] = link ? state_of(req, *link) : "none";
  if (link && link->state == "open") db.revoke_survey_link(link->id, req.now, reason);
  const std::string token = random_hex(16);
  auto row = new_link(req, who->id, timepoint, todo, token, expires_days);
  db.insert_survey_links({row});
  core::json after;
  after["state"] = "open";
  after["instruments"] = core::parse_json(row.instruments).value();
  after["expires_at"] = row.expires_at;
  append_audit(db, req, "survey.reissue", "survey-link:" + participant + "/" + timepoint, before,
               after, reason);
  tx.commit();
  return issued_survey_link{participant, token, row.expires_at, todo};
}

core::result<survey_form> open_survey(storage::database& db, const request& req,
                                      const std::string& token) {
  if (auto ok = authorize(req, use_case::open_survey); !ok) return std::move(ok).error();
  storage::transaction tx(db, true);
  auto u = find_usable(db, req, token);
  if (!u) return std::move(u).error();
  auto form = form_of(u.value());
  tx.commit();
  return form;
}

core::result<survey_form> save_survey(storage::database& db, const request& req,
                                      const std::string& token, const core::json& answers) {
  if (auto ok = authorize(req, use_case::save_survey); !ok) return std::move(ok).error();
  storage::transaction tx(db);
  auto u = find_usable(db, req, token);
  if (!u) return std::move(u).error();
  auto parsed = outcomes::parse_survey_answers(answers, u->instruments, false);
  if (!parsed) return std::move(parsed).error();
  if (auto ok = ensure_unlocked(db); !ok) return std::move(ok).error();
  const std::string stored = outcomes::survey_answers_json(parsed.value()).dump();
  db.save_survey_answers(u->link.id, stored, req.now);
  request as_participant = req;
  as_participant.actor = survey_actor(u->link.participant_code);
  core::json after;
  std::size_t answered = 0;
  for (const auto& [id, items] : parsed.value()) {
    for (const auto& v : items) answered += v ? 1 : 0;
  }
  after["answered_items"] = answered;
  append_audit(db, as_participant, "survey.save",
               "survey-link:" + u->link.participant_code + "/" + u->link.timepoint, std::nullopt,
               after, std::nullopt);
  u->link.answers = stored;
  auto form = form_of(u.value());
  tx.commit();
  return form;
}

core::result<survey_submitted> submit_survey(storage::database& db, const request& req,
                                             const std::string& token, const core::json& answers) {
  if (auto ok = authorize(req, use_case::submit_survey); !ok) return std::move(ok).error();
  storage::transaction tx(db);
  auto u = find_usable(db, req, token);
  if (!u) return std::move(u).error();
  auto parsed = outcomes::parse_survey_answers(answers, u->instruments, true);
  if (!parsed) return std::move(parsed).error();
  // The checks `outcome record` makes of a new questionnaire, in its order.
  const auto& code = u->link.participant_code;
  const auto& timepoint = u->link.timepoint;
  for (const auto* inst : u->instruments) {
    if (auto ok =
            outcomes::check_planned(u->trial.definition, u->trial.instruments, timepoint, inst->id);
        !ok) {
      return std::move(ok).error();
    }
  }
  if (auto ok = ensure_unlocked(db); !ok) return std::move(ok).error();
  const auto who = db.find_participant(code);
  if (!who) return no_such_link();
  std::vector<storage::new_assessment> rows;
  core::json recorded{core::json::object{}};
  survey_submitted out{code, timepoint, {}, req.now};
  // Answered today, in the trial's time zone: the day the participant pressed Submit.
  const std::string today = detail::today_of(req, u->trial.definition);
  for (const auto* inst : u->instruments) {
    if (auto existing = db.find_assessment(who->id, timepoint, inst->id)) {
      return core::conflict(inst->id, inst->id + " answers at " + timepoint +
                                          " were recorded by the study team meanwhile (" +
                                          existing->recorded_at +
                                          "); nothing was saved: please contact them");
    }
    const auto& items = parsed->at(inst->id);
    rows.push_back({who->id, timepoint, inst->id, &items, today});
    core::json a{core::json::array{}};
    for (const auto& v : items) a.push_back(v ? core::json(*v) : core::json(nullptr));
    recorded[inst->id]["items"] = std::move(a);
    out.instruments.push_back(inst->id);
  }
  db.insert_assessments(rows, req.now);
  db.mark_survey_link_submitted(u->link.id, req.now);
  request as_participant = req;
  as_participant.actor = survey_actor(code);
  core::json after;
  after["timepoint"] = timepoint;
  after["assessment_date"] = today;
  after["questionnaires"] = std::move(recorded);
  append_audit(db, as_participant, "survey.submit", "assessment:" + code + "/" + timepoint,
               std::nullopt, after, std::nullopt);
  tx.commit();
  return out;
}

}  // namespace balint::app
