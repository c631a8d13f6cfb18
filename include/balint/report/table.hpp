#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace balint::report {

/// A plain-text table with a header row, columns padded to their widest cell (UTF-8 aware),
/// two spaces between columns, and a rule under the header.
std::string text_table(const std::vector<std::string>& header,
                       const std::vector<std::vector<std::string>>& rows);

/// A CSV document with a header row; every cell escaped (formula injection included).
std::string csv_table(const std::vector<std::string>& header,
                      const std::vector<std::vector<std::string>>& rows);

/// `s` with & < > " escaped for HTML text and attribute values.
std::string html_escape(std::string_view s);

/// Formats a score: integers without a decimal point, others with up to 2 decimals.
std::string format_score(double value);

}  // namespace balint::report
