"""The programme's mentoring rules (content/mentoring.yaml): where a match may be made,
how long a cycle lasts, how long a mentor has to answer, and the weights of match quality.

Weights are whole points (the solver works in integers, and a proposal's parts add up to
its score exactly).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# The soft parts of a match's quality, in the order a proposal shows them.
PARTS = (
    "matched",
    "same_district",
    "same_sector",
    "preferred_sector",
    "shared_skills",
    "same_country",
    "return_order",
    "age",
    "time_abroad",
    "interests",
)
WITHIN = ("district", "region")


@dataclass(frozen=True)
class MentoringRules:
    # "district": mentor and mentee in the same district; "region": anywhere in the same
    # region (`regions`), a district of its own counting as a region of one.
    match_within: str = "district"
    regions: Mapping[str, str] = field(default_factory=dict)  # district -> region
    capacity: int = 2  # mentees at once, unless the mentor's record says otherwise
    cycle_months: int = 6
    answer_hours: int = 48  # a pairing message unanswered this long counts as a decline
    automatic_fallback: bool = False  # after a decline: offer the next mentor directly
    refresher_months: int = 12
    training_days_min: int = 2
    weights: Mapping[str, int] = field(default_factory=dict)

    def region_of(self, district: str | None) -> str | None:
        if district is None:
            return None
        return self.regions.get(district, district)

    def weight(self, part: str) -> int:
        return int(self.weights.get(part, 0))


def rules_from_dict(raw: Mapping[str, Any] | None) -> MentoringRules:
    raw = dict(raw or {})
    within = str(raw.get("match_within", "district"))
    if within not in WITHIN:
        raise ValueError(f"mentoring.yaml: match_within must be one of {WITHIN}, not {within!r}")
    regions: dict[str, str] = {}
    for region, districts in (raw.get("regions") or {}).items():
        for district in districts or ():
            if str(district) in regions:
                raise ValueError(f"mentoring.yaml: district {district!r} is in two regions")
            regions[str(district)] = str(region)
    weights = {str(k): v for k, v in (raw.get("weights") or {}).items()}
    for name, value in weights.items():
        if name not in PARTS:
            raise ValueError(f"mentoring.yaml: unknown weight {name!r} (known: {PARTS})")
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError(f"mentoring.yaml: weight {name!r} must be a whole number >= 0")
    numbers = {}
    for name in ("capacity", "cycle_months", "answer_hours", "refresher_months"):
        value = raw.get(name, getattr(MentoringRules, name))
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f"mentoring.yaml: {name} must be a whole number >= 1")
        numbers[name] = value
    return MentoringRules(
        match_within=within,
        regions=regions,
        automatic_fallback=bool(raw.get("automatic_fallback", False)),
        training_days_min=int(raw.get("training_days_min", 2)),
        weights=weights,
        **numbers,
    )
