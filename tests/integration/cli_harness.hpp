#pragma once

// Black-box harness for the balint-trial executable (taskwarrior's style): every test gets a
// fresh temporary folder, runs the real binary with an argument vector (no shell, so no quoting
// problems), and looks only at stdout, stderr, the exit code and the files left behind.

#include <filesystem>
#include <string>
#include <vector>

namespace balint::test {

/// What one run of a program left behind.
struct run_result {
  int exit_code = -1;  ///< the exit status; 128 + N when killed by signal N
  std::string out;     ///< everything written to stdout
  std::string err;     ///< everything written to stderr
};

/// A fresh folder under /tmp (mkdtemp), removed with everything in it at the end of its scope.
class temp_dir {
 public:
  temp_dir();
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  /// `name` inside the folder, as a string ready to pass as an argument.
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

/// Runs `program` (a path, or a name looked up on PATH) with `args`, feeding `stdin_text` to its
/// standard input, and waits for it (killing it after `timeout_seconds`).
run_result run_program(const std::string& program, const std::vector<std::string>& args,
                       const std::string& stdin_text = "", int timeout_seconds = 120);

/// Runs the balint-trial executable under test.
run_result run_cli(const std::vector<std::string>& args, const std::string& stdin_text = "");

/// Runs SQL on a database file with the sqlite3 command-line shell (as an intruder would).
run_result run_sqlite(const std::string& db_path, const std::string& sql);
/// `sql` run on a trial's database, whichever it is: sqlite3 on a file, psql on a
/// postgresql:// URL. Both print one line per row, columns separated by '|'.
run_result run_sql(const std::string& db, const std::string& sql);

/// The path of a file of the source tree: source_path("tests/data/demo/participants.csv").
std::string source_path(const std::string& relative);

void write_file(const std::string& path, const std::string& content);
/// The whole file; throws std::runtime_error when it cannot be read.
std::string read_file(const std::string& path);
bool file_exists(const std::string& path);

/// A fingerprint of a database: SHA-256 of the main file's bytes, then the logical dump of the
/// sqlite3 shell (`.dump`). Equal fingerprints before and after a command = nothing changed.
std::string db_fingerprint(const std::string& db_path);

/// Every row of a CSV text (the header first), read with balint::core::for_each_csv_row;
/// throws std::runtime_error when the text is not valid CSV.
std::vector<std::vector<std::string>> parse_csv(const std::string& text);

/// Index of `name` in a header row; throws std::runtime_error when absent.
std::size_t column(const std::vector<std::string>& header, const std::string& name);

}  // namespace balint::test
