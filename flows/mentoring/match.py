"""Matching: mentees and mentors in, proposals out, the best total match quality that the
hard constraints allow (flows/mentoring/scoring.py lists them).

The objective: maximise the sum over proposals of their score (whole points; the weight
`matched` in every score makes matching more people come first), and among equally good
totals, match more people. Each mentee gets at most one mentor; a mentor gets at most as
many mentees as places left. This is an assignment with capacities, solved exactly as a
min-cost flow (OR-Tools): source → each mentee (capacity 1) → each suitable mentor
(capacity 1, cost −(score × (mentees + 1) + 1)) → sink (capacity: the mentor's places), and
a bypass source → sink for mentees left unmatched. Min-cost flow with integer costs finds
an optimum (the optimality gap is 0), in well under a second for thousands of mentees.

Deterministic: the same mentees, mentors and barriers give the same proposals, whatever
their order (both sides are sorted by id before the network is built, and the solver is
deterministic for the same network).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from ortools.graph.python import min_cost_flow

from flows.mentoring.cases import Assignment, Barriers, Mentee, Mentor, Proposal
from flows.mentoring.rules import MentoringRules
from flows.mentoring.scoring import area_of, score, suitable, why_unmatched

NO_BARRIERS = Barriers()


def candidates(
    mentees: list[Mentee], mentors: list[Mentor], rules: MentoringRules, barriers: Barriers
) -> list[tuple[Mentee, Mentor, int, tuple]]:
    """Every suitable pair with a place, scored; mentors looked up by area, not all of them
    for every mentee (5,000 × 1,000 pairs would cost more than solving)."""
    by_area: dict[str, list[Mentor]] = {}
    for mentor in mentors:
        area = area_of(mentor.district, rules)
        if mentor.ready and mentor.free > 0 and area is not None:
            by_area.setdefault(area, []).append(mentor)
    pairs = []
    for mentee in mentees:
        for mentor in by_area.get(area_of(mentee.district, rules) or "", ()):
            if suitable(mentee, mentor, rules, barriers):
                total, parts = score(mentee, mentor, rules)
                pairs.append((mentee, mentor, total, parts))
    return pairs


def match(
    mentees: Iterable[Mentee],
    mentors: Iterable[Mentor],
    rules: MentoringRules,
    barriers: Barriers = NO_BARRIERS,
) -> Assignment:
    mentees = sorted(mentees, key=lambda m: m.id)
    mentors = sorted(mentors, key=lambda m: m.id)
    if len({m.id for m in mentees}) != len(mentees) or len({m.id for m in mentors}) != len(mentors):
        raise ValueError("a mentee or mentor is given twice")
    pairs = candidates(mentees, mentors, rules, barriers)
    chosen = _solve(mentees, mentors, pairs) if pairs else []
    proposals = tuple(
        Proposal(mentee.id, mentor.id, total, parts) for mentee, mentor, total, parts in chosen
    )
    matched = {p.mentee_id for p in proposals}
    return Assignment(proposals, explain(mentees, matched, mentors, rules, barriers))


def explain(mentees, matched: set[int], mentors, rules, barriers) -> tuple:
    """Why each mentee not in `matched` got nobody (looking only at the mentors of their
    area). Without a run, "taken" means a suitable mentor still has a place."""
    by_area: dict[str | None, list[Mentor]] = {}
    for mentor in mentors:
        by_area.setdefault(area_of(mentor.district, rules), []).append(mentor)
    return tuple(
        why_unmatched(mentee, by_area.get(area_of(mentee.district, rules), ()), rules, barriers)
        for mentee in mentees
        if mentee.id not in matched
    )


def _solve(mentees: list[Mentee], mentors: list[Mentor], pairs: list) -> list:
    count = len(mentees)
    mentee_node = {m.id: 1 + i for i, m in enumerate(mentees)}
    mentor_node = {m.id: 1 + count + i for i, m in enumerate(mentors)}
    source, sink = 0, 1 + count + len(mentors)
    used = {mentor.id for _, mentor, _, _ in pairs}
    placed = [m for m in mentors if m.id in used]
    starts = (
        [source] * count
        + [mentee_node[a.id] for a, _, _, _ in pairs]
        + [mentor_node[m.id] for m in placed]
        + [source]
    )
    ends = (
        [mentee_node[m.id] for m in mentees]
        + [mentor_node[b.id] for _, b, _, _ in pairs]
        + [sink] * len(placed)
        + [sink]
    )
    capacities = [1] * count + [1] * len(pairs) + [m.free for m in placed] + [count]
    # Score first; among equal totals, one more match is worth one point of cost.
    costs = [0] * count + [-(total * (count + 1) + 1) for _, _, total, _ in pairs]
    costs += [0] * len(placed) + [0]
    flow = min_cost_flow.SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(
        np.array(starts, dtype=np.int64),
        np.array(ends, dtype=np.int64),
        np.array(capacities, dtype=np.int64),
        np.array(costs, dtype=np.int64),
    )
    flow.set_nodes_supplies(np.array([source, sink], dtype=np.int64), np.array([count, -count]))
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"matching found no optimal flow (status {status})")
    flows = flow.flows(arcs)
    return [pair for index, pair in enumerate(pairs) if flows[count + index] > 0]


def greedy(
    mentees: Iterable[Mentee],
    mentors: Iterable[Mentor],
    rules: MentoringRules,
    barriers: Barriers = NO_BARRIERS,
) -> Assignment:
    """The baseline a hand-written matcher would be: best-scoring pair first, while both
    sides are free. Kept to show what the optimum gains (bench/mentors.py, tests)."""
    mentees = sorted(mentees, key=lambda m: m.id)
    mentors = sorted(mentors, key=lambda m: m.id)
    pairs = candidates(mentees, mentors, rules, barriers)
    pairs.sort(key=lambda p: (-p[2], p[0].id, p[1].id))
    free = {m.id: m.free for m in mentors}
    taken: set[int] = set()
    proposals = []
    for mentee, mentor, total, parts in pairs:
        if mentee.id not in taken and free[mentor.id] > 0:
            taken.add(mentee.id)
            free[mentor.id] -= 1
            proposals.append(Proposal(mentee.id, mentor.id, total, parts))
    proposals.sort(key=lambda p: p.mentee_id)
    return Assignment(tuple(proposals), explain(mentees, taken, mentors, rules, barriers))
