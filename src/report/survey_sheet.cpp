// Survey links as files (CSV and the printable sheet) and the survey views as JSON.
#include "balint/report/survey_sheet.hpp"

#include "balint/report/table.hpp"

namespace balint::report {
namespace {

core::json strings(const std::vector<std::string>& list) {
  core::json a{core::json::array{}};
  for (const auto& s : list) a.push_back(s);
  return a;
}

core::json optional_text(const std::optional<std::string>& s) {
  return s ? core::json(*s) : core::json(nullptr);
}

}  // namespace

std::string survey_url(std::string_view base_url, std::string_view token) {
  std::string base(base_url);
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/s/" + std::string(token);
}

std::string survey_links_csv(const app::survey_issue_result& issued, std::string_view base_url) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& l : issued.links) {
    rows.push_back({l.participant, survey_url(base_url, l.token), l.expires_at});
  }
  return csv_table({"participant", "url", "expires"}, rows);
}

std::string survey_links_html(const app::survey_issue_result& issued, std::string_view base_url,
                              std::string_view trial_title) {
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>Survey links: " +
      html_escape(trial_title) + ", " + html_escape(issued.timepoint) +
      "</title><style>"
      "body{font-family:sans-serif;margin:1cm;color:#000}"
      "h1{font-size:1.2rem}p.warn{font-weight:bold}"
      ".cards{display:flex;flex-wrap:wrap;gap:0.5cm}"
      ".card{border:1px solid #000;padding:0.4cm;width:8cm;break-inside:avoid;"
      "page-break-inside:avoid}"
      ".code{font-size:1.4rem;font-weight:bold}.url{font-family:monospace;font-size:0.7rem;"
      "word-break:break-all}"
      "@media print{p.warn{display:none}}"
      "</style></head><body>\n<h1>" +
      html_escape(trial_title) + ": questionnaire links, time point " +
      html_escape(issued.timepoint) +
      "</h1>\n<p class=\"warn\">Each link lets its holder answer for that participant, once. "
      "Hand each card to its participant only; shred the sheet afterwards.</p>\n"
      "<div class=\"cards\">\n";
  for (const auto& l : issued.links) {
    const std::string url = survey_url(base_url, l.token);
    html += "<section class=\"card\"><div class=\"code\">" + html_escape(l.participant) + "</div>" +
            qr_svg(qr_encode(url)) + "<div class=\"url\">" + html_escape(url) +
            "</div><div>Open before " + html_escape(l.expires_at) + " (UTC)</div></section>\n";
  }
  html += "</div>\n</body></html>\n";
  return html;
}

core::json to_json(const app::survey_link_view& v) {
  core::json j;
  j["participant"] = v.participant;
  j["timepoint"] = v.timepoint;
  j["state"] = v.state;
  j["instruments"] = strings(v.instruments);
  j["issued_at"] = v.issued_at.empty() ? core::json(nullptr) : core::json(v.issued_at);
  j["issued_by"] = v.issued_by.empty() ? core::json(nullptr) : core::json(v.issued_by);
  j["expires_at"] = v.expires_at.empty() ? core::json(nullptr) : core::json(v.expires_at);
  j["answers_saved"] = v.answers_saved;
  j["submitted_at"] = optional_text(v.submitted_at);
  j["revoked_at"] = optional_text(v.revoked_at);
  j["revoke_reason"] = optional_text(v.revoke_reason);
  j["links"] = v.links;
  return j;
}

core::json to_json(const app::survey_status& s) {
  core::json j;
  j["timepoint"] = s.timepoint;
  core::json counts;
  counts["issued"] = s.issued;
  counts["open"] = s.open;
  counts["expired"] = s.expired;
  counts["submitted"] = s.submitted;
  counts["revoked"] = s.revoked;
  j["counts"] = std::move(counts);
  core::json list{core::json::array{}};
  for (const auto& p : s.participants) list.push_back(to_json(p));
  j["participants"] = std::move(list);
  return j;
}

core::json to_json(const app::survey_form& f) {
  core::json j;
  j["participant"] = f.participant;
  j["language"] = f.language;
  j["timepoint"] = f.timepoint;
  j["expires_at"] = f.expires_at;
  core::json list{core::json::array{}};
  for (const auto& inst : f.instruments) {
    core::json i;
    i["id"] = inst.id;
    i["name"] = inst.name;
    core::json items{core::json::array{}};
    for (const auto& it : inst.items) {
      core::json x;
      x["number"] = it.number;
      x["text"] = it.text;
      x["required"] = it.required;
      items.push_back(std::move(x));
    }
    i["items"] = std::move(items);
    core::json choices{core::json::array{}};
    for (const auto& c : inst.choices) {
      core::json x;
      x["value"] = c.value;
      x["label"] = c.label;
      choices.push_back(std::move(x));
    }
    i["choices"] = std::move(choices);
    list.push_back(std::move(i));
  }
  j["instruments"] = std::move(list);
  j["saved"] = f.saved;
  return j;
}

core::json to_json(const app::survey_submitted& s) {
  core::json j;
  j["submitted"] = true;
  j["timepoint"] = s.timepoint;
  j["instruments"] = strings(s.instruments);
  j["submitted_at"] = s.submitted_at;
  return j;
}

core::json to_json(const app::issued_survey_link& l) {
  core::json j;
  j["participant"] = l.participant;
  j["path"] = "/s/" + l.token;
  j["expires_at"] = l.expires_at;
  j["instruments"] = strings(l.instruments);
  return j;
}

}  // namespace balint::report
