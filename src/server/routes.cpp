// The route table: each route names its roles and turns a request into one call of an app
// service, then the result into JSON. No SQL and no Poco here.
#include "http.hpp"

#include "balint/analysis/analysis.hpp"
#include "balint/analysis/data_set.hpp"
#include "balint/app/analysis_service.hpp"
#include "balint/app/randomization_service.hpp"
#include "balint/app/reproduce_service.hpp"
#include "balint/app/schedule_service.hpp"
#include "balint/app/services.hpp"
#include "balint/app/survey_service.hpp"
#include "balint/app/user_service.hpp"
#include "balint/attendance/progress.hpp"
#include "balint/core/dates.hpp"
#include "balint/core/text.hpp"
#include "balint/enrolment/participant.hpp"
#include "balint/report/export.hpp"
#include "balint/report/json.hpp"
#include "balint/report/reproduction_report.hpp"
#include "balint/report/survey_sheet.hpp"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <random>

namespace balint::server::detail {
namespace {

using app::role;
using app::use_case;

/// A string member of the body; invalid_input naming it when absent or not a string.
core::result<std::string> string_member(const core::json& body, const std::string& name) {
  const core::json* v = body.is_object() ? body.find(name) : nullptr;
  if (!v || !v->is_string()) {
    return core::invalid_input(name, "the JSON body needs \"" + name + "\" as a string");
  }
  return v->as_string();
}

core::result<std::optional<std::string>> optional_string_member(const core::json& body,
                                                                const std::string& name) {
  const core::json* v = body.is_object() ? body.find(name) : nullptr;
  if (!v || v->is_null()) return std::optional<std::string>();
  if (!v->is_string()) {
    return core::invalid_input(name, "\"" + name + "\" must be a string or null");
  }
  return std::optional<std::string>(v->as_string());
}

/// A participant field as `participant add` takes it: a string, or a number / true / false /
/// list of strings written as the CLI would (42, "yes"/"no", "a;b"). Absent or null: nullopt.
core::result<std::optional<std::string>> field_text(const core::json& body,
                                                    const std::string& name) {
  const core::json* v = body.is_object() ? body.find(name) : nullptr;
  if (!v || v->is_null()) return std::optional<std::string>();
  if (v->is_string()) return std::optional<std::string>(v->as_string());
  if (v->is_integer()) return std::optional<std::string>(std::to_string(v->as_int()));
  if (v->is_bool()) return std::optional<std::string>(v->as_bool() ? "yes" : "no");
  if (v->is_array()) {
    std::vector<std::string> parts;
    for (const auto& e : v->as_array()) {
      if (!e.is_string()) {
        return core::invalid_input(name, "\"" + name + "\" must be a list of strings");
      }
      parts.push_back(e.as_string());
    }
    return std::optional<std::string>(core::join(parts, ";"));
  }
  return core::invalid_input(name, "\"" + name + "\" must be a string");
}

std::string cookie(const call& c, const std::string& value, bool clear) {
  std::string s = std::string(session_cookie) + "=" + value + "; Path=/; HttpOnly; SameSite=Strict";
  if (c.cfg.secure_cookie) s += "; Secure";
  if (clear) s += "; Max-Age=0";
  return s;
}

/// True when the site can hold another trial (a directory or PostgreSQL, not one file).
bool many_trials(const call& c) { return c.site != nullptr && c.site->holds_many(); }

/// True when the users of this request's trial are the site's accounts given a role here (a
/// trial of a site of several, whose users are not the accounts' own table).
bool grants_roles(const call& c) { return many_trials(c) && &c.db != c.accounts; }

response post_login(call& c) {
  auto user = string_member(c.body, "user");
  if (!user) return error_response(user.error());
  auto password = string_member(c.body, "password");
  if (!password) return error_response(password.error());
  c.req.actor = user.value();
  auto s = app::login(c.db, c.req, user.value(), password.value(), c.cfg.security);
  if (!s) {
    // The only forbidden answer of login is the rate limit: 429 says "later", not "never".
    if (s.error().code == core::error_code::forbidden) {
      auto r = error_response(429, "too_many_requests", s.error().field, s.error().message);
      r.headers.emplace_back("Retry-After",
                             std::to_string(c.cfg.security.failed_login_window_seconds));
      return r;
    }
    return error_response(s.error());
  }
  core::json j;
  j["user"] = s->user;
  j["role"] = std::string(app::to_string(s->user_role));
  j["csrf_token"] = s->csrf_token;
  j["many_trials"] = many_trials(c);
  auto r = json_response(200, j);
  r.headers.emplace_back("Set-Cookie", cookie(c, s->token, false));
  return r;
}

response post_logout(call& c) {
  if (auto ok = app::logout(c.db, c.req, c.cookie_token); !ok) return error_response(ok.error());
  core::json j;
  j["signed_out"] = true;
  auto r = json_response(200, j);
  r.headers.emplace_back("Set-Cookie", cookie(c, "", true));
  return r;
}

/// The answer of a use case that returns a view: `status` with its JSON, or the refusal.
template <class View>
response answer(int status, const core::result<View>& r) {
  if (!r) return error_response(r.error());
  return json_response(status, report::to_json(r.value()));
}

/// "beyond_plan": true in the body confirms enrolment past the trial's planned size.
bool beyond_plan(const call& c) {
  const core::json* v = c.body.find("beyond_plan");
  return v != nullptr && v->is_bool() && v->as_bool();
}

response get_participants(call& c) { return answer(200, app::list_participants(c.db, c.req)); }

response post_participant_import(call& c) {
  auto csv = string_member(c.body, "csv");
  if (!csv) return error_response(csv.error());
  auto n = app::import_participants(c.db, c.req, csv.value(), beyond_plan(c));
  if (!n) return error_response(n.error());
  core::json j;
  j["enrolled"] = n.value();
  return json_response(201, j);
}

response get_me(call& c) {
  auto account = app::own_account(c.db, c.req);
  if (!account) return error_response(account.error());
  core::json j;
  j["user"] = account->name;
  j["role"] = std::string(app::to_string(account->user_role));
  j["csrf_token"] = c.who->csrf_token;
  j["many_trials"] = many_trials(c);
  // Whether POST /api/users here gives an existing site account a role (post_user's own test).
  j["grants_roles"] = grants_roles(c);
  return json_response(200, j);
}

response get_trial(call& c) { return answer(200, app::view_trial(c.db, c.req)); }

response post_participant(call& c) {
  enrolment::participant_fields f;
  for (const auto& [name, slot] : std::vector<std::pair<std::string, std::string*>>{
           {"code", &f.code}, {"age", &f.age}, {"gender", &f.gender}, {"consent", &f.consent}}) {
    auto v = field_text(c.body, name);
    if (!v) return error_response(v.error());
    if (!v.value()) {
      return error_response(core::invalid_input(name, "the JSON body needs \"" + name + "\""));
    }
    *slot = *v.value();
  }
  for (const auto& [name, slot] : std::vector<std::pair<std::string, std::optional<std::string>*>>{
           {"specialty", &f.specialty},
           {"balint_knowledge", &f.balint_knowledge},
           {"balint_times", &f.balint_times},
           {"available", &f.available},
           {"consent_date", &f.consent_date}}) {
    auto v = field_text(c.body, name);
    if (!v) return error_response(v.error());
    *slot = v.value();
  }
  return answer(201, app::add_participant(c.db, c.req, f, beyond_plan(c)));
}

response post_withdraw(call& c) {
  auto reason = string_member(c.body, "reason");
  if (!reason) return error_response(reason.error());
  auto date = optional_string_member(c.body, "date");
  if (!date) return error_response(date.error());
  auto category = optional_string_member(c.body, "category");
  if (!category) return error_response(category.error());
  return answer(200,
                app::withdraw_participant(
                    c.db, c.req, {c.params.at(0), reason.value(), date.value(), category.value()}));
}

response post_extend(call& c) {
  const core::json* blocks = c.body.find("blocks");
  if (blocks == nullptr || !blocks->is_integer() || blocks->as_int() < 1 ||
      blocks->as_int() > 1000) {
    return error_response(core::invalid_input(
        "blocks", "\"blocks\" must be a whole number of blocks per stratum from 1 to 1000"));
  }
  auto reason = string_member(c.body, "reason");
  if (!reason) return error_response(reason.error());
  return answer(201, app::extend_allocation_list(c.db, c.req, static_cast<int>(blocks->as_int()),
                                                 reason.value(), app::random_list_seed()));
}

response post_randomize(call& c) {
  return answer(200, app::randomize(c.db, c.req, c.params.at(0)));
}

response post_outcome(call& c) {
  auto participant = string_member(c.body, "participant");
  if (!participant) return error_response(participant.error());
  auto timepoint = string_member(c.body, "timepoint");
  if (!timepoint) return error_response(timepoint.error());
  auto instrument = string_member(c.body, "instrument");
  if (!instrument) return error_response(instrument.error());
  auto items = string_member(c.body, "items");
  if (!items) return error_response(items.error());
  auto reason = optional_string_member(c.body, "reason");
  if (!reason) return error_response(reason.error());
  auto assessment_date = optional_string_member(c.body, "assessment_date");
  if (!assessment_date) return error_response(assessment_date.error());
  auto r = app::record_outcome(c.db, c.req,
                               {participant.value(), timepoint.value(), instrument.value(),
                                items.value(), reason.value(), assessment_date.value()});
  return answer(r && r->correction ? 200 : 201, r);
}

std::string cohort_of(const call& c, const std::string& fallback) {
  return c.query.count("cohort") ? c.query.at("cohort") : fallback;
}

core::result<int> session_number(const std::string& text) {
  const auto n = core::parse_integer(text);
  if (!n || *n < 1 || *n > 1000) {
    return core::invalid_input("session",
                               "session \"" + text + "\" is not a session number (1, 2, ...)");
  }
  return static_cast<int>(*n);
}

response get_sessions(call& c) {
  return answer(200, app::list_sessions(c.db, c.req, cohort_of(c, "")));
}

response get_session(call& c) {
  const auto n = session_number(c.params.at(0));
  if (!n) return error_response(n.error());
  return answer(200, app::roster_of_session(c.db, c.req, cohort_of(c, "intervention"), n.value()));
}

response post_plan(call& c) {
  auto cohort = string_member(c.body, "cohort");
  if (!cohort) return error_response(cohort.error());
  auto plan = app::plan_schedule(c.db, c.req, cohort.value());
  if (!plan) return error_response(plan.error());
  // No plan is a refusal of the use case: nothing was written; the body still says why.
  if (!plan->feasible) {
    return error_response(409, "precondition_failed", "cohort",
                          "no session plan exists for the " + cohort.value() +
                              " cohort: " + core::join(plan->problems, "; "));
  }
  return answer(200, plan);
}

response get_analysis(call& c) {
  const bool per_protocol =
      c.query.count("population") && c.query.at("population") == "per-protocol";
  auto result = app::analyze_database(c.db, c.req, {per_protocol, std::nullopt});
  if (!result) return error_response(result.error());
  return json_response(200, analysis::to_json(result.value()));
}

/// One file of the export (report::export_files) as a download.
response export_file(call& c, const std::string& name) {
  std::vector<std::string> names;
  for (const auto& f : report::export_files()) names.emplace_back(f.name);
  if (std::find(names.begin(), names.end(), name) == names.end()) {
    return error_response(404, "not_found", "file",
                          "the export has no file " + core::shown_value(name) +
                              "; its files: " + core::join(names, ", "));
  }
  auto data = app::export_trial_data(c.db, c.req);
  if (!data) return error_response(data.error());
  response r;
  r.status = 200;
  r.body = *report::export_file_content(data.value(), name);
  r.content_type = "text/csv";
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + name + "\"");
  return r;
}

response get_export_csv(call& c) { return export_file(c, "wide.csv"); }

response get_export_file(call& c) { return export_file(c, c.params.at(0)); }

response put_attendance(call& c) {
  const auto n = session_number(c.params.at(0));
  if (!n) return error_response(n.error());
  auto status = string_member(c.body, "status");
  if (!status) return error_response(status.error());
  auto reason = optional_string_member(c.body, "reason");
  if (!reason) return error_response(reason.error());
  auto r = app::log_attendance(c.db, c.req, cohort_of(c, "intervention"), n.value(),
                               {{c.params.at(1), status.value()}}, reason.value());
  if (!r) return error_response(r.error());
  core::json j;
  j["session"] = r->session;
  j["cohort"] = r->cohort;
  j["participant"] = c.params.at(1);
  j["status"] = status.value();
  return json_response(200, j);
}

response get_progress(call& c) { return answer(200, app::attendance_progress(c.db, c.req)); }

response get_audit_verify(call& c) { return answer(200, app::verify_audit_trail(c.db, c.req)); }

response get_users(call& c) { return answer(200, app::list_users(c.db, c.req)); }

response post_user(call& c) {
  auto name = string_member(c.body, "name");
  if (!name) return error_response(name.error());
  auto role_text = string_member(c.body, "role");
  if (!role_text) return error_response(role_text.error());
  // A trial of a site of several: the account exists at the site and gets a role here.
  if (grants_roles(c)) {
    return answer(201,
                  app::grant_trial_role(*c.accounts, c.db, c.req, name.value(), role_text.value()));
  }
  auto password = string_member(c.body, "password");
  if (!password) return error_response(password.error());
  return answer(201, app::add_user(c.db, c.req, name.value(), role_text.value(), password.value(),
                                   c.cfg.security));
}

response get_trials(call& c) {
  auto list = app::list_trials(*c.site, c.req);
  if (!list) return error_response(list.error());
  core::json out{core::json::array{}};
  for (const auto& t : list.value()) {
    core::json j;
    j["id"] = t.id;
    j["title"] = t.title;
    j["your_role"] = t.your_role ? core::json(std::string(app::to_string(*t.your_role))) : nullptr;
    out.push_back(std::move(j));
  }
  return json_response(200, out);
}

response post_trials(call& c) {
  const core::json* definition = c.body.find("definition");
  if (!definition || !definition->is_object()) {
    return error_response(core::invalid_input(
        "definition",
        "the JSON body needs \"definition\": the trial definition, an object as "
        "in schemas/trials/tongji-2020.json"));
  }
  app::list_seed seed;
  seed.seed = static_cast<std::uint32_t>(std::stoul(app::random_hex(4), nullptr, 16));
  seed.salt_hex = app::random_hex(32);
  auto made = app::create_trial(*c.site, c.req, definition->dump(), seed);
  if (!made) return error_response(made.error());
  core::json j;
  j["id"] = made->trial_id;
  j["title"] = made->title;
  j["commitment"] = made->commitment;
  return json_response(201, j);
}

response post_user_disable(call& c) {
  return answer(200, app::disable_user(c.db, c.req, c.params.at(0)));
}

response get_reproduction_report(call& c) {
  auto outcome = app::tongji_reproduction(c.req);
  if (!outcome) return error_response(outcome.error());
  response r;
  r.status = 200;
  r.body = report::reproduction_html(outcome.value());
  r.content_type = "text/html";
  // The report is one self-contained page: its own inline style and SVG, no scripts.
  r.content_security_policy =
      "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
      "form-action 'none'; frame-ancestors 'self'";
  return r;
}

// --- survey links -------------------------------------------------------------------------

/// The one answer to every unusable token, page or API: the same bytes whatever the reason.
response survey_gone(bool page) {
  if (page) {
    auto r = static_file("/survey-gone.html");
    if (r) {
      r->status = 404;
      return std::move(*r);
    }
  }
  return error_response(404, "not_found", "token",
                        "this survey link does not exist or can no longer be used");
}

/// A survey use case's answer: its refusal, with every not_found the same 404.
template <class View>
response survey_answer(int status, const core::result<View>& r) {
  if (!r && r.error().code == core::error_code::not_found) return survey_gone(false);
  return answer(status, r);
}

response get_survey_page(call& c) {
  const auto form = app::open_survey(c.db, c.req, c.params.at(0));
  if (!form) {
    if (form.error().code == core::error_code::not_found) return survey_gone(true);
    return error_response(form.error());
  }
  auto page = static_file("/survey.html");
  if (!page) return error_response(500, "internal", "", "the survey page is missing");
  return std::move(*page);
}

response get_survey(call& c) {
  return survey_answer(200, app::open_survey(c.db, c.req, c.params.at(0)));
}

const core::json& answers_of(const call& c) {
  static const core::json none;
  const core::json* a = c.body.find("answers");
  return a ? *a : none;
}

response put_survey(call& c) {
  return survey_answer(200, app::save_survey(c.db, c.req, c.params.at(0), answers_of(c)));
}

response post_survey_submit(call& c) {
  return survey_answer(201, app::submit_survey(c.db, c.req, c.params.at(0), answers_of(c)));
}

response get_survey_links(call& c) {
  const std::string timepoint = c.query.count("timepoint") ? c.query.at("timepoint") : "pre";
  return answer(200, app::survey_link_status(c.db, c.req, timepoint));
}

response post_survey_link_revoke(call& c) {
  auto timepoint = string_member(c.body, "timepoint");
  if (!timepoint) return error_response(timepoint.error());
  auto reason = string_member(c.body, "reason");
  if (!reason) return error_response(reason.error());
  return answer(
      200, app::revoke_survey_link(c.db, c.req, c.params.at(0), timepoint.value(), reason.value()));
}

response post_survey_link_reissue(call& c) {
  auto timepoint = string_member(c.body, "timepoint");
  if (!timepoint) return error_response(timepoint.error());
  auto reason = string_member(c.body, "reason");
  if (!reason) return error_response(reason.error());
  int days = 28;
  if (const core::json* d = c.body.find("expires_days"); d != nullptr && !d->is_null()) {
    if (!d->is_integer() || d->as_int() < 1 || d->as_int() > 365) {
      return error_response(core::invalid_input(
          "expires_days", "\"expires_days\" must be a whole number of days from 1 to 365"));
    }
    days = static_cast<int>(d->as_int());
  }
  return answer(201, app::reissue_survey_link(c.db, c.req, c.params.at(0), timepoint.value(),
                                              reason.value(), days));
}

response get_health(call&) {
  core::json j;
  j["status"] = "ok";
  return json_response(200, j);
}

}  // namespace

const std::vector<route>& routes() {
  // Each route names the one use case it serves; who may call it is that use case's row of
  // app::use_case_table(), checked again by the use case itself.
  using enum use_case;
  static const std::vector<route> table = {
      {"GET", "/healthz", std::nullopt, get_health, false, false, route_scope::site},
      {"POST", "/api/login", sign_in, post_login, false, false, route_scope::site},
      {"POST", "/api/logout", sign_out, post_logout, true, false, route_scope::site},
      {"GET", "/api/me", view_own_account, get_me, false, false, route_scope::either},
      {"GET", "/api/trials", list_trials, get_trials, false, false, route_scope::site},
      {"POST", "/api/trials", set_up_trial, post_trials, false, false, route_scope::site},
      {"GET", "/api/trial", view_trial, get_trial},
      {"GET", "/api/participants", list_participants, get_participants},
      {"POST", "/api/participants/import", import_participants, post_participant_import, false,
       true},
      {"POST", "/api/participants", enrol_participant, post_participant, false, true},
      {"POST", "/api/participants/{code}/withdraw", withdraw_participant, post_withdraw, false,
       true},
      {"POST", "/api/participants/{code}/randomize", randomize, post_randomize, true, true},
      {"POST", "/api/randomization/extend", extend_allocation_list, post_extend},
      {"POST", "/api/outcomes", record_outcome, post_outcome, false, true},
      {"GET", "/api/survey-links", list_survey_links, get_survey_links},
      {"POST", "/api/survey-links/{code}/revoke", revoke_survey_link, post_survey_link_revoke},
      {"POST", "/api/survey-links/{code}/reissue", issue_survey_links, post_survey_link_reissue},
      // A participant's link: no account, the token is the credential (rate-limited per client
      // address, bodies of at most survey_body_bytes).
      {"GET", "/s/{token}", open_survey, get_survey_page},
      {"GET", "/api/survey/{token}", open_survey, get_survey},
      {"PUT", "/api/survey/{token}", save_survey, put_survey, false, false, route_scope::trial,
       survey_body_bytes},
      {"POST", "/api/survey/{token}/submit", submit_survey, post_survey_submit, false, false,
       route_scope::trial, survey_body_bytes},
      {"GET", "/api/sessions", list_sessions, get_sessions},
      {"GET", "/api/sessions/{n}", view_session_roster, get_session},
      {"POST", "/api/sessions/plan", plan_sessions, post_plan, false, true},
      {"GET", "/api/analysis", analyze, get_analysis},
      {"GET", "/api/export.csv", export_data, get_export_csv},
      {"GET", "/api/export/{file}", export_data, get_export_file},
      {"PUT", "/api/sessions/{n}/attendance/{code}", log_attendance, put_attendance, false, true},
      {"GET", "/api/attendance/progress", view_attendance_progress, get_progress},
      {"GET", "/api/audit/verify", verify_audit_trail, get_audit_verify},
      {"GET", "/api/users", list_users, get_users, false, false, route_scope::either},
      {"POST", "/api/users", add_user, post_user, false, false, route_scope::either},
      {"POST", "/api/users/{name}/disable", disable_user, post_user_disable, true, false,
       route_scope::either},
      {"GET", "/api/reproduction/report.html", view_reproduction_report, get_reproduction_report},
  };
  return table;
}

}  // namespace balint::server::detail
