"""What matching knows about each mentee and mentor: plain values, read by bot/mentoring
from the rows (bot/mentoring/load.py), so the matching itself stays pure."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Mentee:
    id: int  # the person
    district: str | None
    languages: frozenset[str]
    gender: str | None = None
    age_rank: int | None = None  # position of the age band (content/options.yaml age_band)
    sector: str | None = None
    wants: frozenset[str] = frozenset()  # what they want help with (their interests)
    abroad_in: str | None = None  # the country they returned from
    years_abroad: int | None = None
    returned_on: date | None = None
    # Stated preferences: the gender and language are hard, the sector a bonus.
    prefers_gender: str | None = None
    prefers_language: str | None = None
    prefers_sector: bool = False


@dataclass(frozen=True)
class Mentor:
    id: int  # the mentor record
    person_id: int
    district: str | None
    languages: frozenset[str]
    free: int  # places left: capacity less current mentees (and offers still open)
    ready: bool = True  # approved, and training current
    gender: str | None = None
    age_rank: int | None = None
    sector: str | None = None
    skills: frozenset[str] = frozenset()
    abroad_in: str | None = None
    years_abroad: int | None = None
    returned_on: date | None = None


@dataclass(frozen=True)
class Barriers:
    """Pairs that may never be proposed: declined before (by either side, or by staff
    rejecting the proposal) and conflicts staff flagged. (mentee id, mentor id)."""

    declined: frozenset[tuple[int, int]] = frozenset()
    conflicts: frozenset[tuple[int, int]] = frozenset()

    def blocks(self, mentee: int, mentor: int) -> bool:
        pair = (mentee, mentor)
        return pair in self.declined or pair in self.conflicts


@dataclass(frozen=True)
class Proposal:
    mentee_id: int
    mentor_id: int
    score: int
    parts: tuple[tuple[str, int], ...]  # why: each part of the score, in rules.PARTS order


@dataclass(frozen=True)
class Unmatched:
    mentee_id: int
    reason: str  # a key of REASONS below
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Assignment:
    proposals: tuple[Proposal, ...]
    unmatched: tuple[Unmatched, ...]

    @property
    def total(self) -> int:
        return sum(p.score for p in self.proposals)


# Why a mentee got no proposal, most basic first; the admin words each in plain language
# (messages `mentoring.unmatched.<reason>`, with the area, language and gender filled in).
REASONS = (
    "no_mentor_in_area",  # no approved mentor with current training in the district/region
    "no_shared_language",  # ... who speaks a language the mentee speaks (or the one they asked for)
    "no_gender",  # ... who is of the gender they asked for
    "declined_or_conflict",  # the only suitable mentors declined before or are flagged
    "all_full",  # every suitable mentor already has as many mentees as they can take
    "taken",  # suitable mentors were all given to other mentees in this run
)
