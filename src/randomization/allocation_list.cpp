#include "balint/randomization/allocation_list.hpp"

#include "balint/core/error.hpp"
#include "balint/core/json.hpp"
#include "balint/core/sha256.hpp"

#include <boost/random/mersenne_twister.hpp>
#include <boost/random/uniform_int_distribution.hpp>

#include <algorithm>
#include <climits>
#include <cstddef>
#include <utility>

namespace balint::randomization {

namespace {

int ratio_sum(const std::vector<trial::arm>& arms) {
  int sum = 0;
  for (const auto& a : arms) sum += a.ratio;
  return sum;
}

std::string joined(const std::vector<std::string>& values, std::string_view separator) {
  std::string out;
  for (const auto& v : values) {
    if (!out.empty()) out += separator;
    out += v;
  }
  return out;
}

std::string quoted(std::string_view s) {
  std::string out;
  core::append_json_string(out, s);
  return out;
}

// Every value of every level of a factor, in definition order.
std::vector<std::string> allowed_values(const trial::stratum_factor& factor) {
  std::vector<std::string> out;
  for (const auto& level : factor.levels) {
    out.insert(out.end(), level.values.begin(), level.values.end());
  }
  return out;
}

bool is_block_method(const trial::randomization_scheme& scheme) {
  return scheme.method != "simple";
}

// uniform_int_distribution<int>(0, max)(engine): Boost's mapping, spelled out in
// docs/randomization.md ("Drawing an integer").
int draw(boost::random::mt19937& engine, int max) {
  return boost::random::uniform_int_distribution<int>(0, max)(engine);
}

/// Whole blocks until the list has `max_positions` positions (the last block completed) or
/// `max_blocks` blocks, whichever comes first.
std::vector<list_entry> permuted_blocks(const trial::randomization_scheme& scheme,
                                        const std::vector<trial::arm>& arms, int sum,
                                        boost::random::mt19937& engine, int max_positions,
                                        int max_blocks) {
  std::vector<list_entry> out;
  const auto& sizes = scheme.block_sizes;
  if (sizes.empty()) return out;
  int block = 0;
  while (static_cast<int>(out.size()) < max_positions && block < max_blocks) {
    const int size =
        sizes.size() == 1
            ? sizes.front()
            : sizes[static_cast<std::size_t>(draw(engine, static_cast<int>(sizes.size()) - 1))];
    std::vector<std::string> b;
    for (const auto& a : arms) {
      const int count = size * a.ratio / sum;
      for (int k = 0; k < count; ++k) b.push_back(a.id);
    }
    if (b.empty()) break;  // a block size below the ratio sum: nothing can be placed
    for (int i = static_cast<int>(b.size()) - 1; i >= 1; --i) {
      const int j = draw(engine, i);
      std::swap(b[static_cast<std::size_t>(i)], b[static_cast<std::size_t>(j)]);
    }
    ++block;
    for (auto& arm : b) {
      out.push_back({static_cast<int>(out.size()) + 1, block, size, std::move(arm)});
    }
  }
  return out;
}

std::vector<list_entry> simple_draws(const std::vector<trial::arm>& arms, int sum,
                                     boost::random::mt19937& engine, int positions) {
  std::vector<list_entry> out;
  for (int position = 1; position <= positions; ++position) {
    const int u = draw(engine, sum - 1);
    int cumulative = 0;
    for (const auto& a : arms) {
      cumulative += a.ratio;
      if (u < cumulative) {
        out.push_back({position, 0, 0, a.id});
        break;
      }
    }
  }
  return out;
}

// `lists` in canonical order: the scheme's strata first, in stratum_names order, then any
// other strata by name; entries by position.
std::vector<stratum_list> canonical_order(const trial::randomization_scheme& scheme,
                                          const std::vector<stratum_list>& lists) {
  const auto names = stratum_names(scheme);
  const auto rank = [&](const std::string& name) {
    const auto it = std::find(names.begin(), names.end(), name);
    return static_cast<std::size_t>(it - names.begin());
  };
  std::vector<stratum_list> out = lists;
  std::stable_sort(out.begin(), out.end(), [&](const stratum_list& a, const stratum_list& b) {
    const auto ra = rank(a.stratum);
    const auto rb = rank(b.stratum);
    return ra != rb ? ra < rb : a.stratum < b.stratum;
  });
  for (auto& list : out) {
    std::stable_sort(
        list.entries.begin(), list.entries.end(),
        [](const list_entry& a, const list_entry& b) { return a.position < b.position; });
  }
  return out;
}

std::vector<list_entry> by_position(std::vector<list_entry> entries) {
  std::stable_sort(entries.begin(), entries.end(), [](const list_entry& a, const list_entry& b) {
    return a.position < b.position;
  });
  return entries;
}

std::string block_words(const list_entry& e) {
  return e.block == 0
             ? std::string("no block")
             : "block " + std::to_string(e.block) + " of size " + std::to_string(e.block_size);
}

std::optional<std::string> compare_entries(const std::string& stratum,
                                           const std::vector<list_entry>& stored,
                                           const std::vector<list_entry>& fresh) {
  const std::string where = "stratum " + stratum;
  const std::size_t common = std::min(stored.size(), fresh.size());
  for (std::size_t k = 0; k < common; ++k) {
    const auto& s = stored[k];
    const auto& f = fresh[k];
    if (s.position != f.position) {
      return where + ": the stored list has position " + std::to_string(s.position) +
             " where the seed gives position " + std::to_string(f.position);
    }
    const std::string at = where + ", position " + std::to_string(f.position);
    if (s.arm != f.arm) {
      return at + ": the stored list says " + s.arm + ", the seed gives " + f.arm;
    }
    if (s.block != f.block || s.block_size != f.block_size) {
      return at + ": the stored list puts it in " + block_words(s) + ", the seed gives " +
             block_words(f);
    }
  }
  if (stored.size() < fresh.size()) {
    return where + ", position " + std::to_string(fresh[common].position) +
           ": missing from the stored list (the seed gives " + std::to_string(fresh.size()) +
           " positions, the stored list has " + std::to_string(stored.size()) + ")";
  }
  if (stored.size() > fresh.size()) {
    return where + ", position " + std::to_string(stored[common].position) +
           ": the stored list has it, the seed does not (the seed gives " +
           std::to_string(fresh.size()) + " positions, the stored list has " +
           std::to_string(stored.size()) + ")";
  }
  return std::nullopt;
}

}  // namespace

std::vector<std::string> stratum_names(const trial::randomization_scheme& scheme) {
  if (scheme.strata.empty()) return {"all"};
  std::vector<std::string> names{""};
  for (const auto& factor : scheme.strata) {
    std::vector<std::string> next;
    for (const auto& prefix : names) {
      for (const auto& level : factor.levels) {
        next.push_back(prefix + (prefix.empty() ? "" : ";") + factor.field + "=" + level.id);
      }
    }
    names = std::move(next);
  }
  return names;
}

core::result<std::string> stratum_of(const trial::randomization_scheme& scheme,
                                     const std::map<std::string, std::string>& fields) {
  if (scheme.strata.empty()) return std::string("all");
  std::string name;
  for (const auto& factor : scheme.strata) {
    const auto allowed = joined(allowed_values(factor), ", ");
    const auto it = fields.find(factor.field);
    if (it == fields.end() || it->second.empty()) {
      return core::invalid_input(factor.field,
                                 factor.field +
                                     " is missing; it is needed to find the participant's "
                                     "stratum (allowed: " +
                                     allowed + ")");
    }
    const trial::stratum_level* found = nullptr;
    for (const auto& level : factor.levels) {
      if (std::find(level.values.begin(), level.values.end(), it->second) != level.values.end()) {
        found = &level;
        break;
      }
    }
    if (found == nullptr) {
      return core::invalid_input(factor.field, factor.field + " " + quoted(it->second) +
                                                   " is not in any stratum level of " +
                                                   factor.field + "; allowed: " + allowed);
    }
    name += (name.empty() ? "" : ";") + factor.field + "=" + found->id;
  }
  return name;
}

std::vector<stratum_list> generate(const trial::randomization_scheme& scheme,
                                   const std::vector<trial::arm>& arms, std::uint32_t seed) {
  boost::random::mt19937 engine(seed);
  const int sum = ratio_sum(arms);
  std::vector<stratum_list> out;
  for (auto& name : stratum_names(scheme)) {
    stratum_list list{std::move(name), {}};
    if (sum > 0) {
      list.entries = is_block_method(scheme)
                         ? permuted_blocks(scheme, arms, sum, engine, scheme.list_length, INT_MAX)
                         : simple_draws(arms, sum, engine, scheme.list_length);
    }
    out.push_back(std::move(list));
  }
  return out;
}

std::vector<stratum_list> extension(const trial::randomization_scheme& scheme,
                                    const std::vector<trial::arm>& arms, std::uint32_t seed,
                                    int blocks, const std::vector<stratum_list>& existing) {
  boost::random::mt19937 engine(seed);
  const int sum = ratio_sum(arms);
  std::vector<stratum_list> out;
  for (auto& name : stratum_names(scheme)) {
    stratum_list list{std::move(name), {}};
    int last_position = 0;
    int last_block = 0;
    for (const auto& e : existing) {
      if (e.stratum != list.stratum || e.entries.empty()) continue;
      last_position = e.entries.back().position;
      last_block = e.entries.back().block;
    }
    if (sum > 0 && blocks > 0) {
      list.entries = is_block_method(scheme)
                         ? permuted_blocks(scheme, arms, sum, engine, INT_MAX, blocks)
                         : simple_draws(arms, sum, engine, blocks);
    }
    for (auto& e : list.entries) {
      e.position += last_position;
      if (e.block > 0) e.block += last_block;
    }
    out.push_back(std::move(list));
  }
  return out;
}

std::string extension_encoding(const trial::randomization_scheme& scheme, std::string_view extends,
                               int segment, std::uint32_t seed, std::string_view salt_hex,
                               int blocks, const std::vector<stratum_list>& added) {
  using core::json;
  json doc = json::object{};
  doc["algorithm"] = algorithm_id;
  doc["extends"] = extends;
  doc["segment"] = segment;
  doc["seed"] = seed;
  doc["salt"] = salt_hex;
  doc["blocks"] = blocks;
  json list_docs = json::array{};
  for (const auto& list : canonical_order(scheme, added)) {
    json positions = json::array{};
    for (const auto& e : list.entries) positions.push_back(e.arm);
    json l = json::object{};
    l["stratum"] = list.stratum;
    l["first_position"] = list.entries.empty() ? 0 : list.entries.front().position;
    l["arms"] = std::move(positions);
    list_docs.push_back(std::move(l));
  }
  doc["lists"] = std::move(list_docs);
  return doc.dump();
}

std::string extension_commitment(const trial::randomization_scheme& scheme,
                                 std::string_view extends, int segment, std::uint32_t seed,
                                 std::string_view salt_hex, int blocks,
                                 const std::vector<stratum_list>& added) {
  return "sha256:" + core::sha256_hex(extension_encoding(scheme, extends, segment, seed, salt_hex,
                                                         blocks, added));
}

std::string canonical_encoding(const trial::randomization_scheme& scheme,
                               const std::vector<trial::arm>& arms, std::uint32_t seed,
                               std::string_view salt_hex, const std::vector<stratum_list>& lists) {
  using core::json;
  json doc = json::object{};
  doc["algorithm"] = algorithm_id;
  json arm_list = json::array{};
  for (const auto& a : arms) {
    json entry = json::object{};
    entry["id"] = a.id;
    entry["ratio"] = a.ratio;
    arm_list.push_back(std::move(entry));
  }
  doc["arms"] = std::move(arm_list);
  doc["method"] = scheme.method;
  json sizes = json::array{};
  for (const int size : scheme.block_sizes) sizes.push_back(size);
  doc["block_sizes"] = std::move(sizes);
  json strata = json::array{};
  for (const auto& factor : scheme.strata) {
    json levels = json::array{};
    for (const auto& level : factor.levels) {
      json values = json::array{};
      for (const auto& v : level.values) values.push_back(v);
      json l = json::object{};
      l["id"] = level.id;
      l["values"] = std::move(values);
      levels.push_back(std::move(l));
    }
    json f = json::object{};
    f["field"] = factor.field;
    f["levels"] = std::move(levels);
    strata.push_back(std::move(f));
  }
  doc["strata"] = std::move(strata);
  doc["list_length"] = scheme.list_length;
  doc["seed"] = seed;
  doc["salt"] = salt_hex;
  json list_docs = json::array{};
  for (const auto& list : canonical_order(scheme, lists)) {
    json positions = json::array{};
    for (const auto& e : list.entries) positions.push_back(e.arm);
    json l = json::object{};
    l["stratum"] = list.stratum;
    l["arms"] = std::move(positions);
    list_docs.push_back(std::move(l));
  }
  doc["lists"] = std::move(list_docs);
  return doc.dump();
}

std::string commitment(const trial::randomization_scheme& scheme,
                       const std::vector<trial::arm>& arms, std::uint32_t seed,
                       std::string_view salt_hex, const std::vector<stratum_list>& lists) {
  return "sha256:" + core::sha256_hex(canonical_encoding(scheme, arms, seed, salt_hex, lists));
}

std::optional<std::string> compare_lists(const std::vector<stratum_list>& stored,
                                         const std::vector<stratum_list>& regenerated) {
  const auto find = [](const std::vector<stratum_list>& lists, const std::string& name) {
    const auto it = std::find_if(lists.begin(), lists.end(),
                                 [&](const stratum_list& l) { return l.stratum == name; });
    return it == lists.end() ? nullptr : &*it;
  };
  for (const auto& fresh : regenerated) {
    const stratum_list* kept = find(stored, fresh.stratum);
    if (kept == nullptr) {
      return "stratum " + fresh.stratum + ": missing from the stored list (the seed gives " +
             std::to_string(fresh.entries.size()) + " positions)";
    }
    if (auto difference = compare_entries(fresh.stratum, by_position(kept->entries),
                                          by_position(fresh.entries))) {
      return difference;
    }
  }
  for (const auto& kept : stored) {
    if (find(regenerated, kept.stratum) == nullptr) {
      return "stratum " + kept.stratum +
             ": the stored list has this stratum, the scheme does not give it";
    }
  }
  return std::nullopt;
}

std::optional<std::string> check_block_balance(const stratum_list& list,
                                               const std::vector<trial::arm>& arms) {
  const int sum = ratio_sum(arms);
  const auto entries = by_position(list.entries);
  std::size_t k = 0;
  while (k < entries.size()) {
    const auto& first = entries[k];
    std::size_t end = k;
    while (end < entries.size() && entries[end].block == first.block) ++end;
    const auto begin = k;
    k = end;
    for (std::size_t e = begin; e < end; ++e) {
      const auto& arm = entries[e].arm;
      if (std::none_of(arms.begin(), arms.end(),
                       [&](const trial::arm& a) { return a.id == arm; })) {
        return "stratum " + list.stratum + ", position " + std::to_string(entries[e].position) +
               ": " + quoted(arm) + " is not one of the trial's arms";
      }
    }
    if (first.block == 0) continue;  // simple randomization: no blocks to balance
    if (static_cast<int>(end - begin) < first.block_size) continue;  // block not completed yet
    std::string counted;
    std::string expected;
    bool balanced = true;
    for (const auto& a : arms) {
      const auto count = std::count_if(entries.begin() + static_cast<std::ptrdiff_t>(begin),
                                       entries.begin() + static_cast<std::ptrdiff_t>(end),
                                       [&](const list_entry& e) { return e.arm == a.id; });
      const int due = sum > 0 ? first.block_size * a.ratio / sum : 0;
      balanced = balanced && count == due;
      counted += (counted.empty() ? "" : ", ") + a.id + " " + std::to_string(count);
      expected += (expected.empty() ? "" : ", ") + a.id + " " + std::to_string(due);
    }
    if (!balanced) {
      return "stratum " + list.stratum + ", block " + std::to_string(first.block) + " (positions " +
             std::to_string(first.position) + " to " + std::to_string(entries[end - 1].position) +
             "): " + counted + "; a balanced block of " + std::to_string(first.block_size) +
             " has " + expected;
    }
  }
  return std::nullopt;
}

}  // namespace balint::randomization
