#include "balint/core/csv.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace balint;

namespace {
std::vector<std::vector<std::string>> read_all(std::string_view text,
                                               std::string* error = nullptr) {
  std::vector<std::vector<std::string>> rows;
  auto r = core::for_each_csv_row(text, [&](const std::vector<std::string>& f, std::size_t) {
    rows.push_back(f);
    return core::result<void>{};
  });
  if (!r && error) *error = r.error().message;
  return rows;
}
}  // namespace

TEST_SUITE("core") {
  TEST_CASE("csv reads quoted fields with commas, quotes and newlines") {
    const auto rows = read_all("a,b,c\r\n1,\"x, \"\"y\"\"\",\"two\nlines\"\n\n3,,\n");
    REQUIRE(rows.size() == 3);
    CHECK(rows[1][1] == "x, \"y\"");
    CHECK(rows[1][2] == "two\nlines");
    CHECK(rows[2] == std::vector<std::string>{"3", "", ""});
  }

  TEST_CASE("csv skips a byte order mark and reports line numbers") {
    std::vector<std::size_t> lines;
    auto r = core::for_each_csv_row("\xEF\xBB\xBFh\n\"a\nb\"\nc\n",
                                    [&](const std::vector<std::string>& f, std::size_t line) {
                                      lines.push_back(line);
                                      CHECK(f.size() == 1);
                                      return core::result<void>{};
                                    });
    CHECK(r.has_value());
    CHECK(lines == std::vector<std::size_t>{1, 2, 4});
  }

  TEST_CASE("csv refuses a row with the wrong number of fields, naming its line") {
    std::string error;
    read_all("a,b\n1,2\n3\n", &error);
    CHECK(error == "line 3: 1 fields, but the header has 2");
  }

  TEST_CASE("csv refuses unclosed quotes and empty files") {
    std::string error;
    read_all("a\n\"open\n", &error);
    CHECK(error.find("never closed") != std::string::npos);
    error.clear();
    read_all("", &error);
    CHECK(error.find("empty") != std::string::npos);
  }

  TEST_CASE("csv writer escapes formula injection and quotes when needed") {
    std::string out;
    core::append_csv_text(out, "=HYPERLINK(\"x\")");
    CHECK(out == "\"'=HYPERLINK(\"\"x\"\")\"");
    for (const char* risky : {"+1", "-1", "@SUM(A1)"}) {
      out.clear();
      core::append_csv_text(out, risky);
      CHECK(out.front() == '\'');
    }
    out.clear();
    core::append_csv_text(out, "plain");
    CHECK(out == "plain");
    out.clear();
    core::append_csv_number(out, -3);
    CHECK(out == "-3");
  }
}
