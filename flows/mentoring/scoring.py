"""Which mentor may be proposed to which mentee (hard constraints), how good the match
would be (soft parts, whole points), and, for a mentee left without a proposal, why.

Hard constraints, all of them, for every proposal:
- the mentor is ready: approved, with training current (bot/mentoring/registry.py decides);
- the same district, or the same region when the programme matches within regions;
- a shared language, and the very language the mentee asked for if they asked for one;
- the gender the mentee asked for, if they asked;
- the pair was never declined (by either side, or rejected by staff) and carries no conflict
  flag; a mentor is never their own mentee;
- the mentor has a place left (capacity less current mentees and open offers; matching
  itself never gives a mentor more mentees than places: flows/mentoring/match.py).
"""

from __future__ import annotations

from collections.abc import Iterable

from flows.mentoring.cases import Barriers, Mentee, Mentor, Unmatched
from flows.mentoring.rules import PARTS, MentoringRules


def area_of(district: str | None, rules: MentoringRules) -> str | None:
    """Where matching looks for mentors: the district, or its region."""
    if district is None:
        return None
    return rules.region_of(district) if rules.match_within == "region" else district


def speaks(mentee: Mentee, mentor: Mentor) -> bool:
    if mentee.prefers_language is not None:
        return mentee.prefers_language in mentor.languages
    return bool(mentee.languages & mentor.languages)


def suits_gender(mentee: Mentee, mentor: Mentor) -> bool:
    return mentee.prefers_gender is None or mentor.gender == mentee.prefers_gender


def allowed(mentee: Mentee, mentor: Mentor, barriers: Barriers) -> bool:
    return mentor.person_id != mentee.id and not barriers.blocks(mentee.id, mentor.id)


def suitable(mentee: Mentee, mentor: Mentor, rules: MentoringRules, barriers: Barriers) -> bool:
    """Every hard constraint but capacity."""
    area = area_of(mentee.district, rules)
    return (
        mentor.ready
        and area is not None
        and area_of(mentor.district, rules) == area
        and speaks(mentee, mentor)
        and suits_gender(mentee, mentor)
        and allowed(mentee, mentor, barriers)
    )


def score(mentee: Mentee, mentor: Mentor, rules: MentoringRules) -> tuple[int, tuple]:
    """The match's quality and its parts (those worth anything), in rules.PARTS order."""
    w = rules.weight
    same_sector = (
        mentee.sector is not None and mentee.sector == mentor.sector and mentee.sector != "other"
    )
    values = {
        "matched": w("matched"),  # a mentor at all: matching more people comes first
        # Within a district every match is in the same one: the part says nothing there.
        "same_district": w("same_district")
        if rules.match_within == "region" and mentee.district == mentor.district
        else 0,
        "same_sector": w("same_sector") if same_sector else 0,
        "preferred_sector": w("preferred_sector") if same_sector and mentee.prefers_sector else 0,
        "shared_skills": w("shared_skills") * min(2, len(mentor.skills & mentee.wants)) // 2,
        "same_country": w("same_country")
        if mentee.abroad_in is not None and mentee.abroad_in == mentor.abroad_in
        else 0,
        # The mentor came back first: they have walked the road the mentee is on.
        "return_order": w("return_order")
        if mentor.returned_on is not None
        and mentee.returned_on is not None
        and mentor.returned_on < mentee.returned_on
        else 0,
        "age": _closeness(mentee.age_rank, mentor.age_rank, 0, 1, w("age")),
        "time_abroad": _closeness(mentee.years_abroad, mentor.years_abroad, 1, 3, w("time_abroad")),
        "interests": w("interests") * len(mentee.wants & mentor.skills) // len(mentee.wants)
        if mentee.wants
        else 0,
    }
    parts = tuple((name, values[name]) for name in PARTS if values[name])
    return sum(v for _, v in parts), parts


def _closeness(a: int | None, b: int | None, full: int, half: int, weight: int) -> int:
    """All the weight when a and b are within `full` of each other, half within `half`."""
    if a is None or b is None:
        return 0
    apart = abs(a - b)
    return weight if apart <= full else weight // 2 if apart <= half else 0


def why_unmatched(
    mentee: Mentee,
    mentors: Iterable[Mentor],
    rules: MentoringRules,
    barriers: Barriers,
) -> Unmatched:
    """The first hard constraint that leaves nobody, most basic first; when none does, the
    suitable mentors' places all went to other mentees of the same run (an optimal run
    never leaves a suitable place unused)."""
    area = area_of(mentee.district, rules)
    language = mentee.prefers_language or (min(mentee.languages) if mentee.languages else "")
    params = {
        "area": area or "",
        "within": rules.match_within,
        "language": language,
        "gender": mentee.prefers_gender or "",
    }
    pool = [
        m for m in mentors if m.ready and area is not None and area_of(m.district, rules) == area
    ]
    steps = (
        ("no_mentor_in_area", lambda m: True),
        ("no_shared_language", lambda m: speaks(mentee, m)),
        ("no_gender", lambda m: suits_gender(mentee, m)),
        ("declined_or_conflict", lambda m: allowed(mentee, m, barriers)),
        ("all_full", lambda m: m.free > 0),
    )
    for reason, keep in steps:
        pool = [m for m in pool if keep(m)]
        if not pool:
            return Unmatched(mentee.id, reason, params)
    return Unmatched(mentee.id, "taken", {**params, "suitable": str(len(pool))})
