#pragma once

#include "balint/analysis/analysis.hpp"
#include "balint/app/audit.hpp"
#include "balint/app/services.hpp"
#include "balint/core/json.hpp"
#include "balint/core/result.hpp"
#include "balint/reproduction/audit.hpp"
#include "balint/reproduction/compare.hpp"
#include "balint/reproduction/consort.hpp"
#include "balint/reproduction/published.hpp"
#include "balint/storage/database.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

/// `reproduce tongji`: reconstruct participant-level data from the published summary, replay
/// the trial through the real use cases on a fresh database (enrol, baseline, randomize,
/// calendar, plan, attendance, post questionnaires, programme questionnaires), analyze the
/// database as `analyze --db` does, and compare every published number with the reproduced one.
/// Each phase is a function of its own so a benchmark can time them; none reads the clock.
namespace balint::app {

/// The published trial: its transcription (embedded: schemas/published/tongji-2020.json) and
/// the audit of its numbers.
struct published_trial {
  reproduction::summary summary;
  reproduction::audit_report audit;
};

/// Loads and audits an embedded transcription ("tongji" → schemas/published/tongji-2020.json).
/// not_found for a trial the program does not carry.
core::result<published_trial> load_published(const std::string& key);

/// One replica participant: what the replay enrols and records. arm is the trial's arm id
/// ("intervention" or "waitlist"; the paper's "control" is the waitlist).
struct replica_participant {
  std::string id;
  std::string arm;
  int age = 0;
  std::string gender;  ///< "M" or "F"
  std::array<int, 22> mbi_pre{}, mbi_post{};
  std::array<int, 20> msq_pre{}, msq_post{};
  /// Post-programme answers (achievements items 1-5, satisfaction items 1-4); empty when the
  /// reconstruction has none (the replay then lays them out from the published counts).
  std::vector<int> achievements, satisfaction;
};

/// The participant-level data the replay records, and where it came from.
struct replica {
  std::uint32_t seed = 0;
  std::vector<replica_participant> participants;
  std::vector<std::string> unmet;  ///< published values the data could not be made to meet
  std::size_t attempts = 0;
  std::string source;  ///< "reconstruction" (reproduction::reconstruct)
};

struct reproduce_options {
  std::uint32_t reconstruction_seed = 1;  ///< seed of the reconstruction
  std::size_t max_attempts = 1000000;     ///< per block of the reconstruction's search
  std::uint32_t list_seed = 20161012;     ///< the recorded seed of the allocation list
};

/// Participant-level data consistent with the published summary.
core::result<replica> reconstruct_replica(const published_trial& published,
                                          const reproduce_options& options);

/// Programme questionnaire answers (satisfaction 4 items, achievements 5 items) for the
/// intervention arm, laid out from the published count tables (Tables 5 and 6): answer
/// frequencies exactly as printed, where the printed counts add up to the arm's n.
struct programme_answers {
  std::vector<std::array<int, 4>> satisfaction;  ///< one per intervention participant
  std::vector<std::array<int, 5>> achievements;
  std::vector<std::string> notes;  ///< rows whose counts do not add up, and what was done
};
programme_answers programme_answers_from(const reproduction::summary& s, std::size_t n);

/// What the replay did, in the words of the use cases it called.
struct replay_result {
  init_result init;
  std::uint32_t list_seed = 0;
  std::size_t enrolled = 0;
  std::size_t randomized = 0;
  std::size_t sessions_held = 0;
  std::size_t attendance_marks = 0;
  std::vector<std::string> notes;
};

/// Replays the trial on a fresh (empty) database. Baseline before randomization: the replica
/// participants are enrolled in the order that lines each one up with the arm the allocation
/// list of `options.list_seed` gives at their position, then `randomize --all-eligible` runs
/// as a coordinator would. Fails (nothing bypassed) when an allocation differs from the arm
/// the participant was reconstructed for.
core::result<replay_result> replay(storage::database& db, const request& req,
                                   const published_trial& published, const replica& data,
                                   const reproduce_options& options);

/// Counts for the CONSORT 2010 flow diagram and the checklist, read from the database.
using consort_counts = reproduction::consort_flow;

/// The database's own analysis (as `analyze --db`), its programme facts and the reproduced
/// value of every published number the replay can recompute.
struct reproduced_trial {
  analysis::analysis_result analysis;
  consort_counts consort;
  reproduction::reproduced_values values;
};
core::result<reproduced_trial> analyze_replay(storage::database& db,
                                              const reproduction::summary& published);

/// Everything `reproduce` prints and reports.
struct reproduction_outcome {
  published_trial published;
  replica data;
  replay_result replayed;
  reproduced_trial reproduced;
  reproduction::comparison comparison;
};

/// All phases in order on a fresh database.
core::result<reproduction_outcome> reproduce(storage::database& db, const request& req,
                                             const std::string& key,
                                             const reproduce_options& options);

/// The Tongji paper's reproduction as analysts and coordinators read it (the web page): run once
/// per process on a scratch database, then kept.
core::result<reproduction_outcome> tongji_reproduction(const request& req);

}  // namespace balint::app
