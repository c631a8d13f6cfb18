#include "balint/reproduction/compare.hpp"

#include "balint/core/names.hpp"

#include <array>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace balint::reproduction {
namespace {

std::string method_label(const std::string& m) {
  if (m == "student") return "Student's t (pooled variance)";
  if (m == "welch") return "Welch's t (unequal variances)";
  if (m == "paired") return "the paired t";
  if (m == "pearson") return "Pearson's chi-square without continuity correction";
  if (m == "yates") return "Pearson's chi-square with Yates' continuity correction";
  return m;
}

std::string join_labels(const std::vector<std::string>& methods) {
  std::string out;
  for (std::size_t i = 0; i < methods.size(); ++i) {
    if (i > 0) out += i + 1 == methods.size() ? " and " : ", ";
    out += method_label(methods[i]);
  }
  return out;
}

const cell_audit* find_audit(const audit_report& a, const std::string& id) {
  for (const auto& c : a.cells) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

std::string audit_findings(const cell_audit& a) {
  std::string out;
  for (const auto& ch : a.checks) {
    if (ch.verdict != verdict::inconsistent || ch.reason.empty()) continue;
    std::string reason = ch.reason;
    // Findings may start with "the Abstract ..."; here each one is a sentence of its own.
    if (reason[0] >= 'a' && reason[0] <= 'z') reason[0] = static_cast<char>(reason[0] - 'a' + 'A');
    if (!out.empty()) out += " ";
    out += reason;
  }
  if (out.empty()) out = "The audit of the published numbers found this cell inconsistent.";
  return out;
}

core::json candidate_method(const std::optional<candidate>& c) {
  if (!c || c->method.empty()) return {};
  return c->method;
}

constexpr std::array<core::enum_name<comparison_verdict>, 3> verdict_names{
    {{comparison_verdict::match, "match"},
     {comparison_verdict::mismatch, "mismatch"},
     {comparison_verdict::paper_inconsistent, "paper-inconsistent"}}};

}  // namespace

std::string_view to_string(comparison_verdict v) {
  return core::name_of<comparison_verdict>(verdict_names, v, "mismatch");
}

std::string format_fixed(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals < 0 ? 0 : decimals, value);
  std::string s = buf;
  // "-0.00" reads as a sign the number does not have.
  if (s.front() == '-' && s.find_first_not_of("-0.") == std::string::npos) s.erase(0, 1);
  return s;
}

comparison compare(const summary& s, const audit_report& audit, const reproduced_values& values) {
  comparison out;
  for (const auto& cell : s.cells) {
    const cell_audit* a = find_audit(audit, cell.id);
    const auto found = values.find(cell.id);
    const bool has_values = found != values.end() && !found->second.empty();
    const bool inconsistent = a && a->verdict == verdict::inconsistent;
    if (!has_values && !inconsistent) {
      out.not_compared.push_back(cell.id);
      continue;
    }
    cell_comparison cc;
    cc.id = cell.id;
    cc.published = cell.printed;
    const interval range = rounding_interval(cell.value, cell.decimals);
    std::vector<std::string> others;  // non-matching methods, with their values
    if (has_values) {
      for (const auto& cand : found->second) {
        if (range.contains(cand.value)) {
          cc.matched_methods.push_back(cand.method);
          if (!cc.reproduced) cc.reproduced = cand;
        } else if (!cand.method.empty()) {
          others.push_back(method_label(cand.method) + " gives " +
                           format_fixed(cand.value, cell.decimals));
        }
      }
      if (!cc.reproduced) cc.reproduced = found->second.front();
      cc.reproduced_printed = format_fixed(cc.reproduced->value, cell.decimals);
    }
    const bool matched = !cc.matched_methods.empty();
    std::string method_note;
    if (matched && found->second.size() > 1) {
      method_note = "Matches with " + join_labels(cc.matched_methods) + ".";
      if (!others.empty()) {
        method_note += " " + others.front();
        for (std::size_t i = 1; i < others.size(); ++i) method_note += "; " + others[i];
        method_note += ".";
      }
    }
    if (inconsistent) {
      cc.verdict = comparison_verdict::paper_inconsistent;
      cc.reason = audit_findings(*a);
      if (has_values) {
        cc.reason += " The replay gives " + cc.reproduced_printed +
                     (matched ? " (it rounds to the printed value, but the printed numbers "
                                "cannot all hold together)."
                              : ", consistent with the other published numbers.");
      }
      ++out.paper_inconsistent;
    } else if (matched) {
      cc.verdict = comparison_verdict::match;
      cc.reason = method_note.empty() ? "Rounds to the printed value." : method_note;
      if (!a || a->verdict == verdict::unchecked) {
        // Still a match; say that the audit had nothing to check it against.
      }
      ++out.match;
    } else {
      cc.verdict = comparison_verdict::mismatch;
      std::ostringstream r;
      if (found->second.size() > 1) {
        r << "No method rounds to the printed " << cell.printed << ": ";
        for (std::size_t i = 0; i < found->second.size(); ++i) {
          const auto& cand = found->second[i];
          r << (i == 0 ? "" : "; ") << method_label(cand.method) << " gives "
            << format_fixed(cand.value, cell.decimals) << " (unrounded " << cand.value << ")";
        }
        r << ".";
      } else {
        r << "The replay gives " << cc.reproduced_printed << " (unrounded " << cc.reproduced->value
          << "), outside the rounding interval [" << range.lo << ", " << range.hi
          << "] of the printed " << cell.printed << ".";
      }
      cc.reason = r.str();
      ++out.mismatch;
    }
    out.cells.push_back(std::move(cc));
  }
  return out;
}

core::json to_json(const comparison& c) {
  core::json j;
  core::json summary;
  summary["match"] = c.match;
  summary["mismatch"] = c.mismatch;
  summary["paper_inconsistent"] = c.paper_inconsistent;
  summary["not_compared"] = c.not_compared.size();
  j["summary"] = std::move(summary);
  core::json::array cells;
  for (const auto& cc : c.cells) {
    core::json e;
    e["id"] = cc.id;
    e["published"] = cc.published;
    e["reproduced"] = cc.reproduced ? core::json(cc.reproduced_printed) : core::json();
    e["reproduced_value"] = cc.reproduced ? core::json(cc.reproduced->value) : core::json();
    e["method"] = candidate_method(cc.reproduced);
    core::json::array methods;
    for (const auto& m : cc.matched_methods) {
      if (!m.empty()) methods.emplace_back(m);
    }
    e["matched_methods"] = core::json(std::move(methods));
    e["source"] = cc.reproduced && !cc.reproduced->source.empty()
                      ? core::json(cc.reproduced->source)
                      : core::json();
    e["verdict"] = std::string(to_string(cc.verdict));
    e["reason"] = cc.reason;
    cells.push_back(std::move(e));
  }
  j["cells"] = core::json(std::move(cells));
  core::json::array skipped;
  for (const auto& id : c.not_compared) skipped.emplace_back(id);
  j["not_compared"] = core::json(std::move(skipped));
  return j;
}

std::string to_text(const comparison& c) {
  std::ostringstream o;
  for (const auto& cc : c.cells) {
    o << cc.id << ": published " << cc.published << ", reproduced "
      << (cc.reproduced ? cc.reproduced_printed : std::string("-")) << ": "
      << to_string(cc.verdict);
    if (cc.verdict != comparison_verdict::match || !cc.matched_methods.empty()) {
      if (!(cc.verdict == comparison_verdict::match && cc.reason == "Rounds to the printed value."))
        o << ". " << cc.reason;
    }
    o << "\n";
  }
  o << "\n"
    << c.match << " match, " << c.mismatch << " mismatch, " << c.paper_inconsistent
    << " paper-inconsistent; " << c.not_compared.size()
    << " published numbers have no counterpart in the replay (design facts, reliability).\n";
  return o.str();
}

}  // namespace balint::reproduction
