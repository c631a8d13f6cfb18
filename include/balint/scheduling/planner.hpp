#pragma once

#include <string>
#include <vector>

namespace balint::scheduling {

/// What the planner is asked: who needs places, which session slots each can attend, and the
/// rules of the programme.
struct plan_request {
  /// Participant codes, in enrolment order.
  std::vector<std::string> participants;
  /// Per participant: indices of the session slots they can attend (0-based, ascending).
  std::vector<std::vector<int>> available;
  /// Session numbers of the slots, for messages; its size is the number of slots.
  std::vector<int> slot_numbers;
  /// Sessions each participant must attend.
  int required = 10;
  /// Participants in a held session: at least capacity_min, at most capacity_max.
  int capacity_min = 8;
  int capacity_max = 12;
  /// Optional, per participant: slots they must keep (already attended); may be empty, or
  /// shorter than `participants`. A fixed slot counts as available, and a slot with a fixed
  /// participant is always held.
  std::vector<std::vector<int>> fixed;
};

/// The plan: who goes to which slot, which slots are held, and why not, in users' words. When
/// infeasible there is no plan: `assignment` and `notes` are empty, every `held` is false, and
/// `problems` says why.
struct plan_result {
  bool feasible = false;
  /// Per participant: slot indices, ascending, exactly `required` each when feasible.
  std::vector<std::vector<int>> assignment;
  /// Per slot: held (between min and max participants) or left unheld (no participants).
  std::vector<bool> held;
  /// Which slots were left unheld and why (the rule below), in users' words.
  std::vector<std::string> notes;
  /// When infeasible: why, in users' words (participants with too few available slots, slots
  /// that cannot reach the minimum, counts that cannot add up).
  std::vector<std::string> problems;
};

/// Assigns every participant to exactly `required` distinct slots they are available for, with
/// every held slot between capacity_min and capacity_max participants and every other slot
/// empty (left unheld).
///
/// Components: the constraints couple only participants and the slots they can attend, so the
/// planner splits the request into the connected components of that bipartite graph
/// (participants ↔ the slots they are available for, fixed slots included; a slot nobody is
/// available for is a component of its own; a participant available for none is only
/// reported as such) and plans each alone by the method, rule and
/// balancing below; this is exact, and keeps the cost near linear when components stay small
/// (cohorts, sites). The plans are merged; notes and problems come component by component,
/// components ordered by their smallest participant index, then slot-only components by slot
/// index. Counts in messages ("18 participants × 10 sessions = 180 places") are the
/// component's. If any component has no plan there is none: every component's problems are
/// reported.
///
/// Method: feasibility of a flow with lower and upper bounds (source → participant exactly
/// `required`; participant → slot capacity 1 where available, exactly 1 where fixed; slot →
/// sink within [min, max] for a held slot, [0, 0] for an unheld one), solved by the standard
/// reduction to a maximum flow with demands (Boost.Graph push-relabel).
///
/// Rule for unheld slots (per component):
/// 1. First every slot is held.
/// 2. When that is infeasible but would be feasible without the minimums (so the problem is
///    too few participants, not too few places), slots are left unheld in this order, solving
///    again after each one:
///    a. every slot with fewer available participants than the minimum (it can never be held);
///    b. then, while still infeasible, the slot with the fewest available participants; on a
///       tie, the latest slot.
///    Slots with a fixed (already attended) participant are never left unheld. Within each
///    component, no more slots are left unheld than keeps ceil(component participants ×
///    required / capacity_max) of its slots held: below that its places cannot fit, and the
///    plan is reported infeasible.
/// 3. When the plan is infeasible even without the minimums, no slot is left unheld: the
///    problems name the participants with too few available slots and the counts.
///
/// Balancing: among the plans for the chosen held slots, the planner prefers evenly filled
/// sessions. It first solves with each held slot within [floor(a), ceil(a)], a = places / held
/// slots (clamped to [min, max]), widening that band by one on each side until a plan exists;
/// then it moves single participants from a fuller to an emptier slot they are available for
/// while that narrows the gap by at least two (a bounded number of passes).
///
/// Deterministic: the same request gives the same plan. Malformed requests (sizes that do not
/// match, slot indices out of range, min > max) are reported in `problems`.
plan_result plan_sessions(const plan_request& r);

/// Checks an assignment against the same rules: each participant has exactly `required`
/// distinct slots they are available for (fixed slots count as available and must be kept);
/// each slot has 0 or capacity_min..capacity_max participants. Returns the problems in users'
/// words, empty when the assignment is valid. Used to check a coordinator's move of one
/// participant between sessions.
std::vector<std::string> check_assignment(const plan_request& r,
                                          const std::vector<std::vector<int>>& assignment);

}  // namespace balint::scheduling
