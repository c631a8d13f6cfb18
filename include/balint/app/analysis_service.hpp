#pragma once

#include "balint/analysis/analysis.hpp"
#include "balint/app/services.hpp"
#include "balint/core/result.hpp"
#include "balint/storage/database.hpp"

#include <string>
#include <vector>

/// Analysing a trial database: the same bytes `export` writes are read back by the analysis, so
/// `analyze --db`, `analyze --csv` on an export, the web API and the reproduction all agree.
namespace balint::app {

/// The wide CSV of export data, exactly as `export` writes it.
std::string wide_csv_of(const export_data& data);

/// The wide CSV of a database (one consistent read).
core::result<std::string> database_wide_csv(storage::database& db);

/// What the analysis needs from the trial definition: the two arms (intervention first), the
/// caseness cut-offs of the instruments stored with the trial, the sessions required.
struct analysis_setup {
  std::vector<std::string> arms;
  analysis::analysis_options options;
  int required_sessions = 0;
};

/// invalid_input when the trial does not have exactly two arms.
core::result<analysis_setup> analysis_setup_of(const loaded_trial& trial);

/// The whole analysis of a database, ITT or per-protocol.
core::result<analysis::analysis_result> analyze_database(storage::database& db, bool per_protocol);

}  // namespace balint::app
