// trial_repository (SQL shared by both backends): the trial definition, its instruments and its
// lock.
#include "sql_repositories.hpp"

namespace balint::storage {

std::optional<stored_trial> sql_repositories::load_trial() {
  if (depth_ > 0 && trial_read_) return *trial_read_;
  auto trial = sql("SELECT trial_key, definition, created_at, locked_at FROM trial")
                   .first([](const detail::statement& s) {
                     return stored_trial{s.text(0), s.text(1), s.text(2), s.optional_text(3)};
                   });
  if (depth_ > 0) trial_read_ = trial;
  return trial;
}

void sql_repositories::insert_trial(const stored_trial& trial) {
  forget_reads();
  sql("INSERT INTO trial (id, trial_key, definition, created_at) VALUES (1, ?, ?, ?)")
      .execute(trial.key, trial.definition, trial.created_at);
}

void sql_repositories::insert_instrument(const std::string& id, const std::string& definition) {
  forget_reads();
  sql("INSERT INTO instrument (id, definition) VALUES (?, ?)").execute(id, definition);
}

std::vector<std::pair<std::string, std::string>> sql_repositories::load_instruments() {
  // Read on every use case (app::load_trial): once per transaction.
  if (depth_ > 0 && instruments_read_) return *instruments_read_;
  auto list =
      sql("SELECT id, definition FROM instrument ORDER BY id").all([](const detail::statement& s) {
        return std::pair{s.text(0), s.text(1)};
      });
  if (depth_ > 0) instruments_read_ = list;
  return list;
}

void sql_repositories::lock_trial(const std::string& at) {
  forget_reads();
  sql("UPDATE trial SET locked_at = ? WHERE id = 1").execute(at);
}

}  // namespace balint::storage
