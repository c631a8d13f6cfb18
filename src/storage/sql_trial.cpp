// trial_repository (SQL shared by both backends): the trial definition, its instruments and its
// lock.
#include "sql_repositories.hpp"

namespace balint::storage {

std::optional<stored_trial> sql_repositories::load_trial() {
  return sql("SELECT trial_key, definition, created_at, locked_at FROM trial")
      .first([](const detail::statement& s) {
        return stored_trial{s.text(0), s.text(1), s.text(2), s.optional_text(3)};
      });
}

void sql_repositories::insert_trial(const stored_trial& trial) {
  sql("INSERT INTO trial (id, trial_key, definition, created_at) VALUES (1, ?, ?, ?)")
      .execute(trial.key, trial.definition, trial.created_at);
}

void sql_repositories::insert_instrument(const std::string& id, const std::string& definition) {
  sql("INSERT INTO instrument (id, definition) VALUES (?, ?)").execute(id, definition);
}

std::vector<std::pair<std::string, std::string>> sql_repositories::load_instruments() {
  // Read on every use case (app::load_trial): a cached statement.
  return sql("SELECT id, definition FROM instrument ORDER BY id")
      .all([](const detail::statement& s) {
        return std::pair{s.text(0), s.text(1)};
      });
}

void sql_repositories::lock_trial(const std::string& at) {
  sql("UPDATE trial SET locked_at = ? WHERE id = 1").execute(at);
}

}  // namespace balint::storage
