// QR codes for the survey-link sheet: libqrencode makes the modules, we draw the SVG.
#include "balint/report/survey_sheet.hpp"

#include <memory>
#include <qrencode.h>
#include <stdexcept>
#include <string>

namespace balint::report {

qr_matrix qr_encode(std::string_view text) {
  const std::string s(text);
  // Byte mode, case-sensitive: a token's hex digits and the URL as they are.
  std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
      QRcode_encodeString(s.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1), &QRcode_free);
  if (!code)
    throw std::runtime_error("libqrencode could not encode a text of " + std::to_string(s.size()) +
                             " bytes");
  qr_matrix m;
  m.width = code->width;
  m.version = code->version;
  const auto n = static_cast<std::size_t>(code->width) * static_cast<std::size_t>(code->width);
  m.dark.resize(n);
  // Bit 0 of each byte is the module's colour (1 = dark); the other bits say what it is for.
  for (std::size_t i = 0; i < n; ++i) m.dark[i] = (code->data[i] & 1U) != 0;
  return m;
}

std::string qr_svg(const qr_matrix& code, int pixels) {
  const int size = code.width + 8;
  std::string path;
  path.reserve(code.dark.size() * 8);
  for (int y = 0; y < code.width; ++y) {
    for (int x = 0; x < code.width; ++x) {
      if (!code.at(x, y)) continue;
      path += "M" + std::to_string(x + 4) + " " + std::to_string(y + 4) + "h1v1h-1z";
    }
  }
  const std::string n = std::to_string(size);
  const std::string px = std::to_string(pixels);
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + px + "\" height=\"" + px +
         "\" viewBox=\"0 0 " + n + " " + n +
         "\" shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"QR code of the link\">"
         "<rect width=\"" +
         n + "\" height=\"" + n + "\" fill=\"#fff\"/><path fill=\"#000\" d=\"" + path +
         "\"/></svg>";
}

}  // namespace balint::report
