#pragma once

#include "balint/analysis/analysis.hpp"
#include "balint/reproduction/audit.hpp"
#include "balint/reproduction/compare.hpp"
#include "balint/reproduction/consort.hpp"
#include "balint/reproduction/published.hpp"

#include <cstddef>
#include <map>
#include <string>
#include <vector>

/// The journal-style report of `reproduce`: one self-contained HTML page.
namespace balint::app {
struct reproduction_outcome;
}

namespace balint::report {

using reproduction::consort_flow;

/// What the report shows.
struct reproduction_view {
  const reproduction::summary* published = nullptr;
  const reproduction::audit_report* audit = nullptr;
  const reproduction::comparison* comparison = nullptr;
  const analysis::analysis_result* analysis = nullptr;
  consort_flow flow;
  std::string data_source;  ///< "reconstruction" or "stand-in"
  std::uint32_t reconstruction_seed = 0;
  std::uint32_t list_seed = 0;
  std::string commitment;
  std::vector<std::string> notes;  ///< unmet targets, replay notes
};

/// The CONSORT 2010 flow diagram as an inline SVG element (role="img", <title>, <desc>).
std::string consort_svg(const consort_flow& flow);

/// One HTML page, no scripts and no external resources: the flow diagram, the published and
/// reproduced numbers side by side per table, the audit's findings, and a CONSORT /
/// CONSORT-NPT checklist of what the database vouches for.
std::string reproduction_html(const reproduction_view& view);

/// The report of a whole reproduction (published summary, replay, analysis, comparison).
std::string reproduction_html(const app::reproduction_outcome& o);

}  // namespace balint::report
