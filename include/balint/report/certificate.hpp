#pragma once

#include "balint/attendance/progress.hpp"

#include <string>
#include <string_view>

namespace balint::report {

/// A certificate of completion as one self-contained HTML page, ready to print: the participant
/// (by code: the system stores no names), the programme, the sessions attended.
std::string certificate_html(const attendance::completion& c, std::string_view trial_title,
                             std::string_view issued_on);

}  // namespace balint::report
