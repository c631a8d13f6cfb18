#pragma once

#include "balint/analysis/analysis.hpp"

#include <string>

namespace balint::report {

/// The analysis as plain text: the Tongji paper's Tables 1-4 (age, gender, pre/post with paired
/// t per arm, change scores with the between-arm t), then what the paper did not report (Welch,
/// ANCOVA, Hedges' g with CI, exact p, Levene, caseness, power, dose-response) and the reasons
/// for every undefined statistic. Means and SDs have 2 decimals, t and p 3; p < 0.001 is shown
/// as such. Numbers are rounded only here.
std::string analysis_text(const analysis::analysis_result& result);

/// The same tables as GitHub-flavoured Markdown.
std::string analysis_markdown(const analysis::analysis_result& result);

/// One self-contained HTML page (inline CSS, no scripts, no external resources): the tables
/// with captions and scoped headers, per-arm pre→post spaghetti plots per outcome and a forest
/// plot of the between-arm differences (change-score and ANCOVA, with 95% CIs), as inline SVG
/// with role="img", <title> and <desc>.
std::string analysis_html(const analysis::analysis_result& result);

}  // namespace balint::report
