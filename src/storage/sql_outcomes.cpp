// outcome_repository (SQL shared by both backends): assessments and their item answers.
#include "sql_repositories.hpp"

namespace balint::storage {

namespace {

/// Puts item `item` (1-based, as stored) into `items`, growing it as needed.
void set_item(instruments::item_values& items, std::int64_t item, std::optional<int> value) {
  const auto index = static_cast<std::size_t>(item);
  if (items.size() < index) items.resize(index);
  items[index - 1] = value;
}

}  // namespace

std::optional<assessment_record> sql_repositories::find_assessment(std::int64_t participant_id,
                                                                   std::string_view timepoint,
                                                                   std::string_view instrument) {
  auto found = sql("SELECT a.id, p.code, a.recorded_at, a.assessment_date FROM assessment a "
                   "JOIN participant p ON "
                   "p.id = a.participant_id WHERE a.participant_id = ? AND a.timepoint = ? AND "
                   "a.instrument_id = ?")
                   .bind_all(participant_id, timepoint, instrument)
                   .first([&](const detail::statement& s) {
                     assessment_record r;
                     r.id = s.integer(0);
                     r.participant_id = participant_id;
                     r.participant_code = s.text(1);
                     r.timepoint = std::string(timepoint);
                     r.instrument = std::string(instrument);
                     r.recorded_at = s.text(2);
                     r.assessment_date = s.optional_text(3).value_or("");
                     return r;
                   });
  if (!found) return std::nullopt;
  auto items = sql("SELECT item, value FROM item_response WHERE assessment_id = ? ORDER BY item");
  items.bind_all(found->id);
  while (items.step()) set_item(found->items, items.integer(0), items.optional_int(1));
  return found;
}

std::vector<std::tuple<std::int64_t, std::string, std::string>>
sql_repositories::assessment_keys() {
  return sql("SELECT participant_id, timepoint, instrument_id FROM assessment")
      .all([](const detail::statement& s) {
        return std::tuple{s.integer(0), s.text(1), s.text(2)};
      });
}

void sql_repositories::insert_assessments(const std::vector<new_assessment>& list,
                                          const std::string& recorded_at) {
  // The hot path of an import: two statements prepared once, stepped once per row.
  auto head =
      sql("INSERT INTO assessment (participant_id, timepoint, instrument_id, recorded_at, "
          "assessment_date) VALUES (?, ?, ?, ?, ?) RETURNING id");
  auto item = sql("INSERT INTO item_response (assessment_id, item, value) VALUES (?, ?, ?)");
  for (const auto& a : list) {
    // An empty date would break the column's check: the facade always gives one.
    const std::int64_t id = head.insert_returning_id(a.participant_id, a.timepoint, a.instrument,
                                                     recorded_at, a.assessment_date);
    const auto& values = *a.items;
    for (std::size_t i = 0; i < values.size(); ++i) item.execute(id, i + 1, values[i]);
  }
}

void sql_repositories::replace_items(std::int64_t assessment_id,
                                     const instruments::item_values& items,
                                     const std::string& recorded_at,
                                     const std::string& assessment_date) {
  auto update = sql("UPDATE item_response SET value = ? WHERE assessment_id = ? AND item = ?");
  for (std::size_t i = 0; i < items.size(); ++i) update.execute(items[i], assessment_id, i + 1);
  sql("UPDATE assessment SET recorded_at = ?, assessment_date = ? WHERE id = ?")
      .execute(recorded_at, assessment_date, assessment_id);
}

void sql_repositories::for_each_assessment(
    const std::function<void(const assessment_record&)>& visit) {
  // One pass over the item answers joined to their assessment, in storage order.
  auto s =
      sql("SELECT a.id, a.participant_id, p.code, a.timepoint, a.instrument_id, a.recorded_at, "
          "r.item, r.value, a.assessment_date FROM assessment a JOIN participant p ON p.id = "
          "a.participant_id "
          "JOIN item_response r ON r.assessment_id = a.id ORDER BY a.participant_id, a.id, r.item");
  assessment_record current;
  bool have = false;
  while (s.step()) {
    const std::int64_t id = s.integer(0);
    if (!have || id != current.id) {
      if (have) visit(current);
      have = true;
      current.id = id;
      current.participant_id = s.integer(1);
      current.participant_code = s.text(2);
      current.timepoint = s.text(3);
      current.instrument = s.text(4);
      current.recorded_at = s.text(5);
      current.assessment_date = s.optional_text(8).value_or("");
      current.items.clear();
    }
    set_item(current.items, s.integer(6), s.optional_int(7));
  }
  if (have) visit(current);
}

}  // namespace balint::storage
