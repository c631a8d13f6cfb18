#pragma once

#include "balint/enrolment/participant.hpp"
#include "balint/outcomes/assessment.hpp"
#include "balint/trial/trial_definition.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace balint::app {
struct export_data;
}

namespace balint::report {

/// One participant as the export sees them. `arm` is empty until randomized.
struct export_participant {
  enrolment::participant participant;
  std::string arm;
  std::optional<int> sessions_attended;
  std::optional<std::string> withdrawn_at;
};

/// The wide CSV header for a trial: id,arm,age,gender, then <outcome>_<timepoint> for every
/// outcome and time point, then sessions_attended. For the Tongji trial this is exactly
/// id,arm,age,gender,ee_pre,ee_post,dp_pre,dp_post,pa_pre,pa_post,msq_pre,msq_post,sessions_attended
std::string wide_csv_header(const trial::trial_definition& trial);

/// wide.csv: one row per enrolled participant, outcome cells are subscale scores (empty when
/// missing under the instrument's missing-item policy).
std::string wide_csv(const trial::trial_definition& trial, const outcomes::instrument_set& set,
                     const std::vector<export_participant>& participants,
                     const std::vector<outcomes::assessment>& assessments);

/// wide.csv of a trial's export data (app::read_export_data): what `export` writes, the API's
/// export.csv and what `analyze --csv` reads back.
std::string wide_csv(const app::export_data& data);

/// items.csv: participant,timepoint,instrument,item,value,assessment_date (one row per item
/// answer; the long format that `outcome import` reads back).
std::string items_csv(const std::vector<outcomes::assessment>& assessments);

/// participants.csv: id,arm,consent_date,randomized_on,status,withdrawal_date,
/// withdrawal_category, one row per enrolled participant.
std::string participants_csv(const app::export_data& data);

/// assessments.csv: participant,timepoint,instrument,assessment_date,window (inside, outside or
/// unknown), one row per questionnaire.
std::string assessments_csv(const app::export_data& data);

/// codebook.csv: variable,label,type,allowed values,missing code for every column of wide.csv,
/// items.csv, assessments.csv and participants.csv.
std::string codebook_csv(const trial::trial_definition& trial, const outcomes::instrument_set& set);

/// One file of the export: its name and, in a few words, what it holds.
struct export_file {
  std::string_view name;
  std::string_view holds;
};

/// The files of an export, in the order `export` writes them and the analyst's page lists
/// them: wide.csv, items.csv, participants.csv, assessments.csv, codebook.csv.
const std::vector<export_file>& export_files();

/// The content of the export file `name` (one of export_files()); nullopt for another name.
std::optional<std::string> export_file_content(const app::export_data& data, std::string_view name);

}  // namespace balint::report
