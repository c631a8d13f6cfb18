// Randomization: allocating participants from the sealed list, checking and revealing it.

#include "../io.hpp"
#include "commands.hpp"

#include "balint/app/randomization_service.hpp"
#include "balint/core/text.hpp"
#include "balint/report/table.hpp"

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace balint::cli::detail {
namespace {

core::result<int> cmd_randomize(invocation& in) {
  const bool all = in.options.has("all-eligible");
  if (all == in.options.has("participant")) {
    return core::invalid_input("--participant",
                               "give either --participant CODE or --all-eligible (one of them)");
  }
  if (!all) {
    const auto show = [&](const auto& a) {
      in.out << "Participant " << a.participant << " is allocated to " << a.arm
             << (a.stratum == "all" ? "" : " (stratum " + a.stratum + ")") << ".\n";
    };
    return on_database(in, show, app::randomize, in.options.at("participant"));
  }
  const auto show = [&](const auto& batch) {
    std::size_t done = 0;
    std::vector<std::vector<std::string>> skipped;
    for (const auto& b : batch) {
      if (b.allocation) {
        ++done;
        in.out << b.participant << "  " << b.allocation->arm << "\n";
      } else {
        skipped.push_back({b.participant, b.skipped_because});
      }
    }
    in.out << "Randomized " << done << " participant" << (done == 1 ? "" : "s") << ".\n";
    if (!skipped.empty()) {
      in.out << "Skipped " << skipped.size() << ":\n"
             << report::text_table({"participant", "why"}, skipped);
    }
  };
  return on_database(in, show, app::randomize_all_eligible);
}

core::result<int> cmd_randomization_verify(invocation& in) {
  const auto show = [&](const auto& c) {
    if (!c.ok) {
      in.out << "randomization verify FAILED: " << c.problem << "\n";
      return 1;
    }
    in.out << "randomization ok: the list regenerated from the recorded seed matches the "
              "stored list and the commitment\n"
           << "  commitment: " << c.commitment << "\n"
           << "  " << c.allocations
           << " allocations checked against the list and the audit trail\n";
    for (std::size_t k = 0; k < c.extension_commitments.size(); ++k) {
      in.out << "  extension " << (k + 2) << ": regenerated from its own seed; commitment "
             << c.extension_commitments[k] << "\n";
    }
    return 0;
  };
  return on_database(in, show, app::verify_randomization);
}

core::result<int> cmd_randomization_extend(invocation& in) {
  const auto blocks = core::parse_integer(in.options.at("blocks"));
  if (!blocks || *blocks < 1 || *blocks > 1000) {
    return core::invalid_input("--blocks", "--blocks \"" + in.options.at("blocks") +
                                               "\" is not allowed; allowed: a whole number of "
                                               "blocks per stratum from 1 to 1000");
  }
  auto seed = list_seed_from(in.options);
  if (!seed) return std::move(seed).error();
  const auto show = [&](const app::list_extension_view& v) {
    in.out << "Allocation list extended: segment " << v.segment << ", " << v.blocks
           << (v.blocks == 1 ? " block" : " blocks") << " more in each of " << v.strata
           << (v.strata == 1 ? " stratum" : " strata") << " (seed "
           << (seed->from_user ? "given with --seed" : "from the system's random source")
           << ", recorded)\n"
           << "  commitment: " << v.commitment << "\n"
           << "  chained to: " << v.extends << "\n"
           << "  reason: " << v.reason << "\n"
           << "(publish or file the new commitment as you did the first; 'randomization verify' "
              "checks every segment)\n";
  };
  return on_database(in, show, app::extend_allocation_list, static_cast<int>(*blocks),
                     in.options.at("reason"), seed.value());
}

core::result<int> cmd_randomization_list(invocation& in) {
  const auto show = [&](const auto& list) {
    if (print_json_if_asked(in, list)) return;
    const std::string format = in.options.get_or("format", "text");
    std::vector<std::vector<std::string>> rows;
    for (const auto& r : list) {
      rows.push_back({r.participant, r.arm, r.stratum, r.allocated_at, r.allocated_by});
    }
    const std::vector<std::string> header = {"participant", "arm", "stratum", "allocated_at",
                                             "allocated_by"};
    if (format == "csv") {
      in.out << report::csv_table(header, rows);
    } else {
      in.out << report::text_table(header, rows) << rows.size() << " allocations made\n";
    }
  };
  return on_database(in, show, app::list_allocations);
}

core::result<int> cmd_randomization_status(invocation& in) {
  const auto show = [&](const app::randomization_counts& c) {
    if (print_json_if_asked(in, c)) return;
    in.out << "Randomized " << c.randomized << " of " << c.enrolled
           << " enrolled (planned: " << c.planned << ")\n";
    std::vector<std::string> header = {"stratum"};
    for (const auto& a : c.arms) header.push_back(a);
    header.push_back("total");
    std::vector<std::vector<std::string>> rows;
    auto row_of = [&](const std::string& name, const std::map<std::string, std::size_t>& arms) {
      std::vector<std::string> row = {name};
      std::size_t total = 0;
      for (const auto& a : c.arms) {
        const auto it = arms.find(a);
        const std::size_t n = it == arms.end() ? 0 : it->second;
        total += n;
        row.push_back(std::to_string(n));
      }
      row.push_back(std::to_string(total));
      return row;
    };
    for (const auto& [stratum, arms] : c.per_stratum) {
      if (c.per_stratum.size() > 1 || stratum != "all") rows.push_back(row_of(stratum, arms));
    }
    rows.push_back(row_of("all strata", c.per_arm));
    in.out << report::text_table(header, rows);
  };
  return on_database(in, show, app::randomization_status);
}

core::result<int> cmd_randomization_reveal(invocation& in) {
  const std::string reason = in.options.get_or("reason", "");
  if (const auto code = in.options.get("participant")) {
    const auto show = [&](const auto& a) {
      in.out << "Participant " << a.participant << " was allocated to " << a.arm << " on "
             << a.allocated_at << ". This unblinding is recorded in the audit trail.\n";
    };
    return on_database(in, show, app::unblind_participant, *code, reason);
  }
  const auto show = [&](const auto& r) {
    in.out << "seed: " << r.setup.seed << "\nsalt: " << r.setup.salt
           << "\ncommitment: " << r.setup.commitment << "\n";
    for (const auto& e : r.extensions) {
      in.out << "extension " << e.segment << ": " << e.blocks
             << (e.blocks == 1 ? " block" : " blocks") << " per stratum, seed " << e.seed
             << ", salt " << e.salt << ", commitment " << e.commitment << " (" << e.created_at
             << ", " << e.created_by << ": " << e.reason << ")\n";
    }
    std::map<std::pair<std::string, int>, std::string> used;
    for (const auto& a : r.allocations) used[{a.stratum, a.position}] = a.participant_code;
    std::vector<std::vector<std::string>> rows;
    for (const auto& l : r.lists) {
      for (const auto& e : l.entries) {
        const auto it = used.find({l.stratum, e.position});
        rows.push_back({l.stratum, std::to_string(e.position), std::to_string(e.block),
                        std::to_string(e.block_size), e.arm, it == used.end() ? "" : it->second});
      }
    }
    in.out << report::text_table(
        {"stratum", "position", "block", "block_size", "arm", "participant"}, rows);
  };
  return on_database(in, show, app::reveal_list, reason);
}

}  // namespace

std::vector<command> randomization_commands() {
  return {
      {"randomize",
       "--db FILE (--participant CODE | --all-eligible)",
       "Allocates a participant to an arm: the next unused position of their stratum's sealed "
       "list. Needs consent and the complete baseline; an allocation is final. --all-eligible "
       "randomizes everyone eligible in enrolment order and says who was skipped and why.",
       {db_option,
        {"participant", "CODE", "participant code", false, {}},
        {"all-eligible", "", "randomize every eligible participant", false, {}},
        as_option},
       cmd_randomize,
       true},
      {"randomization verify",
       "--db FILE",
       "Regenerates the allocation list from the recorded seed and checks it, the commitment and "
       "every allocation made. Exit code 1 naming the first discrepancy.",
       {db_option},
       cmd_randomization_verify},
      {"randomization extend",
       "--db FILE --blocks N --reason TEXT [--seed N]",
       "When the planned positions run out: appends N permuted blocks to every stratum's list "
       "from a new seed, sealed with its own commitment chained to the list's. Who and why go "
       "into the audit trail; 'randomization verify' checks every segment.",
       {db_option,
        {"blocks", "N", "blocks per stratum to append (1-1000)", true, {}},
        reason_option("why more positions are needed (kept in the audit trail)", true),
        {"seed",
         "N",
         "seed of the new blocks (default: from the system's random source)",
         false,
         {}},
        as_option},
       cmd_randomization_extend,
       true},
      {"randomization list",
       "--db FILE [--format text|csv|json]",
       "Lists the allocations made so far (never the list's future positions).",
       {db_option, format_option({"text", "csv", "json"})},
       cmd_randomization_list},
      {"randomization status",
       "--db FILE [--format text|json]",
       "Counts per arm and per stratum. Never shows block sizes or list positions.",
       {db_option, format_option({"text", "json"})},
       cmd_randomization_status},
      {"randomization reveal",
       "--db FILE --reason TEXT [--participant CODE]",
       "After the trial is locked: shows the whole list with its seed. Before: with "
       "--participant, "
       "emergency unblinding of one randomized participant. Always audited with the reason.",
       {db_option,
        reason_option("why the list or allocation is revealed", true),
        {"participant", "CODE", "unblind only this randomized participant", false, {}},
        as_option},
       cmd_randomization_reveal,
       true},
  };
}

}  // namespace balint::cli::detail
