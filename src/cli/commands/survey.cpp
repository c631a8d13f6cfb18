// Survey links (issue 14, part 3): issued as a CSV and a printable sheet with QR codes, revoked,
// reissued, and the completion of a time point.

#include "../io.hpp"
#include "commands.hpp"

#include "balint/app/services.hpp"
#include "balint/app/survey_service.hpp"
#include "balint/core/text.hpp"
#include "balint/report/survey_sheet.hpp"
#include "balint/report/table.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <string>
#include <unistd.h>
#include <vector>

namespace balint::cli::detail {
namespace {

constexpr const char* default_base_url = "http://localhost:8080";

core::result<int> parse_expiry(const parsed_options& o) {
  const std::string text = o.get_or("expires-days", "28");
  const auto n = core::parse_integer(text);
  if (!n || *n < 1 || *n > 365) {
    return core::with_value(
        core::invalid_input("expires_days", "a link expires after 1 to 365 days; \"" + text +
                                                "\" is not a whole number in that range"),
        text, "1-365");
  }
  return static_cast<int>(*n);
}

/// --base-url: http:// or https://, a host, no spaces, quotes or angle brackets; at most 200
/// characters. Its trailing slashes are dropped.
core::result<std::string> parse_base_url(const parsed_options& o) {
  std::string url = o.get_or("base-url", default_base_url);
  const bool scheme = url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
  bool clean = url.size() <= 200;
  for (const char c : url) {
    const auto u = static_cast<unsigned char>(c);
    clean = clean && u > 0x20 && u < 0x7f && c != '"' && c != '<' && c != '>' && c != '\'' &&
            c != '?' && c != '#';
  }
  while (!url.empty() && url.back() == '/') url.pop_back();
  const auto host_at = url.find("://");
  if (!scheme || !clean || host_at == std::string::npos || host_at + 3 >= url.size()) {
    return core::with_value(
        core::invalid_input("base_url", "\"" + o.get_or("base-url", "") +
                                            "\" is not a web address the links can start with; "
                                            "allowed: http:// or https:// and a host, such as "
                                            "https://trial.example.org (at most 200 characters, "
                                            "no query)"),
        o.get_or("base-url", ""), "http(s)://host[:port][/path]");
  }
  return url;
}

std::vector<std::string> list_of(const std::optional<std::string>& text) {
  std::vector<std::string> out;
  if (!text) return out;
  for (const auto part : core::split(*text, ',')) {
    const auto t = core::trim(part);
    if (!t.empty()) out.emplace_back(t);
  }
  return out;
}

/// The two files of --out FILE: FILE.csv and FILE.html. Refused (field "out") before anything
/// is issued when their folder does not exist.
struct out_files {
  std::filesystem::path csv;
  std::filesystem::path html;
};

core::result<out_files> out_paths(const parsed_options& o) {
  std::filesystem::path base = o.at("out");
  const std::string ext = base.extension().string();
  if (ext == ".csv" || ext == ".html") base.replace_extension();
  const auto dir = base.parent_path().empty() ? std::filesystem::path(".") : base.parent_path();
  std::error_code ec;
  if (base.filename().empty() || !std::filesystem::is_directory(dir, ec) ||
      ::access(dir.c_str(), W_OK) != 0) {
    return core::with_value(
        core::invalid_input("out", "\"" + o.at("out") +
                                       "\" is not in a folder that exists and can be written; "
                                       "the links go to FILE.csv and FILE.html"),
        o.at("out"));
  }
  return out_files{std::filesystem::path(base.string() + ".csv"),
                   std::filesystem::path(base.string() + ".html")};
}

/// The options both `survey links` and `survey reissue` take for the files they write.
struct link_output {
  int expires_days = 0;
  std::string base_url;
  out_files files;
};

core::result<link_output> link_output_of(const parsed_options& o) {
  auto days = parse_expiry(o);
  if (!days) return std::move(days).error();
  auto base = parse_base_url(o);
  if (!base) return std::move(base).error();
  auto files = out_paths(o);
  if (!files) return std::move(files).error();
  return link_output{days.value(), std::move(base).value(), std::move(files).value()};
}

/// Writes a file only its owner can read (mode 0600: it holds tokens), whole or not at all.
void write_private_file(const std::filesystem::path& path, const std::string& content) {
  const std::string tmp = path.string() + ".tmp";
  ::unlink(tmp.c_str());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot create " + tmp + ": " + std::strerror(errno));
  std::size_t done = 0;
  while (done < content.size()) {
    const auto n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      const std::string why = std::strerror(errno);
      ::close(fd);
      ::unlink(tmp.c_str());
      throw std::runtime_error("cannot write " + tmp + ": " + why);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    throw std::runtime_error("cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    throw std::runtime_error("cannot rename " + tmp + " to " + path.string());
  }
}

void write_links(invocation& in, app::database& db, const link_output& out,
                 const app::survey_issue_result& issued) {
  const auto trial = app::load_trial(db);
  const std::string title = trial ? trial->definition.title : std::string();
  const auto& files = out.files;
  write_private_file(files.csv, report::survey_links_csv(issued, out.base_url));
  write_private_file(files.html, report::survey_links_html(issued, out.base_url, title));
  in.out << "Wrote " << files.csv.string() << " and " << files.html.string()
         << " (mode 0600: they hold the links' tokens; hand each link to its participant only "
            "and delete the files when done).\n";
}

core::result<int> cmd_survey_links(invocation& in) {
  auto out = link_output_of(in.options);
  if (!out) return std::move(out).error();
  app::survey_link_spec spec{in.options.at("timepoint"), list_of(in.options.get("instrument")),
                             list_of(in.options.get("participant")), out->expires_days};
  return with_database(in, [&](app::database& db, const app::request& req) -> core::result<int> {
    auto issued = app::issue_survey_links(db, req, spec);
    if (!issued) return std::move(issued).error();
    in.out << "Issued " << issued->links.size() << " survey links for " << spec.timepoint
           << ", expiring " << issued->links.front().expires_at << ".\n";
    if (issued->already_answered > 0) {
      in.out << issued->already_answered
             << " participants have answered every questionnaire already; no link for them.\n";
    }
    if (issued->already_linked > 0) {
      in.out << issued->already_linked
             << " participants hold an open link already; reissue one with 'balint-trial "
                "survey reissue'.\n";
    }
    write_links(in, db, out.value(), issued.value());
    return 0;
  });
}

core::result<int> cmd_survey_revoke(invocation& in) {
  const auto show = [&](const app::survey_link_view& v) {
    in.out << "Revoked the survey link of " << v.participant << " at " << v.timepoint << ".\n";
  };
  return on_database(in, show, app::revoke_survey_link, in.options.at("participant"),
                     in.options.at("timepoint"), in.options.at("reason"));
}

core::result<int> cmd_survey_reissue(invocation& in) {
  auto out = link_output_of(in.options);
  if (!out) return std::move(out).error();
  return with_database(in, [&](app::database& db, const app::request& req) -> core::result<int> {
    auto link =
        app::reissue_survey_link(db, req, in.options.at("participant"), in.options.at("timepoint"),
                                 in.options.at("reason"), out->expires_days);
    if (!link) return std::move(link).error();
    app::survey_issue_result one{in.options.at("timepoint"), {link.value()}, 0, 0};
    in.out << "Issued a new survey link for " << link->participant << " at "
           << in.options.at("timepoint") << ", expiring " << link->expires_at
           << "; the old one no longer works.\n";
    write_links(in, db, out.value(), one);
    return 0;
  });
}

core::result<int> cmd_survey_status(invocation& in) {
  const auto show = [&](const app::survey_status& s) {
    if (in.options.get_or("format", "text") == "json") {
      in.out << report::to_json(s).dump_pretty() << "\n";
      return;
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& p : s.participants) {
      rows.push_back({p.participant, p.state, core::join(p.instruments, " "), p.expires_at,
                      p.submitted_at.value_or(""), p.answers_saved ? "yes" : ""});
    }
    in.out << report::text_table(
                  {"participant", "state", "instruments", "expires", "submitted", "saved"}, rows)
           << "Links at " << s.timepoint << ": " << s.issued << " issued, " << s.open << " open, "
           << s.expired << " expired, " << s.submitted << " submitted, " << s.revoked
           << " revoked.\n";
  };
  return on_database(in, show, app::survey_link_status, in.options.at("timepoint"));
}

option_spec timepoint_option() { return {"timepoint", "ID", "time point: pre or post", true, {}}; }

option_spec expiry_option() {
  return {"expires-days", "N", "days until the link expires, 1 to 365 (default 28)", false, {}};
}

option_spec base_url_option() {
  return {"base-url",
          "URL",
          "where participants reach the server, e.g. https://trial.example.org (default " +
              std::string(default_base_url) + ")",
          false,
          {}};
}

}  // namespace

std::vector<command> survey_commands() {
  return {
      {"survey links",
       "--db FILE --timepoint pre|post [--instrument ID,...] [--participant C,...] "
       "[--expires-days N] [--base-url URL] --out FILE",
       "Issues each participant a single-use link to answer their questionnaires of the time "
       "point on a phone: everyone enrolled and not withdrawn who has something left to answer "
       "and no open link, or the participants named. Writes FILE.csv (participant,url,expires) "
       "and FILE.html (a printable sheet, one card with a QR code per participant), readable by "
       "you only: they hold the tokens.",
       {db_option,
        timepoint_option(),
        {"instrument",
         "ID,...",
         "the questionnaires (default: every one planned for every arm at the time point)",
         false,
         {}},
        participant_option("participant codes, comma-separated (default: everyone who needs one)",
                           false),
        expiry_option(),
        base_url_option(),
        out_option("FILE", "where the links go: FILE.csv and FILE.html"),
        as_option},
       cmd_survey_links,
       true},
      {"survey revoke",
       "--db FILE --participant C --timepoint pre|post --reason TEXT",
       "Revokes a participant's open survey link: it then answers as if it never existed.",
       {db_option, participant_option(), timepoint_option(),
        reason_option("why the link is revoked", true), as_option},
       cmd_survey_revoke,
       true},
      {"survey reissue",
       "--db FILE --participant C --timepoint pre|post --reason TEXT [--expires-days N] "
       "[--base-url URL] --out FILE",
       "Revokes a participant's open survey link, if any, and issues a new one for what they "
       "have not answered yet (FILE.csv and FILE.html, as survey links writes).",
       {db_option, participant_option(), timepoint_option(),
        reason_option("why a new link is issued", true), expiry_option(), base_url_option(),
        out_option("FILE", "where the link goes: FILE.csv and FILE.html"), as_option},
       cmd_survey_reissue,
       true},
      {"survey status",
       "--db FILE --timepoint pre|post [--format text|json]",
       "Completion of a time point through survey links: how many links are open, expired, "
       "submitted or revoked, and each participant's latest link.",
       {db_option, timepoint_option(), format_option({"text", "json"})},
       cmd_survey_status},
  };
}

}  // namespace balint::cli::detail
