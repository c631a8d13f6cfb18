#include "balint/report/reproduction_report.hpp"

#include "balint/app/reproduce_service.hpp"
#include "balint/core/names.hpp"
#include "balint/report/analysis_report.hpp"
#include "balint/report/table.hpp"

#include <algorithm>
#include <array>
#include <sstream>

namespace balint::report {
namespace {

std::string n_of(const std::map<std::string, std::size_t>& m, const std::string& key) {
  const auto it = m.find(key);
  return std::to_string(it == m.end() ? 0 : it->second);
}

std::string arm_title(const std::string& arm) {
  if (arm == "intervention") return "Balint group (intervention)";
  if (arm == "waitlist") return "Waitlist (control)";
  return arm;
}

/// One box of the flow diagram: a rectangle with lines of text.
void box(std::ostringstream& s, int x, int y, int w, const std::vector<std::string>& lines) {
  const int h = 14 + 16 * static_cast<int>(lines.size());
  s << "<rect x=\"" << x << "\" y=\"" << y << "\" width=\"" << w << "\" height=\"" << h
    << "\" fill=\"#fff\" stroke=\"#333\"/>\n";
  for (std::size_t i = 0; i < lines.size(); ++i) {
    s << "<text x=\"" << x + 8 << "\" y=\"" << y + 20 + 16 * static_cast<int>(i) << "\">"
      << html_escape(lines[i]) << "</text>\n";
  }
}

void arrow(std::ostringstream& s, int x1, int y1, int x2, int y2) {
  s << "<line x1=\"" << x1 << "\" y1=\"" << y1 << "\" x2=\"" << x2 << "\" y2=\"" << y2
    << "\" stroke=\"#333\" marker-end=\"url(#arrow)\"/>\n";
}

void stage(std::ostringstream& s, int y, const std::string& label) {
  s << "<rect x=\"4\" y=\"" << y << "\" width=\"112\" height=\"24\" fill=\"#dde6f0\"/>"
    << "<text x=\"60\" y=\"" << y + 16 << "\" text-anchor=\"middle\" font-weight=\"bold\">" << label
    << "</text>\n";
}

std::vector<std::string> lost_lines(const consort_flow& f, const std::string& arm) {
  std::vector<std::string> lines{
      "Lost to follow-up (no post questionnaire) (n = " + n_of(f.lost, arm) + ")"};
  const auto it = f.lost_reasons.find(arm);
  if (it != f.lost_reasons.end()) {
    for (const auto& [reason, n] : it->second) {
      lines.push_back("  " + reason + " (n = " + std::to_string(n) + ")");
    }
  }
  return lines;
}

/// The CSS class of a verdict: its JSON spelling, but "inconsistent" for a paper inconsistent
/// with itself.
constexpr std::array<core::enum_name<reproduction::comparison_verdict>, 3> verdict_classes{
    {{reproduction::comparison_verdict::match, "match"},
     {reproduction::comparison_verdict::mismatch, "mismatch"},
     {reproduction::comparison_verdict::paper_inconsistent, "inconsistent"}}};

std::string verdict_class(reproduction::comparison_verdict v) {
  return std::string(
      core::name_of<reproduction::comparison_verdict>(verdict_classes, v, "mismatch"));
}

/// What a cell stands for, from the transcription's fields.
std::string cell_label(const reproduction::cell& c) {
  std::string label = c.row.empty() ? c.variable : c.row;
  for (const auto* part : {&c.arm, &c.timepoint, &c.stat}) {
    if (!part->empty() && *part != "all" && *part != "baseline") label += ", " + *part;
  }
  return label;
}

std::string section_of(const std::string& id) {
  const auto dot = id.find('.');
  const std::string head = id.substr(0, dot);
  if (head.size() == 2 && head[0] == 'T') return std::string("Table ") + head[1];
  if (head == "ABS") return "Abstract";
  if (head == "MET") return "Methods";
  if (head == "RES") return "Results text";
  return head;
}

/// The part of the analysis page between <main> and </main>, and its style sheet.
std::pair<std::string, std::string> analysis_parts(const analysis::analysis_result& r) {
  const std::string page = analysis_html(r);
  std::string style, body;
  const auto s0 = page.find("<style>");
  const auto s1 = page.find("</style>");
  if (s0 != std::string::npos && s1 != std::string::npos) style = page.substr(s0 + 7, s1 - s0 - 7);
  const auto b0 = page.find("<main>");
  const auto b1 = page.find("</main>");
  if (b0 != std::string::npos && b1 != std::string::npos) body = page.substr(b0 + 6, b1 - b0 - 6);
  // The analysis page's own title becomes a section heading of this report.
  const auto h = body.find("<h1>");
  if (h != std::string::npos) {
    body.replace(h, 4, "<h3>");
    const auto e = body.find("</h1>", h);
    if (e != std::string::npos) body.replace(e, 5, "</h3>");
  }
  return {style, body};
}

using comparison_index = std::map<std::string, const reproduction::cell_comparison*>;

int severity(reproduction::comparison_verdict v) {
  switch (v) {
    case reproduction::comparison_verdict::match:
      return 0;
    case reproduction::comparison_verdict::paper_inconsistent:
      return 1;
    case reproduction::comparison_verdict::mismatch:
      return 2;
  }
  return 2;
}

/// One cell of a table in the paper's layout: the printed parts joined as the paper joins them
/// ("16.89 ± 4.825", "6 (33.33)"), and below them the reproduced parts.
std::string paper_cell(const comparison_index& idx, const std::vector<std::string>& ids,
                       const std::string& sep, const std::string& close = "") {
  std::string published, reproduced;
  int worst = -1;
  std::string title;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const auto it = idx.find(ids[i]);
    const std::string glue = i == 0 ? "" : sep;
    if (it == idx.end()) {
      published += glue + "?";
      reproduced += glue + "?";
      continue;
    }
    const auto& c = *it->second;
    published += glue + c.published;
    reproduced += glue + (c.reproduced ? c.reproduced_printed : std::string("-"));
    if (severity(c.verdict) > worst) {
      worst = severity(c.verdict);
      title = std::string(reproduction::to_string(c.verdict)) + ": " + c.reason;
    }
  }
  if (ids.size() > 1) {
    published += close;
    reproduced += close;
  }
  const std::string cls = worst == 2 ? "mismatch" : worst == 1 ? "inconsistent" : "match";
  return "<td class=\"num " + cls + "\" title=\"" + html_escape(title) + "\">" +
         html_escape(published) + "<br><span class=\"rep\">" + html_escape(reproduced) +
         "</span></td>";
}

void paper_table(std::ostringstream& h, const std::string& caption,
                 const std::vector<std::string>& columns,
                 const std::vector<std::pair<std::string, std::vector<std::string>>>& rows) {
  h << "<table class=\"paper\"><caption>" << html_escape(caption)
    << " <small>(upper: published; lower: reproduced)</small></caption>\n<thead><tr>";
  for (const auto& c : columns) h << "<th scope=\"col\">" << html_escape(c) << "</th>";
  h << "</tr></thead><tbody>\n";
  for (const auto& [label, cells] : rows) {
    h << "<tr><th scope=\"row\">" << html_escape(label) << "</th>";
    for (const auto& c : cells) h << c;
    h << "</tr>\n";
  }
  h << "</tbody></table>\n";
}

void paper_tables(std::ostringstream& h, const reproduction::comparison& cmp) {
  comparison_index idx;
  for (const auto& c : cmp.cells) idx[c.id] = &c;
  const std::string pm = " \u00b1 ";
  const auto ms = [&](const std::string& base) {
    return paper_cell(idx, {base + ".mean", base + ".sd"}, pm);
  };
  const auto one = [&](const std::string& id) { return paper_cell(idx, {id}, ""); };
  const auto np = [&](const std::string& base) {
    return paper_cell(idx, {base + ".n", base + ".pct"}, " (", ")");
  };
  paper_table(
      h, "Table 1. Age (mean \u00b1 SD)", {"", "Intervention", "Control", "t", "p"},
      {{"Age",
        {ms("T1.age.intervention"), ms("T1.age.control"), one("T1.age.t"), one("T1.age.p")}}});
  paper_table(
      h, "Table 2. Gender, N (%)", {"", "Intervention", "Control", "\u03c7\u00b2", "p"},
      {{"Male",
        {np("T2.male.intervention"), np("T2.male.control"), one("T2.gender.chisq"),
         one("T2.gender.p")}},
       {"Female",
        {np("T2.female.intervention"), np("T2.female.control"), "<td></td>", "<td></td>"}}});
  const std::vector<std::pair<std::string, std::string>> outcomes{{"ee", "Emotional exhaustion"},
                                                                  {"dp", "Depersonalization"},
                                                                  {"pa", "Personal accomplishment"},
                                                                  {"msq", "Job satisfaction"}};
  std::vector<std::pair<std::string, std::vector<std::string>>> t3, t4;
  for (const auto& [o, label] : outcomes) {
    for (const std::string arm : {"intervention", "control"}) {
      const std::string b = "T3." + o + "." + arm;
      t3.push_back(
          {label + ", " + arm, {ms(b + ".pre"), ms(b + ".post"), one(b + ".t"), one(b + ".p")}});
    }
    const std::string b = "T4." + o;
    t4.push_back({label,
                  {ms(b + ".intervention.change"), ms(b + ".control.change"), one(b + ".t"),
                   one(b + ".p")}});
  }
  paper_table(h, "Table 3. Pre and post (mean \u00b1 SD), paired t", {"", "Pre", "Post", "t", "p"},
              t3);
  paper_table(h, "Table 4. Change, post minus pre (mean \u00b1 SD), between-group t",
              {"", "Intervention", "Control", "t", "p"}, t4);
  const auto counts = [&](const std::string& table, const std::vector<std::string>& items,
                          const std::vector<std::string>& levels) {
    std::vector<std::pair<std::string, std::vector<std::string>>> rows;
    for (const auto& item : items) {
      std::vector<std::string> cells;
      for (const auto& level : levels) cells.push_back(np(table + "." + item + "." + level));
      rows.push_back({item, cells});
    }
    return rows;
  };
  paper_table(h, "Table 5. Achievements, N (%)",
              {"", "None", "Little", "Neutral", "Helpful", "Extremely"},
              counts("T5",
                     {"reduce_pressure", "understood_supported", "empathy", "communication",
                      "occupational_identity"},
                     {"none", "little", "neutral", "helpful", "extremely"}));
  paper_table(
      h, "Table 6. Satisfaction with the programme, N (%)",
      {"", "Extremely unsatisfied", "Unsatisfied", "Neutral", "Satisfied", "Extremely satisfied"},
      counts("T6", {"activity_time", "group_size", "group_leaders", "group_atmosphere"},
             {"ext_unsat", "unsat", "neutral", "sat", "ext_sat"}));
}

}  // namespace

std::string consort_svg(const consort_flow& f) {
  const std::string a0 = f.arms.empty() ? "intervention" : f.arms[0];
  const std::string a1 = f.arms.size() > 1 ? f.arms[1] : "waitlist";
  std::size_t randomized = 0;
  for (const auto& [arm, n] : f.allocated) randomized += n;
  std::ostringstream s;
  s << "<svg role=\"img\" aria-labelledby=\"consort-t consort-d\" viewBox=\"0 0 980 560\" "
       "width=\"980\" height=\"560\" font-family=\"sans-serif\" font-size=\"13\">\n"
    << "<title id=\"consort-t\">CONSORT 2010 flow diagram</title>\n"
    << "<desc id=\"consort-d\">" << f.enrolled << " enrolled, " << randomized
    << " randomized: " << n_of(f.allocated, a0) << " to " << html_escape(a0) << " ("
    << n_of(f.received, a0) << " attended at least one session), " << n_of(f.allocated, a1)
    << " to " << html_escape(a1) << "; lost to follow-up " << n_of(f.lost, a0) << " and "
    << n_of(f.lost, a1) << "; analysed " << n_of(f.analysed, a0) << " and " << n_of(f.analysed, a1)
    << ". Counts from the trial database.</desc>\n"
    << "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" "
       "markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" "
       "fill=\"#333\"/></marker></defs>\n";
  stage(s, 20, "Enrolment");
  box(s, 395, 10, 300,
      {"Enrolled, consented, baseline complete", "(n = " + std::to_string(f.enrolled) + ")"});
  arrow(s, 545, 56, 545, 86);
  box(s, 395, 86, 300, {"Randomized (n = " + std::to_string(randomized) + ")"});
  arrow(s, 545, 116, 325, 160);
  arrow(s, 545, 116, 755, 160);
  stage(s, 170, "Allocation");
  const int y_alloc = 160;
  box(s, 125, y_alloc, 400,
      {"Allocated to " + arm_title(a0) + " (n = " + n_of(f.allocated, a0) + ")",
       "Received the intervention (attended >= 1 session)", "  (n = " + n_of(f.received, a0) + ")",
       "Did not receive it (n = " +
           std::to_string(std::stoul(n_of(f.allocated, a0)) - std::stoul(n_of(f.received, a0))) +
           ")"});
  box(s, 545, y_alloc, 420,
      {"Allocated to " + arm_title(a1) + " (n = " + n_of(f.allocated, a1) + ")",
       "No sessions during the trial; the programme", "  is offered after the post assessment",
       "Attended a session (n = " + n_of(f.received, a1) + ")"});
  arrow(s, 325, 238, 325, 290);
  arrow(s, 755, 238, 755, 290);
  stage(s, 300, "Follow-up");
  box(s, 125, 290, 400, lost_lines(f, a0));
  box(s, 545, 290, 420, lost_lines(f, a1));
  arrow(s, 325, 350, 325, 410);
  arrow(s, 755, 350, 755, 410);
  stage(s, 420, "Analysis");
  box(s, 125, 410, 400,
      {"Analysed, change scores (n = " + n_of(f.analysed, a0) + ")",
       "Excluded from analysis (n = " +
           std::to_string(std::stoul(n_of(f.allocated, a0)) - std::stoul(n_of(f.analysed, a0))) +
           ")"});
  box(s, 545, 410, 420,
      {"Analysed, change scores (n = " + n_of(f.analysed, a1) + ")",
       "Excluded from analysis (n = " +
           std::to_string(std::stoul(n_of(f.allocated, a1)) - std::stoul(n_of(f.analysed, a1))) +
           ")"});
  s << "</svg>\n";
  return s.str();
}

std::string reproduction_html(const reproduction_view& v) {
  std::ostringstream h;
  const auto [analysis_style, analysis_body] =
      v.analysis ? analysis_parts(*v.analysis) : std::pair<std::string, std::string>{};
  const std::string title = v.published ? v.published->title : std::string("Reproduction");
  h << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    << "<title>Reproduction: " << html_escape(title) << "</title>\n<style>\n"
    << "body{font-family:Georgia,serif;max-width:1100px;margin:2em auto;padding:0 1em;"
       "color:#222;line-height:1.4}\n"
    << "table{border-collapse:collapse;margin:1em 0;font-size:0.9em}\n"
    << "th,td{border-top:1px solid #999;border-bottom:1px solid #999;padding:3px 8px;"
       "text-align:left;vertical-align:top}\n"
    << "caption{text-align:left;font-weight:bold;padding:4px 0}\n"
    << "td.num{text-align:right;font-variant-numeric:tabular-nums}\n"
    << ".match{color:#1a6b1a}.mismatch{color:#b00000;font-weight:bold}"
       ".inconsistent{color:#9a5b00}\n"
    << ".rep{color:#555;font-size:0.9em}table.paper td{white-space:nowrap}\n"
    << ".note{background:#f4f4f0;border-left:4px solid #999;padding:0.5em 1em}\n"
    << analysis_style << "\n</style>\n</head>\n<body>\n<main>\n"
    << "<h1>Reproduction of a published trial</h1>\n<p><em>" << html_escape(title) << "</em></p>\n";
  h << "<p class=\"note\">The participant-level data of this replay (" << html_escape(v.data_source)
    << ", seed " << v.reconstruction_seed
    << ") are one of many data sets consistent with the published numbers, <strong>not the "
       "trial's data</strong>. They were enrolled, randomized (allocation list seed "
    << v.list_seed << ", commitment <code>" << html_escape(v.commitment)
    << "</code>), scheduled, logged and analysed by the real system; every count below comes "
       "from the replay's database.</p>\n";
  if (v.comparison) {
    const auto& c = *v.comparison;
    h << "<p><strong>" << c.match << "</strong> published numbers match, <strong>" << c.mismatch
      << "</strong> mismatch, <strong>" << c.paper_inconsistent
      << "</strong> are inconsistent within the paper itself; " << c.not_compared.size()
      << " have no counterpart in the replay.</p>\n";
  }
  if (!v.notes.empty()) {
    h << "<ul>\n";
    for (const auto& n : v.notes) h << "<li>" << html_escape(n) << "</li>\n";
    h << "</ul>\n";
  }

  h << "<h2>Participant flow (CONSORT 2010)</h2>\n" << consort_svg(v.flow);

  if (v.comparison && v.published) {
    h << "<h2>Tables 1-6: published and reproduced</h2>\n";
    paper_tables(h, *v.comparison);
    h << "<h2>Every published number</h2>\n";
    std::map<std::string, const reproduction::cell*> cells;
    for (const auto& c : v.published->cells) cells[c.id] = &c;
    std::string current;
    for (const auto& cc : v.comparison->cells) {
      const std::string section = section_of(cc.id);
      if (section != current) {
        if (!current.empty()) h << "</tbody></table>\n";
        current = section;
        h << "<table><caption>" << html_escape(section) << "</caption>\n<thead><tr>"
          << "<th scope=\"col\">Number</th><th scope=\"col\">Published</th>"
          << "<th scope=\"col\">Reproduced</th><th scope=\"col\">Verdict</th>"
          << "<th scope=\"col\">Why</th></tr></thead><tbody>\n";
      }
      const auto it = cells.find(cc.id);
      const std::string label = it == cells.end() ? cc.id : cell_label(*it->second);
      h << "<tr><th scope=\"row\" title=\"" << html_escape(cc.id) << "\">" << html_escape(label)
        << "</th><td class=\"num\">" << html_escape(cc.published) << "</td><td class=\"num\">"
        << html_escape(cc.reproduced ? cc.reproduced_printed : "-") << "</td><td class=\""
        << verdict_class(cc.verdict) << "\">" << reproduction::to_string(cc.verdict) << "</td><td>"
        << html_escape(cc.reason) << "</td></tr>\n";
    }
    if (!current.empty()) h << "</tbody></table>\n";
  }

  if (v.audit) {
    h << "<h2>What the audit of the published numbers found</h2>\n<ul>\n";
    std::istringstream lines(reproduction::to_text(*v.audit));
    std::string line;
    std::size_t shown = 0;
    while (std::getline(lines, line)) {
      if (line.empty()) continue;
      h << "<li>" << html_escape(line) << "</li>\n";
      ++shown;
    }
    if (shown == 0) h << "<li>No inconsistency found.</li>\n";
    h << "</ul>\n";
  }

  const auto& f = v.flow;
  std::vector<int> att = f.sessions_attended;
  std::sort(att.begin(), att.end());
  const auto completed =
      std::count_if(att.begin(), att.end(), [&](int n) { return n >= f.required_sessions; });
  h << "<h2>CONSORT 2010 / CONSORT-NPT: what the database vouches for</h2>\n"
    << "<table><thead><tr><th scope=\"col\">Item</th><th scope=\"col\">The database records"
       "</th></tr></thead><tbody>\n";
  auto row = [&](const std::string& item, const std::string& text) {
    h << "<tr><th scope=\"row\">" << html_escape(item) << "</th><td>" << html_escape(text)
      << "</td></tr>\n";
  };
  std::size_t randomized = 0;
  for (const auto& [arm, n] : f.allocated) randomized += n;
  row("8a-10 Randomization: sequence, concealment, implementation",
      "A sealed allocation list generated from a recorded seed (" + std::to_string(v.list_seed) +
          ") with commitment " + v.commitment + "; " + std::to_string(randomized) +
          " allocations, each audited; 'randomization verify' regenerates and checks them.");
  row("5 / NPT 4a-b Intervention: sessions per group",
      std::to_string(f.lectures) + " lectures and " + std::to_string(f.sessions_held) +
          " sessions held of " + std::to_string(f.sessions_planned) + " slots (" + f.time_zone +
          "); " + std::to_string(f.min_present) + "-" + std::to_string(f.max_present) +
          " participants per held session.");
  row("NPT 4c / 15 Care providers (group leaders)",
      std::to_string(f.leaders) +
          " group leaders recorded; every held session has a leader "
          "(attendance cannot be logged otherwise).");
  row("NPT 12 / TIDieR dose: attendance",
      att.empty()
          ? std::string("no attendance recorded")
          : "sessions attended per intervention participant: min " + std::to_string(att.front()) +
                ", median " + std::to_string(att[att.size() / 2]) + ", max " +
                std::to_string(att.back()) + "; " + std::to_string(completed) + " of " +
                std::to_string(att.size()) + " reached the required " +
                std::to_string(f.required_sessions) + ".");
  row("13a-b Participant flow, losses and reasons",
      std::to_string(f.enrolled) +
          " enrolled; see the flow diagram for allocation, receipt, "
          "losses (with reasons) and the numbers analysed.");
  row("16 Numbers analysed",
      "Every randomized participant with both questionnaires, in the arm allocated (ITT).");
  row("Not vouched for",
      "Blinding, eligibility screening before enrolment, and anything that happened outside the "
      "database (the content of the sessions) are not recorded by the system.");
  h << "</tbody></table>\n";

  if (!analysis_body.empty()) {
    h << "<h2>The replay's analysis, with plots</h2>\n" << analysis_body;
  }
  h << "</main>\n</body>\n</html>\n";
  return h.str();
}

std::string reproduction_html(const app::reproduction_outcome& o) {
  report::reproduction_view view;
  view.published = &o.published.summary;
  view.audit = &o.published.audit;
  view.comparison = &o.comparison;
  view.analysis = &o.reproduced.analysis;
  view.flow = o.reproduced.consort;
  view.data_source = o.data.source;
  view.reconstruction_seed = o.data.seed;
  view.list_seed = o.replayed.list_seed;
  view.commitment = o.replayed.init.commitment;
  view.notes = o.data.unmet;
  view.notes.insert(view.notes.end(), o.replayed.notes.begin(), o.replayed.notes.end());
  return reproduction_html(view);
}

}  // namespace balint::report
