// A site's trials and accounts: where they are, which trials a user sees, creating a trial
// (docs/architecture.md, "Many trials per site").
#include "balint/app/site.hpp"

#include "balint/core/text.hpp"

#include <algorithm>
#include <filesystem>
#include <utility>

namespace balint::app {
namespace {

namespace fs = std::filesystem;

constexpr const char* accounts_file = "site.db";
constexpr const char* trials_dir = "trials";

std::vector<std::string> names(const std::vector<trial_entry>& list) {
  std::vector<std::string> out;
  for (const auto& t : list) out.push_back(t.id);
  return out;
}

/// The trial of an open database, or none when it holds no trial yet.
std::optional<trial_entry> entry_of(database& db, const std::string& locator) {
  if (!db.load_trial()) return std::nullopt;
  auto t = load_trial(db);
  if (!t) throw storage_error(locator + ": " + t.error().message);
  return trial_entry{t->definition.id, t->definition.title, locator};
}

}  // namespace

site::site(std::string locator) : locator_(std::move(locator)) {
  if (is_database_server(locator_)) {
    kind_ = kind::server;
  } else if (fs::is_directory(locator_)) {
    kind_ = kind::directory;
  } else {
    kind_ = kind::file;
  }
}

std::string site::accounts_locator() const {
  if (kind_ == kind::directory) return (fs::path(locator_) / accounts_file).string();
  return locator_;
}

std::string site::trial_locator(const std::string& id) const {
  switch (kind_) {
    case kind::file:
      return locator_;
    case kind::directory:
      return (fs::path(locator_) / trials_dir / (id + ".db")).string();
    case kind::server:
      return locator_ + "#trial=" + id;
  }
  return locator_;
}

void site::for_each_trial(const std::function<void(const trial_entry&, database&)>& visit) const {
  const auto open = [&](const std::string& where) {
    auto db = open_database(where);
    if (auto e = entry_of(*db, where)) visit(*e, *db);
  };
  switch (kind_) {
    case kind::file:
      if (fs::exists(locator_)) open(locator_);
      break;
    case kind::directory: {
      const fs::path dir = fs::path(locator_) / trials_dir;
      if (!fs::is_directory(dir)) break;
      for (const auto& f : fs::directory_iterator(dir)) {
        const auto stem = f.path().stem().string();
        if (f.path().extension() == ".db" && storage::is_trial_name(stem)) {
          open(trial_locator(stem));
        }
      }
      break;
    }
    case kind::server:
      open(locator_);
      for (const auto& id : storage::postgres_site_trials(locator_)) open(trial_locator(id));
      break;
  }
}

std::vector<trial_entry> site::trials() const {
  std::vector<trial_entry> out;
  for_each_trial([&](const trial_entry& e, database&) { out.push_back(e); });
  std::sort(out.begin(), out.end(),
            [](const trial_entry& a, const trial_entry& b) { return a.id < b.id; });
  return out;
}

core::result<trial_entry> site::find_trial(const std::string& id, const std::string& field) const {
  return find_trial(trials(), id, field);
}

core::result<trial_entry> site::find_trial(const std::vector<trial_entry>& all,
                                           const std::string& id, const std::string& field) const {
  const std::string listed = all.empty() ? std::string("it holds no trial yet")
                                         : "its trials: " + core::join(names(all), ", ");
  if (id.empty()) {
    if (all.size() == 1) return all.front();
    return core::invalid_input(field, all.empty()
                                          ? locator_ +
                                                " holds no trial yet; set one up with "
                                                "'balint-trial trial create --db " +
                                                locator_ + " --config TRIAL.json'"
                                          : locator_ + " holds several trials; name one with " +
                                                field + " ID (" + listed + ")");
  }
  for (const auto& t : all) {
    if (t.id == id) return t;
  }
  return core::not_found(field,
                         "there is no trial \"" + id + "\" at " + locator_ + " (" + listed + ")");
}

core::result<std::vector<trial_summary>> list_trials(const site& s, const request& req) {
  if (auto ok = authorize(req, use_case::list_trials); !ok) return std::move(ok).error();
  std::vector<trial_summary> out;
  s.for_each_trial([&](const trial_entry& t, database& db) {
    const auto mine = role_in_trial(db, req.actor);
    if (mine || req.actor_role == role::admin || req.actor_role == role::console) {
      out.push_back({t.id, t.title, mine});
    }
  });
  std::sort(out.begin(), out.end(),
            [](const trial_summary& a, const trial_summary& b) { return a.id < b.id; });
  return out;
}

std::optional<role> role_in_trial(database& trial_db, const std::string& user) {
  const auto row = trial_db.find_user(user);
  if (!row || row->disabled_at) return std::nullopt;
  auto r = parse_role(row->role);
  if (!r) return std::nullopt;
  return r.value();
}

core::result<init_result> create_trial(const site& s, const request& req,
                                       const std::optional<std::string>& config_text,
                                       const list_seed& seed) {
  if (auto ok = authorize(req, use_case::set_up_trial); !ok) return std::move(ok).error();
  if (!s.holds_many()) {
    return core::precondition_failed(
        "db", s.locator() +
                  " is one trial's file and holds that trial only; a site of several trials is "
                  "a directory (--db DIR) or a postgresql:// database");
  }
  // The definition is checked before anything is made, so a refusal leaves nothing behind.
  auto checked = check_trial_definition(config_text);
  if (!checked) return std::move(checked).error();
  const std::string id = checked->definition.id;
  if (!storage::is_trial_name(id)) {
    return core::invalid_input("id", "the trial's id \"" + id +
                                         "\" is too long for a site; allowed: lower-case "
                                         "letters, digits and hyphens, at most 40");
  }
  for (const auto& t : s.trials()) {
    if (t.id == id) {
      return core::conflict(
          "id", "the site already holds a trial \"" + id + "\"; give the new trial another id");
    }
  }
  if (!is_database_server(s.locator())) {
    fs::create_directories(fs::path(s.locator()) / trials_dir);
  }
  const std::string where = s.trial_locator(id);
  core::result<init_result> made = core::invalid_input("id", "not set up");
  try {
    auto db = open_database(where);
    made = init_trial(*db, req, config_text, seed);
    if (made && req.actor_role == role::admin) {
      auto accounts = open_database(s.accounts_locator());
      auto granted = grant_trial_role(*accounts, *db, req, req.actor, "admin");
      if (!granted) made = std::move(granted).error();
    }
  } catch (...) {
    remove_trial(where);
    throw;
  }
  if (!made) remove_trial(where);
  return made;
}

}  // namespace balint::app
