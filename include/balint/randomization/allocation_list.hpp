#pragma once

#include "balint/core/result.hpp"
#include "balint/trial/trial_definition.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// The sealed allocation list: generation from a seed, the commitment over it, and the checks
/// `randomization verify` runs. The algorithm is specified in docs/randomization.md and
/// re-implemented independently in tests/data/randomization/make_golden.py.
namespace balint::randomization {

/// The algorithm version written into the canonical encoding and the database.
inline constexpr std::string_view algorithm_id = "balint-trial/randomization/1";

/// One position of a stratum's list. position and block are 1-based; block is 0 for simple.
struct list_entry {
  int position = 0;
  int block = 0;
  int block_size = 0;
  std::string arm;

  friend bool operator==(const list_entry&, const list_entry&) = default;
};

/// The whole list of one stratum ("all" when the scheme is not stratified), in position order.
struct stratum_list {
  std::string stratum;
  std::vector<list_entry> entries;

  friend bool operator==(const stratum_list&, const stratum_list&) = default;
};

/// Every stratum name in canonical order: the Cartesian product of the factors' levels in
/// definition order, the first factor varying slowest, written "gender=F" or
/// "gender=F;specialty=surgical"; one stratum "all" when not stratified.
std::vector<std::string> stratum_names(const trial::randomization_scheme& scheme);

/// The stratum of a participant from their field values (keys "gender", "specialty"; values
/// match a level's values exactly). "all" when the scheme is not stratified.
///
/// Fails with invalid_input, field = the factor's field: "specialty \"dermatology\" is not in any
/// stratum level of specialty; allowed: surgery, anesthesiology, ..." or, for a missing or empty
/// value, "specialty is missing; it is needed to find the participant's stratum (allowed: ...)".
core::result<std::string> stratum_of(const trial::randomization_scheme& scheme,
                                     const std::map<std::string, std::string>& fields);

/// Generates every stratum's list from the seed, strata in stratum_names order, with one
/// boost::random::mt19937 shared by all strata (docs/randomization.md, "Algorithm").
/// `arms` = the trial's arms in definition order with their ratios. Method "simple" draws each
/// position independently; every other method uses permuted blocks, the last block completed,
/// so a list can be longer than scheme.list_length.
std::vector<stratum_list> generate(const trial::randomization_scheme& scheme,
                                   const std::vector<trial::arm>& arms, std::uint32_t seed);

/// The positions a list extension appends when the planned list is used up (docs/randomization.md,
/// "Extending the list"): for each stratum in stratum_names order, with one mt19937 seeded with
/// `seed` shared by all strata, exactly `blocks` more permuted blocks drawn as generate() draws
/// them (method simple: `blocks` more single draws), numbered after the stratum's last position
/// and block in `existing` (the list as it is, earlier extensions included).
std::vector<stratum_list> extension(const trial::randomization_scheme& scheme,
                                    const std::vector<trial::arm>& arms, std::uint32_t seed,
                                    int blocks, const std::vector<stratum_list>& existing);

/// The canonical encoding an extension's commitment hashes: compact JSON with sorted keys of
/// {"algorithm","blocks","extends","lists":[{"arms","first_position","stratum"}],"salt","seed",
/// "segment"}. "extends" is the commitment of the list before it (the set-up's, or the
/// previous extension's), so the commitments form a chain; segment 2 is the first extension.
std::string extension_encoding(const trial::randomization_scheme& scheme, std::string_view extends,
                               int segment, std::uint32_t seed, std::string_view salt_hex,
                               int blocks, const std::vector<stratum_list>& added);

/// "sha256:" + the lower-case hex SHA-256 of extension_encoding(...).
std::string extension_commitment(const trial::randomization_scheme& scheme,
                                 std::string_view extends, int segment, std::uint32_t seed,
                                 std::string_view salt_hex, int blocks,
                                 const std::vector<stratum_list>& added);

/// The canonical encoding the commitment hashes: compact JSON with sorted keys of
/// {"algorithm","arms":[{"id","ratio"}],"block_sizes","list_length","lists":[{"arms","stratum"}],
/// "method","salt","seed","strata":[{"field","levels":[{"id","values"}]}]}. The lists are
/// written in stratum_names order (strata the scheme does not name follow, by name) and each in
/// position order, so the order the caller passes them in does not matter.
std::string canonical_encoding(const trial::randomization_scheme& scheme,
                               const std::vector<trial::arm>& arms, std::uint32_t seed,
                               std::string_view salt_hex, const std::vector<stratum_list>& lists);

/// "sha256:" + the lower-case hex SHA-256 of canonical_encoding(...).
std::string commitment(const trial::randomization_scheme& scheme,
                       const std::vector<trial::arm>& arms, std::uint32_t seed,
                       std::string_view salt_hex, const std::vector<stratum_list>& lists);

/// First difference between a stored list and the regenerated one, or nullopt when they are
/// equal: "stratum all, position 7: the stored list says waitlist, the seed gives
/// intervention"; also differing block numbers or sizes, missing or extra positions, and
/// missing or extra strata. Strata are matched by name (any order); entries are compared in
/// position order.
std::optional<std::string> compare_lists(const std::vector<stratum_list>& stored,
                                         const std::vector<stratum_list>& regenerated);

/// Checks the balance of every *completed* block of `list`, which holds the used prefix of a
/// stratum's list (a block is complete when all block_size of its positions are present):
/// each arm must appear block_size * ratio / ratio_sum times. Returns a description of the
/// first unbalanced block (or of an entry whose arm is not a trial arm), or nullopt.
/// Entries with block 0 (simple randomization) are not checked.
std::optional<std::string> check_block_balance(const stratum_list& list,
                                               const std::vector<trial::arm>& arms);

}  // namespace balint::randomization
