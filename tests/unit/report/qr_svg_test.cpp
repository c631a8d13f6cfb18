// The QR codes of the survey-link sheet: the SVG draws exactly the modules libqrencode encodes.
#include "balint/report/survey_sheet.hpp"

#include <doctest/doctest.h>

#include <memory>
#include <qrencode.h>
#include <set>
#include <string>
#include <utility>

using balint::report::qr_encode;
using balint::report::qr_svg;

namespace {

/// The dark modules drawn by an SVG of qr_svg: (x, y) of each "M{x} {y}h1v1h-1z", in the
/// code's own coordinates (the quiet zone of 4 taken off).
std::set<std::pair<int, int>> drawn(const std::string& svg) {
  std::set<std::pair<int, int>> out;
  const auto d = svg.find(" d=\"");
  REQUIRE(d != std::string::npos);
  std::size_t at = d + 4;
  while (svg[at] == 'M') {
    std::size_t used = 0;
    const int x = std::stoi(svg.substr(at + 1), &used);
    at += 1 + used + 1;
    const int y = std::stoi(svg.substr(at), &used);
    at += used;
    REQUIRE(svg.compare(at, 8, "h1v1h-1z") == 0);
    at += 8;
    CHECK(out.insert({x - 4, y - 4}).second);
  }
  CHECK(svg.compare(at, 3, "\"/>") == 0);
  return out;
}

}  // namespace

TEST_SUITE("report") {
  TEST_CASE(
      "issue-14: a survey link's QR code is libqrencode's code for the URL, drawn module "
      "for module") {
    const std::string url = "https://trial.example.org/s/0123456789abcdef0123456789abcdef";
    const auto code = qr_encode(url);
    // libqrencode itself, asked the same way, is the reference; never a stored picture.
    std::unique_ptr<QRcode, decltype(&QRcode_free)> reference(
        QRcode_encodeString(url.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1), &QRcode_free);
    REQUIRE(reference);
    CHECK(code.version == reference->version);
    CHECK(code.width == reference->width);
    // A QR code of version v has 17 + 4v modules a side.
    CHECK(code.width == 17 + 4 * code.version);

    const auto svg = qr_svg(code);
    CHECK(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0) == 0);
    CHECK(svg.size() > 6);
    CHECK(svg.substr(svg.size() - 6) == "</svg>");
    const std::string side = std::to_string(code.width + 8);
    CHECK(svg.find("viewBox=\"0 0 " + side + " " + side + "\"") != std::string::npos);

    std::set<std::pair<int, int>> expected;
    for (int y = 0; y < reference->width; ++y) {
      for (int x = 0; x < reference->width; ++x) {
        if (reference->data[y * reference->width + x] & 1) expected.insert({x, y});
      }
    }
    CHECK(drawn(svg) == expected);
  }

  TEST_CASE("issue-14: a short text gets a small code: version 2 is 25 x 25 modules") {
    // 20 bytes at level M need version 2 (version 1-M holds 14 bytes; lower case keeps
    // libqrencode in byte mode, where upper case letters and digits would be alphanumeric).
    const auto code = qr_encode("abcdefghijklmnopqrst");
    CHECK(code.version == 2);
    CHECK(code.width == 25);
    CHECK(code.dark.size() == 625u);
    const auto svg = qr_svg(code);
    CHECK(svg.find("viewBox=\"0 0 33 33\"") != std::string::npos);
  }
}
