#include "balint/enrolment/participant.hpp"

#include "balint/core/csv.hpp"
#include "balint/core/dates.hpp"
#include "balint/core/text.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <map>
#include <utility>

namespace balint::enrolment {

namespace {

constexpr std::size_t max_code_length = 32;
constexpr std::size_t max_specialty_length = 80;
constexpr int min_balint_answer = 1;
constexpr int max_balint_answer = 5;

constexpr std::array<std::string_view, 8> csv_columns{
    "code",         "age",      "gender", "specialty", "consent", "balint_knowledge",
    "balint_times", "available"};

bool is_alnum(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

std::string quoted(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('"');
  out.append(s);
  out.push_back('"');
  return out;
}

// Specialties may be written in Chinese, so the limit counts characters, not bytes.
std::size_t utf8_length(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

core::result<std::string> parse_code(std::string_view text) {
  const std::string_view code = core::trim(text);
  const bool ok = !code.empty() && code.size() <= max_code_length && is_alnum(code.front()) &&
                  std::all_of(code.begin(), code.end(),
                              [](char c) { return is_alnum(c) || c == '-' || c == '_'; });
  if (!ok) {
    return core::invalid_input(
        "code", "code " + quoted(code) +
                    " is not a participant code; allowed: 1-32 letters, digits, '-' or '_', "
                    "starting with a letter or digit");
  }
  return std::string(code);
}

core::result<int> parse_age(const enrolment_rules& rules, std::string_view text) {
  const std::string_view age = core::trim(text);
  const std::string range = std::to_string(rules.min_age) + "-" + std::to_string(rules.max_age);
  const std::optional<long long> value = core::parse_integer(age);
  if (!value) {
    return core::invalid_input(
        "age", "age " + quoted(age) + " is not a whole number of years; allowed: " + range);
  }
  if (*value < rules.min_age || *value > rules.max_age) {
    return core::invalid_input(
        "age", "age " + std::string(age) + " is outside the trial's eligible range " + range);
  }
  return static_cast<int>(*value);
}

core::result<std::string> parse_gender(const enrolment_rules& rules, std::string_view text) {
  const std::string_view gender = core::trim(text);
  if (std::find(rules.genders.begin(), rules.genders.end(), gender) == rules.genders.end()) {
    return core::invalid_input("gender", "gender " + quoted(gender) + " is not allowed; allowed: " +
                                             core::one_of(rules.genders));
  }
  return std::string(gender);
}

core::result<bool> parse_consent(const enrolment_rules& rules, std::string_view text) {
  const std::string_view consent = core::trim(text);
  if (consent == "yes") return true;
  if (rules.consent_required) {
    return core::invalid_input(
        "consent", "consent is " + quoted(consent) +
                       "; randomization and data capture need the participant's written "
                       "informed consent; allowed: yes");
  }
  if (consent == "no") return false;
  return core::invalid_input("consent", "consent is " + quoted(consent) + "; allowed: yes or no");
}

bool given(const std::optional<std::string>& field) {
  return field.has_value() && !core::trim(*field).empty();
}

core::result<std::optional<int>> parse_balint_answer(std::string_view name,
                                                     const std::optional<std::string>& field) {
  if (!given(field)) return std::optional<int>{};
  const std::string_view text = core::trim(*field);
  const std::optional<long long> value = core::parse_integer(text);
  if (!value || *value < min_balint_answer || *value > max_balint_answer) {
    return core::invalid_input(std::string(name), std::string(name) + " is " + quoted(text) +
                                                      "; allowed: a whole number 1-5, or empty "
                                                      "when not asked");
  }
  return std::optional<int>(static_cast<int>(*value));
}

core::result<std::optional<std::string>> parse_specialty(const std::optional<std::string>& field) {
  if (!given(field)) return std::optional<std::string>{};
  const std::string_view text = core::trim(*field);
  const std::size_t length = utf8_length(text);
  if (length > max_specialty_length) {
    return core::invalid_input("specialty", "specialty is " + std::to_string(length) +
                                                " characters long; allowed: at most 80");
  }
  return std::optional<std::string>(std::string(text));
}

core::result<std::vector<std::string>> parse_available(const enrolment_rules& rules,
                                                       const std::optional<std::string>& field) {
  std::vector<std::string> out;
  if (!given(field)) return out;
  const std::string allowed =
      "allowed: any of " + core::one_of(rules.availability_options) + ", separated by ';'";
  std::vector<bool> chosen(rules.availability_options.size(), false);
  for (const std::string_view piece : core::split(core::trim(*field), ';')) {
    const std::string_view option = core::trim(piece);
    const auto it =
        std::find(rules.availability_options.begin(), rules.availability_options.end(), option);
    if (it == rules.availability_options.end()) {
      return core::invalid_input(
          "available", "available time " + quoted(option) + " is not offered; " + allowed);
    }
    const auto index = static_cast<std::size_t>(it - rules.availability_options.begin());
    if (chosen[index]) {
      return core::invalid_input(
          "available", "available time " + quoted(option) + " is given twice; " + allowed);
    }
    chosen[index] = true;
  }
  // Stored in the trial's order, so equal choices give equal text however they were typed.
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    if (chosen[i]) out.push_back(rules.availability_options[i]);
  }
  return out;
}

std::optional<std::string> cell(const std::vector<std::string>& fields, std::size_t column) {
  if (fields[column].empty()) return std::nullopt;
  return fields[column];
}

}  // namespace

core::result<participant> parse_participant(const enrolment_rules& rules,
                                            const participant_fields& f) {
  participant p;
  auto code = parse_code(f.code);
  if (!code) return std::move(code).error();
  p.code = std::move(code).value();
  auto age = parse_age(rules, f.age);
  if (!age) return std::move(age).error();
  p.age = *age;
  auto gender = parse_gender(rules, f.gender);
  if (!gender) return std::move(gender).error();
  p.gender = std::move(gender).value();
  auto specialty = parse_specialty(f.specialty);
  if (!specialty) return std::move(specialty).error();
  p.specialty = std::move(specialty).value();
  auto consent = parse_consent(rules, f.consent);
  if (!consent) return std::move(consent).error();
  p.consent = *consent;
  auto knowledge = parse_balint_answer("balint_knowledge", f.balint_knowledge);
  if (!knowledge) return std::move(knowledge).error();
  p.balint_knowledge = *knowledge;
  auto times = parse_balint_answer("balint_times", f.balint_times);
  if (!times) return std::move(times).error();
  p.balint_times = *times;
  auto available = parse_available(rules, f.available);
  if (!available) return std::move(available).error();
  p.available = std::move(available).value();
  if (f.consent_date && !core::trim(*f.consent_date).empty()) {
    // The form and a real date here; whether it is after today is the facade's to say.
    const auto given = core::trim(*f.consent_date);
    if (!core::day_number(given)) {
      return core::invalid_input("consent_date",
                                 "consent_date " + core::shown_value(given) +
                                     " is not a date; allowed: a date as YYYY-MM-DD, from " +
                                     std::string(core::earliest_date));
    }
    p.consent_date = std::string(given);
  }
  return p;
}

core::result<std::vector<participant>> parse_participant_csv(const enrolment_rules& rules,
                                                             std::string_view csv_text) {
  std::vector<participant> out;
  std::map<std::string, std::size_t, std::less<>> first_line_of_code;
  bool header_seen = false;
  bool with_consent_date = false;
  auto on_row = [&](const std::vector<std::string>& fields,
                    std::size_t line) -> core::result<void> {
    const std::string at = "line " + std::to_string(line) + ": ";
    if (!header_seen) {
      header_seen = true;
      // The columns of version 1, optionally followed by consent_date (issue 14).
      with_consent_date =
          fields.size() == csv_columns.size() + 1 && core::trim(fields.back()) == "consent_date";
      bool ok = fields.size() == csv_columns.size() || with_consent_date;
      for (std::size_t i = 0; ok && i < csv_columns.size(); ++i) {
        ok = core::trim(fields[i]) == csv_columns[i];
      }
      if (!ok) {
        std::string expected;
        for (const std::string_view c : csv_columns) {
          if (!expected.empty()) expected.push_back(',');
          expected.append(c);
        }
        return core::invalid_input("header", at + "the header is " +
                                                 quoted(core::join(fields, ",")) +
                                                 "; allowed: exactly " + expected +
                                                 ", optionally followed by ,consent_date");
      }
      return {};
    }
    participant_fields f;
    f.code = fields[0];
    f.age = fields[1];
    f.gender = fields[2];
    f.specialty = cell(fields, 3);
    f.consent = fields[4];
    f.balint_knowledge = cell(fields, 5);
    f.balint_times = cell(fields, 6);
    f.available = cell(fields, 7);
    if (with_consent_date) f.consent_date = cell(fields, 8);
    auto p = parse_participant(rules, f);
    if (!p) {
      core::error e = std::move(p).error();
      e.message = at + e.message;
      return e;
    }
    const auto [it, inserted] = first_line_of_code.emplace(p->code, line);
    if (!inserted) {
      return core::conflict(
          "code", at + "code " + p->code + " appears twice in the file (first on line " +
                      std::to_string(it->second) + "); each participant code must be unique");
    }
    out.push_back(std::move(p).value());
    return {};
  };
  if (auto r = core::for_each_csv_row(csv_text, on_row); !r) return std::move(r).error();
  return out;
}

std::string format_available(const std::vector<std::string>& available) {
  return core::join(available, ";");
}

}  // namespace balint::enrolment
