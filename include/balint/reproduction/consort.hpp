#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace balint::reproduction {

/// Counts of the CONSORT 2010 flow diagram and the programme facts of the checklist, as the
/// trial's database records them.
struct consort_flow {
  std::size_t enrolled = 0;
  std::vector<std::string> arms;  ///< intervention arm first
  std::map<std::string, std::size_t> allocated;
  std::map<std::string, std::size_t> received;  ///< attended at least one session
  std::map<std::string, std::size_t> lost;      ///< randomized, no post questionnaire
  std::map<std::string, std::map<std::string, std::size_t>> lost_reasons;
  std::map<std::string, std::size_t> analysed;  ///< with a change score in every outcome
  std::size_t lectures = 0;
  std::size_t sessions_planned = 0;
  std::size_t sessions_held = 0;
  std::size_t leaders = 0;
  int min_present = 0;  ///< smallest roster of a held session
  int max_present = 0;
  int required_sessions = 0;
  std::vector<int> sessions_attended;  ///< per intervention participant
  std::string time_zone;
};

}  // namespace balint::reproduction
