// allocation_repository (SQL shared by both backends): the randomization setup, the sealed list,
// allocations and unblinding.
#include "sql_repositories.hpp"

namespace balint::storage {

namespace {

constexpr std::string_view allocation_columns =
    "a.participant_id, p.code, a.stratum, a.position, a.arm, a.allocated_at, a.allocated_by "
    "FROM allocation a JOIN participant p ON p.id = a.participant_id";

allocation_record read_allocation(const detail::statement& s) {
  return {s.integer(0), s.text(1), s.text(2), static_cast<int>(s.integer(3)),
          s.text(4),    s.text(5), s.text(6)};
}

}  // namespace

std::optional<randomization_setup_record> sql_repositories::load_randomization_setup() {
  return sql("SELECT algorithm, seed, salt, scheme, commitment, created_at FROM "
             "randomization_setup")
      .first([](const detail::statement& s) {
        return randomization_setup_record{s.text(0), static_cast<std::uint32_t>(s.integer(1)),
                                          s.text(2), s.text(3),
                                          s.text(4), s.text(5)};
      });
}

void sql_repositories::insert_randomization_setup(const randomization_setup_record& r) {
  sql("INSERT INTO randomization_setup (id, algorithm, seed, salt, scheme, commitment, "
      "created_at) VALUES (1, ?, ?, ?, ?, ?, ?)")
      .execute(r.algorithm, r.seed, r.salt, r.scheme, r.commitment, r.created_at);
}

void sql_repositories::insert_allocation_list(
    const std::vector<randomization::stratum_list>& lists) {
  auto insert =
      sql("INSERT INTO allocation_list (stratum, position, block, block_size, arm) VALUES "
          "(?, ?, ?, ?, ?)");
  for (const auto& list : lists) {
    for (const auto& e : list.entries) {
      insert.execute(list.stratum, e.position, e.block, e.block_size, e.arm);
    }
  }
}

void sql_repositories::insert_list_extension(const list_extension_record& e) {
  sql("INSERT INTO list_extension (segment, seed, salt, blocks, reason, commitment, created_at, "
      "created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
      .execute(e.segment, e.seed, e.salt, e.blocks, e.reason, e.commitment, e.created_at,
               e.created_by);
}

std::vector<list_extension_record> sql_repositories::list_extensions() {
  return sql("SELECT segment, seed, salt, blocks, reason, commitment, created_at, created_by "
             "FROM list_extension ORDER BY segment")
      .all([](const detail::statement& s) {
        return list_extension_record{static_cast<int>(s.integer(0)),
                                     static_cast<std::uint32_t>(s.integer(1)),
                                     s.text(2),
                                     static_cast<int>(s.integer(3)),
                                     s.text(4),
                                     s.text(5),
                                     s.text(6),
                                     s.text(7)};
      });
}

std::vector<randomization::stratum_list> sql_repositories::load_allocation_list() {
  auto s =
      sql("SELECT stratum, position, block, block_size, arm FROM allocation_list ORDER BY "
          "stratum, position");
  std::vector<randomization::stratum_list> out;
  while (s.step()) {
    const std::string stratum = s.text(0);
    if (out.empty() || out.back().stratum != stratum) out.push_back({stratum, {}});
    out.back().entries.push_back({static_cast<int>(s.integer(1)), static_cast<int>(s.integer(2)),
                                  static_cast<int>(s.integer(3)), s.text(4)});
  }
  return out;
}

std::optional<randomization::list_entry> sql_repositories::next_unused_entry(
    std::string_view stratum) {
  // Positions are taken in list order and an allocation is final (no update, no delete), so
  // the used positions of a stratum are 1..k and the next is the first after the highest used:
  // two index look-ups, where testing each position for use cost a walk over the used ones.
  return sql("SELECT l.position, l.block, l.block_size, l.arm FROM allocation_list l "
             "WHERE l.stratum = ?1 AND l.position > coalesce((SELECT max(a.position) FROM "
             "allocation a WHERE a.stratum = ?1), 0) ORDER BY l.position LIMIT 1")
      .bind_all(stratum)
      .first([](const detail::statement& s) {
        return randomization::list_entry{static_cast<int>(s.integer(0)),
                                         static_cast<int>(s.integer(1)),
                                         static_cast<int>(s.integer(2)), s.text(3)};
      });
}

void sql_repositories::insert_allocation(const allocation_record& a) {
  forget_reads();
  sql("INSERT INTO allocation (participant_id, stratum, position, arm, allocated_at, "
      "allocated_by) VALUES (?, ?, ?, ?, ?, ?)")
      .execute(a.participant_id, a.stratum, a.position, a.arm, a.allocated_at, a.allocated_by);
}

std::optional<allocation_record> sql_repositories::find_allocation(std::int64_t participant_id) {
  return allocation_reads_.get(depth_, participant_id, [&] {
    return sql("SELECT " + std::string(allocation_columns) + " WHERE a.participant_id = ?")
        .bind_all(participant_id)
        .first(read_allocation);
  });
}

std::vector<allocation_record> sql_repositories::allocations() {
  return sql("SELECT " + std::string(allocation_columns) +
             " ORDER BY a.allocated_at, a.stratum, a.position")
      .all(read_allocation);
}

void sql_repositories::insert_unblinding(std::optional<std::int64_t> participant_id,
                                         const std::string& at, const std::string& actor,
                                         const std::string& reason) {
  sql("INSERT INTO unblinding (participant_id, at, actor, reason) VALUES (?, ?, ?, ?)")
      .execute(participant_id, at, actor, reason);
}

std::vector<unblinding_record> sql_repositories::unblindings() {
  return sql("SELECT participant_id, at, actor, reason FROM unblinding ORDER BY id")
      .all([](const detail::statement& s) {
        return unblinding_record{
            s.is_null(0) ? std::nullopt : std::optional<std::int64_t>(s.integer(0)), s.text(1),
            s.text(2), s.text(3)};
      });
}

}  // namespace balint::storage
