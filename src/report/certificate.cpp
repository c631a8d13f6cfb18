#include "balint/report/certificate.hpp"

#include "balint/core/text.hpp"
#include "balint/report/table.hpp"

namespace balint::report {

std::string certificate_html(const attendance::completion& c, std::string_view trial_title,
                             std::string_view issued_on) {
  return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
         "<title>Certificate of completion</title>\n<style>body{font-family:serif;max-width:40em;"
         "margin:4em auto;text-align:center}h1{font-size:2em}.small{font-size:.9em;color:#333}"
         "</style></head><body>\n<h1>Certificate of completion</h1>\n<p>This certifies that the "
         "participant with code</p>\n<p><strong>" +
         html_escape(c.participant) +
         "</strong></p>\n<p>completed the Balint group programme of</p>\n<p><em>" +
         html_escape(trial_title) + "</em></p>\n<p>attending " + std::to_string(c.attended) +
         " Balint group sessions (" + std::to_string(c.required) +
         " required).</p>\n<p class=\"small\">Sessions attended: " +
         html_escape(core::join(c.dates, ", ")) + "</p>\n<p class=\"small\">Issued " +
         html_escape(issued_on) + " by balint-trial.</p>\n</body></html>\n";
}

}  // namespace balint::report
