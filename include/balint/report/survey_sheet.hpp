#pragma once

#include "balint/app/survey_service.hpp"
#include "balint/core/json.hpp"

#include <string>
#include <string_view>
#include <vector>

/// The survey links' printable sheet, their CSV, the QR codes on the sheet (libqrencode) and the
/// JSON of the survey views. Rendered to strings; the command line writes the files.
namespace balint::report {

/// The modules of a QR code as libqrencode encodes a text (byte mode, error correction M,
/// the smallest version that holds it): `width` x `width`, row by row, true = dark.
struct qr_matrix {
  int width = 0;
  int version = 0;
  std::vector<bool> dark;
  bool at(int x, int y) const {
    return dark[static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
                static_cast<std::size_t>(x)];
  }
};

/// Encodes `text`. Throws std::runtime_error when libqrencode cannot (a text far longer than
/// any link).
qr_matrix qr_encode(std::string_view text);

/// The code as an inline SVG: a 4-module quiet zone, viewBox "0 0 W W" with W = width + 8,
/// and one path whose subpaths "M{x} {y}h1v1h-1z" are the dark modules (x, y counted from the
/// top-left corner of the viewBox, so a module of the code at (i, j) is at (i+4, j+4)).
std::string qr_svg(const qr_matrix& code, int pixels = 160);

/// The link of `token` under `base_url` ("https://trial.example.org"): base_url + "/s/" + token.
std::string survey_url(std::string_view base_url, std::string_view token);

/// participant,url,expires — one row per link.
std::string survey_links_csv(const app::survey_issue_result& issued, std::string_view base_url);

/// A printable page: one card per participant with the code, the URL, the expiry and the QR
/// code. The page holds the tokens: whoever holds it can answer for the participants.
std::string survey_links_html(const app::survey_issue_result& issued, std::string_view base_url,
                              std::string_view trial_title);

core::json to_json(const app::survey_link_view& v);
core::json to_json(const app::survey_status& s);
core::json to_json(const app::survey_form& f);
core::json to_json(const app::survey_submitted& s);
/// A reissued link for the coordinator's page: with its URL path (/s/TOKEN), shown once.
core::json to_json(const app::issued_survey_link& l);

}  // namespace balint::report
