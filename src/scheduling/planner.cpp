#include "balint/scheduling/planner.hpp"

#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <boost/graph/push_relabel_max_flow.hpp>
#include <boost/property_map/property_map.hpp>

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace balint::scheduling {

namespace {

using csr_graph = boost::compressed_sparse_row_graph<boost::directedS>;
using csr_edge = boost::graph_traits<csr_graph>::edge_descriptor;

/// One arc of the flow network before it is laid out as a graph.
struct arc {
  std::size_t from = 0;
  std::size_t to = 0;
  long capacity = 0;
};

/// The request with availability made usable: fixed slots merged into availability, indices
/// sorted and unique, and per-slot counts.
struct shape {
  int participants = 0;
  int slots = 0;
  std::vector<std::vector<int>> available;  // includes fixed slots
  std::vector<std::vector<int>> fixed;
  std::vector<int> available_count;  // per slot: participants available for it
  std::vector<int> fixed_count;      // per slot: participants who must keep it
};

std::string slot_name(const plan_request& r, int j) {
  return "session slot " + std::to_string(r.slot_numbers[static_cast<std::size_t>(j)]);
}

std::string places_text(const plan_request& r) {
  const long long total = static_cast<long long>(r.participants.size()) * r.required;
  return std::to_string(r.participants.size()) + " participants × " + std::to_string(r.required) +
         " sessions = " + std::to_string(total) + " places";
}

std::string range_text(const plan_request& r) {
  return std::to_string(r.capacity_min) + "–" + std::to_string(r.capacity_max);
}

/// Checks the request's own consistency and builds its shape; problems go to `problems`.
shape make_shape(const plan_request& r, std::vector<std::string>& problems) {
  shape s;
  s.participants = static_cast<int>(r.participants.size());
  s.slots = static_cast<int>(r.slot_numbers.size());
  if (r.required < 1) {
    problems.push_back("each participant must attend at least 1 session; the plan asks for " +
                       std::to_string(r.required));
  }
  if (r.capacity_min < 0 || r.capacity_max < 1 || r.capacity_min > r.capacity_max) {
    problems.push_back("a session needs between " + range_text(r) +
                       " participants, which is not a valid range (minimum 0 or more, maximum "
                       "1 or more and not below the minimum)");
  }
  if (r.available.size() != r.participants.size()) {
    problems.push_back("availability is given for " + std::to_string(r.available.size()) +
                       " participants, but there are " + std::to_string(r.participants.size()));
  }
  if (r.fixed.size() > r.participants.size()) {
    problems.push_back("attended sessions are given for " + std::to_string(r.fixed.size()) +
                       " participants, but there are " + std::to_string(r.participants.size()));
  }
  if (!problems.empty()) return s;

  const auto n = static_cast<std::size_t>(s.participants);
  s.available.resize(n);
  s.fixed.resize(n);
  s.available_count.assign(static_cast<std::size_t>(s.slots), 0);
  s.fixed_count.assign(static_cast<std::size_t>(s.slots), 0);
  const auto in_range = [&](std::size_t i, int j, const char* what) {
    if (j >= 0 && j < s.slots) return true;
    problems.push_back("participant " + r.participants[i] + " is listed as " + what +
                       " slot index " + std::to_string(j) + ", but there are only " +
                       std::to_string(s.slots) + " session slots (indices 0 to " +
                       std::to_string(s.slots - 1) + ")");
    return false;
  };
  for (std::size_t i = 0; i < n; ++i) {
    auto& a = s.available[i];
    auto& f = s.fixed[i];
    for (int j : r.available[i]) {
      if (in_range(i, j, "available for")) a.push_back(j);
    }
    if (i < r.fixed.size()) {
      for (int j : r.fixed[i]) {
        if (in_range(i, j, "having attended")) f.push_back(j);
      }
    }
    std::sort(f.begin(), f.end());
    f.erase(std::unique(f.begin(), f.end()), f.end());
    a.insert(a.end(), f.begin(), f.end());
    std::sort(a.begin(), a.end());
    a.erase(std::unique(a.begin(), a.end()), a.end());
    if (static_cast<int>(f.size()) > r.required) {
      problems.push_back("participant " + r.participants[i] + " has already attended " +
                         std::to_string(f.size()) + " session slots, more than the " +
                         std::to_string(r.required) + " required");
    }
    for (int j : a) ++s.available_count[static_cast<std::size_t>(j)];
    for (int j : f) ++s.fixed_count[static_cast<std::size_t>(j)];
  }
  return s;
}

/// One solve of the bounded flow problem.
struct solution {
  bool feasible = false;
  std::vector<std::vector<int>> assignment;  // per participant, ascending
  std::vector<int> unplaced;                 // participants who could not get all places
};

/// Flow with lower bounds: source → participant exactly `required`; participant → slot [0, 1]
/// where available, [1, 1] where fixed; slot → sink [lo, hi] when held, nothing otherwise.
/// Standard reduction: each edge (u, v) with bounds [l, c] becomes capacity c − l, v gains l of
/// supply and u as much demand; a sink → source edge closes the circulation; a super source
/// feeds every supply and every demand drains to a super sink. A plan exists exactly when the
/// maximum flow saturates the super source.
///
/// The graph is a compressed_sparse_row_graph with the flow maps in plain vectors: an
/// adjacency_list allocates every edge's properties separately, which made large plans slow.
solution solve(const plan_request& r, const shape& s, const std::vector<bool>& held,
               const std::vector<int>& lo, const std::vector<int>& hi) {
  const int n = s.participants;
  const int m = s.slots;
  const int source = 0;
  const int sink = 1;
  const int first_participant = 2;
  const int first_slot = first_participant + n;
  const int super_source = first_slot + m;
  const int super_sink = super_source + 1;
  const auto vertex_count = static_cast<std::size_t>(super_sink + 1);

  // Arcs in pairs: 2k is an edge, 2k + 1 its reverse (capacity 0).
  std::vector<arc> arcs;
  const auto add = [&](int u, int v, long cap) {
    arcs.push_back({static_cast<std::size_t>(u), static_cast<std::size_t>(v), cap});
    arcs.push_back({static_cast<std::size_t>(v), static_cast<std::size_t>(u), 0});
    return arcs.size() - 2;
  };

  std::vector<long> excess(vertex_count, 0);
  const long total = static_cast<long>(n) * r.required;
  excess[static_cast<std::size_t>(source)] -= total;
  std::vector<std::vector<std::pair<int, std::size_t>>> choice(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    const auto ui = static_cast<std::size_t>(i);
    const int p = first_participant + i;
    excess[static_cast<std::size_t>(p)] += r.required;
    const auto& fixed = s.fixed[ui];
    for (int j : s.available[ui]) {
      const int q = first_slot + j;
      if (std::binary_search(fixed.begin(), fixed.end(), j)) {
        excess[static_cast<std::size_t>(q)] += 1;
        excess[static_cast<std::size_t>(p)] -= 1;
      } else if (held[static_cast<std::size_t>(j)]) {
        choice[ui].emplace_back(j, add(p, q, 1));
      }
    }
  }
  for (int j = 0; j < m; ++j) {
    const auto uj = static_cast<std::size_t>(j);
    if (!held[uj]) continue;
    const int q = first_slot + j;
    add(q, sink, hi[uj] - lo[uj]);
    excess[static_cast<std::size_t>(sink)] += lo[uj];
    excess[static_cast<std::size_t>(q)] -= lo[uj];
  }
  add(sink, source, total + 1);
  long demand = 0;
  std::vector<std::optional<std::size_t>> feed(static_cast<std::size_t>(n));
  for (int v = 0; v < super_source; ++v) {
    const long x = excess[static_cast<std::size_t>(v)];
    if (x > 0) {
      const std::size_t e = add(super_source, v, x);
      demand += x;
      if (v >= first_participant && v < first_slot) {
        feed[static_cast<std::size_t>(v - first_participant)] = e;
      }
    } else if (x < 0) {
      add(v, super_sink, -x);
    }
  }

  // Counting sort by tail (stable, so deterministic): the CSR graph keeps this order and
  // numbers its edges by position.
  std::vector<std::size_t> start(vertex_count + 1, 0);
  for (const auto& a : arcs) ++start[a.from + 1];
  for (std::size_t v = 0; v < vertex_count; ++v) start[v + 1] += start[v];
  std::vector<std::size_t> position(arcs.size());
  std::vector<std::pair<std::size_t, std::size_t>> sorted(arcs.size());
  {
    std::vector<std::size_t> next(start.begin(), start.end() - 1);
    for (std::size_t k = 0; k < arcs.size(); ++k) {
      const std::size_t at = next[arcs[k].from]++;
      position[k] = at;
      sorted[at] = {arcs[k].from, arcs[k].to};
    }
  }
  const csr_graph g(boost::edges_are_sorted, sorted.begin(), sorted.end(), vertex_count);
  const auto index = boost::get(boost::edge_index, g);
  std::vector<long> capacity(arcs.size());
  std::vector<long> residual(arcs.size());
  std::vector<csr_edge> reverse(arcs.size());
  for (std::size_t k = 0; k < arcs.size(); ++k) {
    capacity[position[k]] = arcs[k].capacity;
    const std::size_t back = position[k ^ 1U];
    reverse[position[k]] = csr_edge(sorted[back].first, back);
  }

  const long flow = boost::push_relabel_max_flow(
      g, static_cast<std::size_t>(super_source), static_cast<std::size_t>(super_sink),
      boost::make_iterator_property_map(capacity.begin(), index),
      boost::make_iterator_property_map(residual.begin(), index),
      boost::make_iterator_property_map(reverse.begin(), index),
      boost::get(boost::vertex_index, g));
  const auto left = [&](std::size_t arc_id) { return residual[position[arc_id]]; };
  solution out;
  out.feasible = flow == demand;
  for (int i = 0; i < n; ++i) {
    const auto ui = static_cast<std::size_t>(i);
    if (feed[ui] && left(*feed[ui]) > 0) out.unplaced.push_back(i);
  }
  if (!out.feasible) return out;
  out.assignment.resize(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    const auto ui = static_cast<std::size_t>(i);
    auto& a = out.assignment[ui];
    a = s.fixed[ui];
    for (const auto& [j, e] : choice[ui]) {
      if (left(e) == 0) a.push_back(j);
    }
    std::sort(a.begin(), a.end());
  }
  return out;
}

/// Moves single participants from a fuller to an emptier held slot they are available for,
/// while that narrows the gap by at least two. Each move lowers the sum of squared slot sizes,
/// and the number of passes is bounded, so this ends.
void rebalance(const shape& s, const std::vector<bool>& held,
               std::vector<std::vector<int>>& assignment) {
  std::vector<int> count(static_cast<std::size_t>(s.slots), 0);
  for (const auto& a : assignment) {
    for (int j : a) ++count[static_cast<std::size_t>(j)];
  }
  std::vector<int> mark(static_cast<std::size_t>(s.slots), -1);
  constexpr int max_passes = 32;
  for (int pass = 0; pass < max_passes; ++pass) {
    bool moved = false;
    for (int i = 0; i < s.participants; ++i) {
      const auto ui = static_cast<std::size_t>(i);
      auto& a = assignment[ui];
      for (int j : a) mark[static_cast<std::size_t>(j)] = i;
      const auto& fixed = s.fixed[ui];
      for (auto& from : a) {
        if (std::binary_search(fixed.begin(), fixed.end(), from)) continue;
        int best = -1;
        for (int j : s.available[ui]) {
          const auto uj = static_cast<std::size_t>(j);
          if (!held[uj] || mark[uj] == i) continue;
          if (best < 0 || count[uj] < count[static_cast<std::size_t>(best)]) best = j;
        }
        if (best < 0) continue;
        const auto uf = static_cast<std::size_t>(from);
        const auto ub = static_cast<std::size_t>(best);
        if (count[uf] - count[ub] < 2) continue;
        --count[uf];
        ++count[ub];
        mark[uf] = -1;
        mark[ub] = i;
        from = best;
        moved = true;
      }
      std::sort(a.begin(), a.end());
    }
    if (!moved) break;
  }
}

long ceil_div(long a, long b) { return b <= 0 ? 0 : (a + b - 1) / b; }

/// "1 participant", "3 participants".
std::string count_of(long long n, const std::string& singular, const std::string& plural) {
  return std::to_string(n) + " " + (n == 1 ? singular : plural);
}

/// "participant T07 is available for only 6 session slots; 10 are required".
std::string too_few_text(const plan_request& r, std::size_t i, std::size_t have) {
  return "participant " + r.participants[i] + " is available for only " +
         count_of(static_cast<long long>(have), "session slot", "session slots") + "; " +
         std::to_string(r.required) + " are required";
}

/// "session slot 4" or "session slots 1–5, 7 and 9" (runs of consecutive numbers joined).
std::string slots_text(const plan_request& r, const std::vector<int>& slots) {
  if (slots.size() == 1) return slot_name(r, slots.front());
  std::vector<std::string> parts;
  for (std::size_t k = 0; k < slots.size();) {
    const int first = r.slot_numbers[static_cast<std::size_t>(slots[k])];
    int last = first;
    std::size_t next = k + 1;
    while (next < slots.size() &&
           r.slot_numbers[static_cast<std::size_t>(slots[next])] == last + 1) {
      ++last;
      ++next;
    }
    parts.push_back(last == first       ? std::to_string(first)
                    : last == first + 1 ? std::to_string(first) + ", " + std::to_string(last)
                                        : std::to_string(first) + "–" + std::to_string(last));
    k = next;
  }
  std::string text = "session slots ";
  for (std::size_t k = 0; k < parts.size(); ++k) {
    if (k > 0) text += k + 1 == parts.size() ? " and " : ", ";
    text += parts[k];
  }
  return text;
}

/// Plans one connected component of the availability graph (or any request: the method does
/// not depend on connectivity) with the method and rule described in the header.
plan_result plan_connected(const plan_request& r) {
  plan_result out;
  const shape s = make_shape(r, out.problems);
  if (!out.problems.empty()) {
    out.held.assign(r.slot_numbers.size(), false);
    return out;
  }
  const int n = s.participants;
  const int m = s.slots;
  const auto um = static_cast<std::size_t>(m);
  const long total = static_cast<long>(n) * r.required;
  out.held.assign(um, true);

  for (int i = 0; i < n; ++i) {
    const auto have = s.available[static_cast<std::size_t>(i)].size();
    if (static_cast<long>(have) < r.required) {
      out.problems.push_back(too_few_text(r, static_cast<std::size_t>(i), have));
    }
  }
  // Slots below the minimum, grouped by how many participants are available for them.
  const auto slot_problems = [&] {
    std::vector<std::pair<int, std::vector<int>>> groups;
    for (int j = 0; j < m; ++j) {
      const int c = s.available_count[static_cast<std::size_t>(j)];
      if (c >= r.capacity_min) continue;
      const auto g = std::find_if(groups.begin(), groups.end(),
                                  [&](const auto& entry) { return entry.first == c; });
      if (g == groups.end()) {
        groups.push_back({c, {j}});
      } else {
        g->second.push_back(j);
      }
    }
    for (const auto& [c, slots] : groups) {
      out.problems.push_back(slots_text(r, slots) + " can" + (slots.size() > 1 ? " each" : "") +
                             " have at most " +
                             count_of(c, "available participant", "available participants") +
                             ", fewer than the minimum of " + std::to_string(r.capacity_min));
    }
  };
  // An infeasible result carries no plan: no assignment, no held slot, no notes.
  const auto infeasible = [&] {
    out.assignment.clear();
    out.held.assign(um, false);
    out.notes.clear();
    return out;
  };
  const auto count_problems = [&](long held_slots) {
    if (total > held_slots * r.capacity_max) {
      out.problems.push_back(places_text(r) + ", but " + std::to_string(held_slots) +
                             " session slots hold at most " +
                             std::to_string(held_slots * r.capacity_max) + " (" +
                             std::to_string(r.capacity_max) + " each)");
    } else if (total > 0 && total < r.capacity_min) {
      out.problems.push_back(places_text(r) + ", fewer than the minimum of " +
                             std::to_string(r.capacity_min) + " for a single session");
    }
  };
  const auto names = [&](const std::vector<int>& who) {
    std::string text;
    for (std::size_t k = 0; k < who.size(); ++k) {
      if (k > 0) text += ", ";
      if (k == 10) {
        text += "and " + std::to_string(who.size() - 10) + " more";
        break;
      }
      text += r.participants[static_cast<std::size_t>(who[k])];
    }
    return text;
  };
  if (!out.problems.empty()) {
    slot_problems();
    count_problems(m);
    return infeasible();
  }

  std::vector<int> lo(um, r.capacity_min);
  std::vector<int> hi(um, r.capacity_max);
  // Balancing: the narrowest band [floor(a) - k, ceil(a) + k] around the average fill a of the
  // held slots (clamped to [min, max]) that still has a plan, for k = first_k, first_k + 1, ...
  // `sol` must already hold a plan within [min, max] for the final, widest band.
  solution sol;
  const auto band = [&](long held_slots, long k) {
    const long low_avg = total / held_slots;
    const long high_avg = ceil_div(total, held_slots);
    return std::pair<int, int>{static_cast<int>(std::max<long>(r.capacity_min, low_avg - k)),
                               static_cast<int>(std::min<long>(r.capacity_max, high_avg + k))};
  };
  const auto balance = [&](long first_k) {
    long held_slots = 0;
    for (bool h : out.held) held_slots += h ? 1 : 0;
    if (held_slots == 0) return;
    for (long k = first_k;; ++k) {
      const auto [band_lo, band_hi] = band(held_slots, k);
      if (band_lo == r.capacity_min && band_hi == r.capacity_max) return;  // sol is this one
      std::vector<int> band_lows(um, band_lo);
      std::vector<int> band_highs(um, band_hi);
      solution banded = solve(r, s, out.held, band_lows, band_highs);
      if (banded.feasible) {
        sol = std::move(banded);
        return;
      }
    }
  };

  // With every slot held, try the balanced band first: a plan within it is a plan within
  // [min, max], so every slot is held (rule step 1) and the widest solve is not needed.
  bool balanced = false;
  if (m > 0 && total <= static_cast<long>(m) * r.capacity_max &&
      total >= static_cast<long>(m) * r.capacity_min) {
    const auto [band_lo, band_hi] = band(m, 0);
    if (band_lo != r.capacity_min || band_hi != r.capacity_max) {
      std::vector<int> band_lows(um, band_lo);
      std::vector<int> band_highs(um, band_hi);
      sol = solve(r, s, out.held, band_lows, band_highs);
      balanced = sol.feasible;
    }
  }
  if (!balanced) sol = solve(r, s, out.held, lo, hi);
  const bool all_held_first = sol.feasible;
  if (!sol.feasible) {
    // Without the minimums only places are scarce; leaving slots unheld cannot help then.
    const std::vector<int> zero(um, 0);
    const solution relaxed = solve(r, s, out.held, zero, hi);
    if (!relaxed.feasible) {
      slot_problems();
      count_problems(m);
      if (out.problems.empty()) {
        out.problems.push_back(
            "no plan gives participants " + names(relaxed.unplaced) + " " +
            std::to_string(r.required) +
            " sessions each: the slots they are available for are full at the maximum of " +
            std::to_string(r.capacity_max));
      }
      return infeasible();
    }

    const long floor_held = ceil_div(total, r.capacity_max);
    long held_count = m;
    bool stuck = false;
    // a. Slots that cannot reach the minimum from available participants at all.
    for (int j = 0; j < m; ++j) {
      const auto uj = static_cast<std::size_t>(j);
      const int c = s.available_count[uj];
      if (c >= r.capacity_min || s.fixed_count[uj] > 0) continue;
      out.held[uj] = false;
      --held_count;
      out.notes.push_back(slot_name(r, j) + " is left unheld: only " +
                          count_of(c, "participant is", "participants are") +
                          " available for it, fewer than the minimum of " +
                          std::to_string(r.capacity_min));
    }
    if (held_count < floor_held) stuck = true;
    // Counting alone shows a plan is impossible while the held slots need more places than
    // there are, so the solver is skipped until then; the outcome is the same.
    const auto fits = [&] { return held_count * r.capacity_min <= total; };
    sol = solution{};
    if (!stuck && fits()) sol = solve(r, s, out.held, lo, hi);
    // b. While infeasible: the slot with the fewest available participants, the latest on a tie.
    while (!stuck && !sol.feasible) {
      int pick = -1;
      for (int j = 0; j < m; ++j) {
        const auto uj = static_cast<std::size_t>(j);
        if (!out.held[uj] || s.fixed_count[uj] > 0) continue;
        if (pick < 0 ||
            s.available_count[uj] <= s.available_count[static_cast<std::size_t>(pick)]) {
          pick = j;
        }
      }
      if (pick < 0 || held_count - 1 < floor_held) {
        stuck = true;
        break;
      }
      const bool by_count = !fits();
      out.held[static_cast<std::size_t>(pick)] = false;
      --held_count;
      const std::string why =
          by_count ? places_text(r) + " cannot fill every remaining slot to the minimum of " +
                         std::to_string(r.capacity_min)
                   : "no plan fills every remaining slot to the minimum of " +
                         std::to_string(r.capacity_min) + " from participants' availability";
      out.notes.push_back(slot_name(r, pick) + " is left unheld: " + why +
                          ", and of the remaining slots it has the fewest available "
                          "participants (" +
                          std::to_string(s.available_count[static_cast<std::size_t>(pick)]) + ")");
      if (fits()) sol = solve(r, s, out.held, lo, hi);
    }
    if (stuck) {
      slot_problems();
      const std::size_t before = out.problems.size();
      count_problems(m);
      if (out.problems.size() == before) {
        out.problems.push_back(places_text(r) + " need at least " +
                               count_of(floor_held, "held session", "held sessions") +
                               " of at most " + std::to_string(r.capacity_max) +
                               ", but no plan with that many held sessions fills " +
                               "each to the minimum of " + std::to_string(r.capacity_min) +
                               " from participants' availability");
      }
      return infeasible();
    }
  }

  // With every slot held, band k = 0 was tried above already.
  if (!balanced) balance(all_held_first && m > 0 ? 1 : 0);
  rebalance(s, out.held, sol.assignment);
  out.feasible = true;
  out.assignment = std::move(sol.assignment);
  return out;
}

/// One connected component of the bipartite availability graph: participants and slots, each
/// in ascending index order.
struct component {
  std::vector<int> participants;
  std::vector<int> slots;
};

/// The connected components of participants ↔ the slots they are available for (fixed slots
/// included). A slot nobody is available for is a component of its own, and so is a participant
/// available for no slot. Ordered by smallest member: components with participants by their
/// smallest participant index, then slot-only components by slot index.
std::vector<component> components(const shape& s) {
  const auto n = static_cast<std::size_t>(s.participants);
  const auto m = static_cast<std::size_t>(s.slots);
  // Union-find over participants 0..n-1 and slots n..n+m-1; the root is the smallest member.
  std::vector<std::size_t> parent(n + m);
  for (std::size_t v = 0; v < parent.size(); ++v) parent[v] = v;
  const auto find = [&](std::size_t v) {
    std::size_t root = v;
    while (parent[root] != root) root = parent[root];
    while (parent[v] != root) v = std::exchange(parent[v], root);
    return root;
  };
  for (std::size_t i = 0; i < n; ++i) {
    for (int j : s.available[i]) {
      const std::size_t a = find(i);
      const std::size_t b = find(n + static_cast<std::size_t>(j));
      if (a != b) parent[std::max(a, b)] = std::min(a, b);
    }
  }
  std::vector<component> out;
  std::vector<std::size_t> id(n + m, 0);
  for (std::size_t v = 0; v < n + m; ++v) {
    const std::size_t root = find(v);
    if (root == v) {
      id[v] = out.size();
      out.emplace_back();
    }
    auto& c = out[id[root]];
    if (v < n) {
      c.participants.push_back(static_cast<int>(v));
    } else {
      c.slots.push_back(static_cast<int>(v - n));
    }
  }
  return out;
}

}  // namespace

plan_result plan_sessions(const plan_request& r) {
  plan_result out;
  const shape s = make_shape(r, out.problems);
  if (!out.problems.empty()) {
    out.held.assign(r.slot_numbers.size(), false);
    return out;
  }
  const std::vector<component> parts = components(s);
  if (parts.size() <= 1) return plan_connected(r);

  // Each component is its own request: participants and slots keep their relative order, so
  // the rule's tie-breaks (the latest slot) and the messages are those of planning it alone.
  const auto m = static_cast<std::size_t>(s.slots);
  std::vector<int> local(m, 0);  // global slot index → index within its component
  for (const auto& c : parts) {
    for (std::size_t k = 0; k < c.slots.size(); ++k) {
      local[static_cast<std::size_t>(c.slots[k])] = static_cast<int>(k);
    }
  }
  const bool any_fixed =
      std::any_of(s.fixed.begin(), s.fixed.end(), [](const auto& f) { return !f.empty(); });
  out.feasible = true;
  out.held.assign(m, false);
  out.assignment.resize(static_cast<std::size_t>(s.participants));
  for (const auto& c : parts) {
    if (c.slots.empty()) {
      // Available for no slot at all (required is at least 1): only that can be said of it.
      out.feasible = false;
      for (int i : c.participants)
        out.problems.push_back(too_few_text(r, static_cast<std::size_t>(i), 0));
      continue;
    }
    plan_request sub;
    sub.required = r.required;
    sub.capacity_min = r.capacity_min;
    sub.capacity_max = r.capacity_max;
    sub.slot_numbers.reserve(c.slots.size());
    for (int j : c.slots) sub.slot_numbers.push_back(r.slot_numbers[static_cast<std::size_t>(j)]);
    const auto to_local = [&](const std::vector<int>& slots) {
      std::vector<int> v;
      v.reserve(slots.size());
      for (int j : slots) v.push_back(local[static_cast<std::size_t>(j)]);
      return v;
    };
    sub.participants.reserve(c.participants.size());
    sub.available.reserve(c.participants.size());
    for (int i : c.participants) {
      const auto ui = static_cast<std::size_t>(i);
      sub.participants.push_back(r.participants[ui]);
      sub.available.push_back(to_local(s.available[ui]));
      if (any_fixed) sub.fixed.push_back(to_local(s.fixed[ui]));
    }
    plan_result p = plan_connected(sub);
    if (!p.feasible) {
      out.feasible = false;
      for (auto& text : p.problems) out.problems.push_back(std::move(text));
      continue;
    }
    if (!out.feasible) continue;  // no plan overall; only problems are still collected
    for (std::size_t k = 0; k < c.participants.size(); ++k) {
      auto& a = out.assignment[static_cast<std::size_t>(c.participants[k])];
      for (int j : p.assignment[k]) a.push_back(c.slots[static_cast<std::size_t>(j)]);
    }
    for (std::size_t k = 0; k < c.slots.size(); ++k) {
      out.held[static_cast<std::size_t>(c.slots[k])] = p.held[k];
    }
    for (auto& text : p.notes) out.notes.push_back(std::move(text));
  }
  if (!out.feasible) {
    out.assignment.clear();
    out.held.assign(m, false);
    out.notes.clear();
  }
  return out;
}

std::vector<std::string> check_assignment(const plan_request& r,
                                          const std::vector<std::vector<int>>& assignment) {
  std::vector<std::string> problems;
  const shape s = make_shape(r, problems);
  if (!problems.empty()) return problems;
  if (assignment.size() != r.participants.size()) {
    problems.push_back("the plan lists sessions for " + std::to_string(assignment.size()) +
                       " participants, but there are " + std::to_string(r.participants.size()));
    return problems;
  }
  std::vector<int> count(static_cast<std::size_t>(s.slots), 0);
  for (std::size_t i = 0; i < assignment.size(); ++i) {
    const std::string& who = r.participants[i];
    std::vector<int> seen;
    for (int j : assignment[i]) {
      if (j < 0 || j >= s.slots) {
        problems.push_back("participant " + who + " is assigned to slot index " +
                           std::to_string(j) + ", but there are only " + std::to_string(s.slots) +
                           " session slots");
        continue;
      }
      if (std::find(seen.begin(), seen.end(), j) != seen.end()) {
        problems.push_back("participant " + who + " is assigned to " + slot_name(r, j) + " twice");
        continue;
      }
      seen.push_back(j);
      ++count[static_cast<std::size_t>(j)];
      if (!std::binary_search(s.available[i].begin(), s.available[i].end(), j)) {
        problems.push_back("participant " + who + " is not available for " + slot_name(r, j));
      }
    }
    if (static_cast<int>(seen.size()) != r.required) {
      problems.push_back(
          "participant " + who + " has " +
          count_of(static_cast<long long>(seen.size()), "session slot", "session slots") + "; " +
          std::to_string(r.required) + " are required");
    }
    for (int j : s.fixed[i]) {
      if (std::find(seen.begin(), seen.end(), j) == seen.end()) {
        problems.push_back("participant " + who + " attended " + slot_name(r, j) +
                           ", which must stay in the plan");
      }
    }
  }
  for (int j = 0; j < s.slots; ++j) {
    const int c = count[static_cast<std::size_t>(j)];
    if (c > r.capacity_max) {
      problems.push_back(slot_name(r, j) + " has " + std::to_string(c) +
                         " participants, more than the maximum of " +
                         std::to_string(r.capacity_max));
    } else if (c > 0 && c < r.capacity_min) {
      problems.push_back(slot_name(r, j) + " has " + count_of(c, "participant", "participants") +
                         ", fewer than the minimum of " + std::to_string(r.capacity_min) +
                         " (a session is held with " + range_text(r) +
                         " participants or not at all)");
    }
  }
  return problems;
}

}  // namespace balint::scheduling
