#pragma once

#include "balint/core/result.hpp"

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace balint::core {

/// Called once per CSV row, the header included (line 1 unless blank lines precede it).
/// `line` is the 1-based line number where the row starts. Returning an error stops reading.
using csv_row_handler =
    std::function<result<void>(const std::vector<std::string>& fields, std::size_t line)>;

/// Reads RFC 4180 CSV: fields separated by ',', quoted with '"' (doubled inside quotes),
/// rows ended by LF or CRLF, an optional UTF-8 byte order mark skipped. Every row must have as
/// many fields as the first (the header); a fully empty line is skipped. Errors have field
/// "csv" and a message starting "line N: ".
result<void> for_each_csv_row(std::string_view text, const csv_row_handler& on_row);

/// Appends one cell to `out`, quoted when it holds ',', '"', CR or LF. Text that a spreadsheet
/// would run as a formula (starting with = + - @, tab or CR) is prefixed with a single quote,
/// as OWASP recommends against CSV injection.
void append_csv_text(std::string& out, std::string_view cell);

/// Appends a cell that is known to be a number (never escaped: "-3" stays a number).
void append_csv_number(std::string& out, double value);

}  // namespace balint::core
