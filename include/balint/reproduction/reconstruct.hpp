#pragma once

#include "balint/core/json.hpp"
#include "balint/core/result.hpp"
#include "balint/reproduction/audit.hpp"
#include "balint/reproduction/published.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace balint::reproduction {

/// What reconstruct() may do. The seed is the only source of randomness: the same summary,
/// audit and options give the same data set; another seed gives another one.
struct reconstruction_options {
  std::uint32_t seed = 1;
  /// Moves the local search may try per block (one block = one outcome, both arms, pre and
  /// post; or age) before it gives up and reports the block's targets as unmet.
  std::size_t max_attempts = 1000000;
};

/// One reconstructed participant. Item i of an instrument is element i - 1.
struct reconstructed_participant {
  std::string id;   ///< "P01"...
  std::string arm;  ///< the summary's arm name ("intervention", "control")
  int age = 0;
  std::string gender;                         ///< "M" or "F"
  std::array<int, 22> mbi_pre{}, mbi_post{};  ///< MBI-HSS items 1-22, 0-6
  std::array<int, 20> msq_pre{}, msq_post{};  ///< MSQ short form items 1-20, 1-5
  /// Post-programme answers 1-5 (achievements items 1-5, satisfaction items 1-4); empty for
  /// an arm that was not asked or when the summary gives no usable counts.
  std::vector<int> achievements, satisfaction;
  /// Balint sessions attended, from the design's session count for the arm that had them.
  std::optional<int> sessions_attended;
};

/// One data set consistent with the summary's consistent cells: ONE OF MANY, not the trial's data.
struct reconstruction {
  std::uint32_t seed = 0;
  std::vector<reconstructed_participant> participants;
  /// Consistent targets that could not be met, one sentence each ("<cell id>: why").
  std::vector<std::string> unmet;
  /// Moves tried by the local search over all blocks, and the restarts among them.
  std::size_t attempts = 0;
  std::size_t restarts = 0;
  /// {"note", "seed", "cells": [{"ids","printed","reconstructed","met","test"?}],
  ///  "excluded": [{"id","printed","verdict","reason"}] (the audit's inconsistent cells),
  ///  "follows_from_counts": [ids] (percentages, chi-squares and n's of reconstructed counts),
  ///  "not_reconstructed": [ids] (consistent cells with no field in the data: design facts,
  ///  preferred time, prior Balint experience)}
  core::json targets;
};

/// Builds item-level data for every participant of `s` (n per arm from the design block) whose
/// statistics round, at printed precision, to every cell the audit calls consistent: means and
/// SDs of pre, post and change of each outcome per arm (jointly: the change SD fixes the
/// pre x post cross-product), paired t and p, between-arm t and p of baseline and change
/// (with a test the audit found consistent), age mean and SD per arm and overall, gender
/// counts, and the post-programme achievement and satisfaction counts. Sum scores come from a
/// stochastic local search with fixed sums (GRIM) on the squared distance to the rounding
/// intervals; each sum is split into items uniformly among the compositions within the item
/// range. Inconsistent cells are left out (listed in targets.excluded with the audit's reason).
/// invalid_input when the design has no arms or an arm with n < 2. Pure; randomness only from
/// options.seed.
core::result<reconstruction> reconstruct(const summary& s, const audit_report& audit,
                                         const reconstruction_options& options = {});

/// DESIGN.md's wide CSV (analysis::wide_csv_header) of a reconstruction, one row a participant.
/// `arm_ids` renames arms on the way out (e.g. {{"control", "waitlist"}} for the trial
/// definition's arm ids); an arm not in the map keeps its name.
std::string wide_csv(const reconstruction& r,
                     const std::map<std::string, std::string>& arm_ids = {});

/// The long items CSV (participant,timepoint,instrument,item,value) of `outcome import`:
/// mbi-hss and msq at pre and post, achievements and satisfaction at post where present.
std::string items_csv(const reconstruction& r);

/// reconstruction.json: {"seed", "note", "attempts", "restarts", "unmet", "targets"}.
core::json to_json(const reconstruction& r);

}  // namespace balint::reproduction
