#pragma once

#include "balint/app/access.hpp"
#include "balint/app/database.hpp"
#include "balint/app/services.hpp"
#include "balint/app/user_service.hpp"
#include "balint/core/result.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

/// A site: where one research office keeps its user accounts and its trials (issue 13;
/// docs/architecture.md, "Many trials per site"). Each trial is still one database; the site
/// only says where to find them and where the accounts are.
namespace balint::app {

/// One trial of a site.
struct trial_entry {
  std::string id;  ///< the trial definition's short name
  std::string title;
  std::string locator;  ///< what open_database takes
};

class site {
 public:
  /// `locator`: a SQLite file (the smallest site: its accounts are the trial's own users), a
  /// directory (DIR/site.db holds the accounts, DIR/trials/ID.db each trial) or a
  /// postgresql:// URL (the accounts and a trial in the database's own schema, and one schema
  /// "trial_ID" per further trial).
  explicit site(std::string locator);

  const std::string& locator() const { return locator_; }
  /// A directory or a database server: room for several trials. A file holds one.
  bool holds_many() const { return kind_ != kind::file; }
  /// Where the accounts, browser sessions and sign-in attempts are.
  std::string accounts_locator() const;
  /// Where the trial `id` lives or would live (the file's own path for a file).
  std::string trial_locator(const std::string& id) const;

  /// Every trial of the site, sorted by id. Opens each (throws storage_error when one cannot
  /// be opened).
  std::vector<trial_entry> trials() const;
  /// Calls `visit(entry, its open database)` for every trial of the site, in no set order.
  void for_each_trial(const std::function<void(const trial_entry&, database&)>& visit) const;
  /// The trial `id`, or the only one when `id` is empty. not_found (field `field`) naming the
  /// site's trials when there is no such trial; invalid_input when `id` is empty and the site
  /// holds several (naming them) or none.
  core::result<trial_entry> find_trial(const std::string& id,
                                       const std::string& field = "--trial") const;
  /// The same among `listed` (what trials() returned), without listing them again.
  core::result<trial_entry> find_trial(const std::vector<trial_entry>& listed,
                                       const std::string& id, const std::string& field) const;

 private:
  enum class kind { file, directory, server };
  std::string locator_;
  kind kind_;
};

/// A trial the signed-in user can open, with their role in it.
struct trial_summary {
  std::string id;
  std::string title;
  std::optional<role> your_role;  ///< none: a site admin who has no role in this trial
};

/// The trials the actor has a role in (a site admin sees every trial). `req.actor_role` is the
/// actor's role at the site.
core::result<std::vector<trial_summary>> list_trials(const site& s, const request& req);

/// The actor's role in the trial of `trial_db`: the trial's own row for the account, unless
/// disabled. None: no role there.
std::optional<role> role_in_trial(database& trial_db, const std::string& user);

/// Sets up a new trial of the site from a definition (the same validation as init --config;
/// the default Tongji trial when `config_text` is empty), in a new file or schema named after
/// the definition's id. An admin who creates it becomes the new trial's admin (their account's
/// row is copied in). Refused: a site of one file (precondition_failed, field "db"); an id
/// already used (conflict, field "id"); a definition that init refuses; nothing is left behind.
core::result<init_result> create_trial(const site& s, const request& req,
                                       const std::optional<std::string>& config_text,
                                       const list_seed& seed);

/// Gives the site account `name` the role `role_text` in the trial of `trial_db`: a row of the
/// trial's users with the account's password hash, audited in the trial as user.grant.
/// Refused: no such account or a disabled one (not_found, field "name"); already a user of
/// the trial (conflict).
core::result<user_view> grant_trial_role(database& accounts, database& trial_db, const request& req,
                                         const std::string& name, const std::string& role_text);

}  // namespace balint::app
