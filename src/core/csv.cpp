#include "balint/core/csv.hpp"

#include <charconv>
#include <cmath>

namespace balint::core {

result<void> for_each_csv_row(std::string_view text, const csv_row_handler& on_row) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::vector<std::string> fields;
  std::size_t expected = 0;
  bool have_header = false;
  std::size_t pos = 0;
  std::size_t line = 1;
  const std::size_t n = text.size();
  while (pos < n) {
    const std::size_t row_line = line;
    fields.clear();
    // A fully empty line is skipped.
    if (text[pos] == '\n' || (text[pos] == '\r' && pos + 1 < n && text[pos + 1] == '\n')) {
      pos += text[pos] == '\r' ? 2 : 1;
      ++line;
      continue;
    }
    std::size_t used = 0;
    auto next_field = [&]() -> std::string& {
      if (used == fields.size()) fields.emplace_back();
      std::string& f = fields[used++];
      f.clear();
      return f;
    };
    bool row_done = false;
    while (!row_done) {
      std::string& field = next_field();
      if (pos < n && text[pos] == '"') {
        ++pos;
        while (true) {
          if (pos >= n) {
            return invalid_input(
                "csv", "line " + std::to_string(row_line) + ": a quoted field is never closed");
          }
          const char c = text[pos];
          if (c == '"') {
            if (pos + 1 < n && text[pos + 1] == '"') {
              field.push_back('"');
              pos += 2;
              continue;
            }
            ++pos;
            break;
          }
          if (c == '\n') ++line;
          field.push_back(c);
          ++pos;
        }
        if (pos < n && text[pos] != ',' && text[pos] != '\n' && text[pos] != '\r') {
          return invalid_input(
              "csv", "line " + std::to_string(line) + ": text after the closing quote of a field");
        }
      } else {
        const std::size_t start = pos;
        while (pos < n && text[pos] != ',' && text[pos] != '\n' && text[pos] != '\r') {
          if (text[pos] == '"') {
            return invalid_input("csv", "line " + std::to_string(line) +
                                            ": a quote inside an unquoted field (quote the whole "
                                            "field and double the inner quote)");
          }
          ++pos;
        }
        field.assign(text.data() + start, pos - start);
      }
      if (pos >= n) {
        row_done = true;
      } else if (text[pos] == ',') {
        ++pos;
      } else if (text[pos] == '\n') {
        ++pos;
        ++line;
        row_done = true;
      } else {  // '\r'
        ++pos;
        if (pos < n && text[pos] == '\n') ++pos;
        ++line;
        row_done = true;
      }
    }
    fields.resize(used);
    if (!have_header) {
      expected = used;
      have_header = true;
    } else if (used != expected) {
      return invalid_input("csv", "line " + std::to_string(row_line) + ": " + std::to_string(used) +
                                      " fields, but the header has " + std::to_string(expected));
    }
    if (auto r = on_row(fields, row_line); !r) return r;
  }
  if (!have_header)
    return invalid_input("csv", "line 1: the file is empty; a header row is needed");
  return {};
}

void append_csv_text(std::string& out, std::string_view cell) {
  const bool formula = !cell.empty() && (cell[0] == '=' || cell[0] == '+' || cell[0] == '-' ||
                                         cell[0] == '@' || cell[0] == '\t' || cell[0] == '\r');
  const bool quote = cell.find_first_of(",\"\r\n") != std::string_view::npos;
  if (quote) out.push_back('"');
  if (formula) out.push_back('\'');
  for (const char c : cell) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  if (quote) out.push_back('"');
}

void append_csv_number(std::string& out, double value) {
  if (!std::isfinite(value)) return;
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, r.ptr);
}

}  // namespace balint::core
