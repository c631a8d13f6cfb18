#pragma once

#include "balint/analysis/analysis.hpp"
#include "balint/app/services.hpp"
#include "balint/core/result.hpp"
#include "balint/storage/database.hpp"

#include <optional>
#include <string>
#include <vector>

/// Analysing a trial database. The data set is built in memory from the database, row for row
/// what analysis::read_wide_csv gives for the wide CSV `export` writes, so `analyze --db`,
/// `analyze --csv` on an export and the web API agree; CSV stays at the edges (export, `--csv`).
namespace balint::app {

/// What the analysis needs from the trial definition: the two arms (intervention first), the
/// caseness cut-offs of the instruments stored with the trial, the sessions required.
struct analysis_setup {
  std::vector<std::string> arms;
  analysis::analysis_options options;
  int required_sessions = 0;
};

/// invalid_input when the trial does not have exactly two arms.
core::result<analysis_setup> analysis_setup_of(const loaded_trial& trial);

/// The ITT data set of export data, built in memory: the same rows, in the same order, that
/// analysis::read_wide_csv(report::wide_csv(data), setup.arms) gives. invalid_input (field
/// "header") when the trial's outcomes and time points are not the analysis's (ee, dp, pa, msq
/// at pre and post), as read_wide_csv refuses such a header; otherwise analysis::make_data_set's
/// checks.
core::result<analysis::data_set> itt_data_set(const export_data& data, const analysis_setup& setup);

/// What `analyze --db` needs: the setup from the stored trial and the ITT data set, from one
/// consistent read.
struct analysis_input {
  analysis_setup setup;
  analysis::data_set itt;
};
core::result<analysis_input> analysis_input_of(storage::database& db);

/// Which analysis: everyone randomized (ITT) or per protocol, and the sessions per-protocol
/// requires when not the trial's own.
struct analysis_choice {
  bool per_protocol = false;
  std::optional<int> required_sessions;
};

/// The whole analysis of a database, ITT or per-protocol.
core::result<analysis::analysis_result> analyze_database(storage::database& db, const request& req,
                                                         const analysis_choice& choice);

/// The analysis of a wide CSV as `export` writes it. A CSV does not say which trial it comes
/// from: its arms, caseness cut-offs and required sessions are the default trial's
/// (default_trial()), the required sessions overridable.
core::result<analysis::analysis_result> analyze_wide_csv(const std::string& csv,
                                                         const analysis_choice& choice);

}  // namespace balint::app
