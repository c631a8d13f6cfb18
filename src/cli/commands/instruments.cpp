// Questionnaires: the built-in ones, a trial's, and checking a definition file before a trial
// uses it (docs/instruments.md).

#include "../io.hpp"
#include "commands.hpp"

#include "balint/app/services.hpp"
#include "balint/core/text.hpp"
#include "balint/report/instrument.hpp"
#include "balint/report/table.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace balint::cli::detail {
namespace {

namespace fs = std::filesystem;

/// --db for the instrument commands: optional, unlike the trial commands' (without it they
/// show the built-in instruments).
const option_spec instrument_db_option{"db", "FILE", db_option.help, false, {}};

const option_spec language_option{
    "language",
    "TAG",
    "labels in this language where the definition has them (default: en)",
    false,
    {}};

/// The argument of show names a file rather than an id: ids have neither '/' nor '.'.
bool names_a_file(const std::string& arg) {
  return arg.find('/') != std::string::npos || arg.find('.') != std::string::npos;
}

core::result<app::instrument_definition> definition_in_file(const std::string& path) {
  auto text = read_file(path, "FILE", max_definition_bytes);
  if (!text) return std::move(text).error();
  auto checked = app::check_instrument_definition(text.value());
  if (!checked) {
    auto e = std::move(checked).error();
    e.message = "in " + path + ", " + e.message;
    return e;
  }
  return checked;
}

/// The instruments `instrument list` and `show ID` look in: the trial's with --db, else the
/// built-in ones.
core::result<std::vector<app::instrument_definition>> instruments_of(const invocation& in) {
  if (!in.options.has("db")) return app::builtin_instruments();
  return with_database(in, [](app::database& db, const app::request& req) {
    return app::trial_instruments(db, req);
  });
}

core::result<int> cmd_instrument_list(invocation& in) {
  auto list = instruments_of(in);
  if (!list) return std::move(list).error();
  const std::string language = in.options.get_or("language", "en");
  if (in.options.get_or("format", "text") == "json") {
    core::json::array out;
    for (const auto& d : list.value()) out.push_back(d.document);
    in.out << core::json(std::move(out)).dump_pretty() << "\n";
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& d : list.value()) {
    rows.push_back({d.instrument.id, d.instrument.name.in(language),
                    report::instrument_summary(d.instrument)});
  }
  in.out << (in.options.has("db") ? "The trial's instruments, as stored when it was set up:\n"
                                  : "Built-in instruments (a trial's config may also define its "
                                    "own, or reference a file: docs/instruments.md):\n")
         << report::text_table({"id", "name", "items and subscales"}, rows);
  return 0;
}

/// The one argument of show and validate.
core::result<std::string> argument(const invocation& in, const std::string& name) {
  if (in.options.positionals.empty()) {
    return core::invalid_input(name, "name the instrument: " + name + " is needed");
  }
  return in.options.positionals.front();
}

core::result<int> cmd_instrument_show(invocation& in) {
  auto arg = argument(in, "ID|FILE");
  if (!arg) return std::move(arg).error();
  const std::string& what = arg.value();
  core::result<app::instrument_definition> found = core::invalid_input("ID", "");
  if (!in.options.has("db") && names_a_file(what)) {
    found = definition_in_file(what);
  } else {
    auto list = instruments_of(in);
    if (!list) return std::move(list).error();
    std::vector<std::string> ids;
    for (auto& d : list.value()) {
      ids.push_back(d.instrument.id);
      if (d.instrument.id == what) found = std::move(d);
    }
    if (!found) {
      return core::not_found(
          "ID", "instrument \"" + what + "\" is not " +
                    (in.options.has("db") ? "one of the trial's" : "built in (or a file)") +
                    "; allowed: " + core::one_of(ids));
    }
  }
  if (!found) return std::move(found).error();
  if (in.options.get_or("format", "text") == "json") {
    in.out << found->document.dump_pretty() << "\n";
  } else {
    in.out << report::instrument_text(found->instrument, in.options.get_or("language", "en"));
  }
  return 0;
}

core::result<int> cmd_instrument_validate(invocation& in) {
  auto arg = argument(in, "FILE");
  if (!arg) return std::move(arg).error();
  const std::string& path = arg.value();
  auto found = definition_in_file(path);
  if (!found) return std::move(found).error();
  in.out << path << ": a valid instrument definition\n  " << found->instrument.id << ": "
         << found->instrument.name.text() << "\n  " << report::instrument_summary(found->instrument)
         << "\n"
         << "A trial's config uses it as {\"file\": \"" << path
         << "\"} (relative to the config) in its \"instruments\" list.\n";
  return 0;
}

}  // namespace

std::vector<command> instrument_commands() {
  return {
      {"instrument list",
       "[--db FILE] [--language TAG] [--format text|json]",
       "Lists the built-in questionnaires, or with --db the trial's, as it stored them when it "
       "was set up (a trial never changes its instruments).",
       {instrument_db_option, language_option, format_option({"text", "json"})},
       cmd_instrument_list,
       false,
       0},
      {"instrument show",
       "ID|FILE [--db FILE] [--language TAG] [--format text|json]",
       "Shows one questionnaire: its scale and labels, reverse-scored items, the missing-answer "
       "rule, each subscale's items, scoring, range, cut-off and severity bands. ID is a "
       "built-in instrument (with --db, one of the trial's); FILE a definition file.",
       {instrument_db_option, language_option, format_option({"text", "json"})},
       cmd_instrument_show,
       false,
       1},
      {"instrument validate",
       "FILE",
       "Checks an instrument definition file against schemas/instrument.schema.json and what "
       "the schema cannot say (item numbers within the instrument, unique ids, ascending "
       "bands). A refusal names the JSON path of the first problem. Exit 0 when valid.",
       {},
       cmd_instrument_validate,
       false,
       1},
  };
}

}  // namespace balint::cli::detail
