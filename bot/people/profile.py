"""Profile fields: which columns describe a person, which a flow may fill, which staff may
correct (and from which option set), which a plan depends on, and what flows may see."""

from __future__ import annotations

from bot.models import Contact, Person
from flows.types import PersonView

# Profile columns a flow may fill (SetProfile); anything else is refused.
PROFILE_FIELDS = frozenset(
    {
        "display_name",
        "role",
        "district",
        "district_other",
        "return_date",
        "return_date_precision",
        "gender",
        "age_band",
        "sector",
        "sector_other",
        "interests",
        "preferred_time",
        "timezone",
    }
)
PROFILE_ORDER = tuple(sorted(PROFILE_FIELDS))
# Fields staff may correct, and the option set each must come from (None: free text).
EDITABLE: dict[str, str | None] = {
    "display_name": None,
    "role": "role",
    "district": "district",
    "district_other": None,
    "gender": "gender",
    "age_band": "age_band",
    "sector": "sector",
    "sector_other": None,
    "interests": "interests",
    "preferred_time": "preferred_time",
}
# Fields chosen from an option set (content/options.yaml).
CHOSEN_FIELDS = tuple(name for name, option_set in EDITABLE.items() if option_set)
# Free-text fields staff type, and how long each may be.
FREE_TEXT_MAX = {"display_name": 80, "district_other": 80, "sector_other": 80}
# A change to any of these can change the plan or its timing.
PLAN_FIELDS = frozenset({"return_date", "role", "age_band", "timezone", "preferred_time"})
# What plan rules match on (content/plans.yaml `rules`).
RULE_FIELDS = ("role", "gender", "age_band", "district", "vulnerabilities")
# Known only from staff (the bot never asks): they choose longer or denser plans.
VULNERABILITIES = ("trafficking", "unaccompanied_minor", "serious_illness", "disability")
# Everything that describes the person and goes on erasure (and on declining consent: the
# profile fields), beside the status columns the lifecycle keeps.
PERSONAL_FIELDS = (
    *sorted(PROFILE_FIELDS),
    "language",
    "outcome",
    "plan",
)


def rule_profile(person) -> dict:
    """What plan rules see of a person (a row or a plain record)."""
    profile = {name: getattr(person, name) for name in RULE_FIELDS}
    profile["vulnerabilities"] = list(profile["vulnerabilities"] or [])
    return profile


def person_view(person: Person, contact: Contact, consents: dict[str, bool]) -> PersonView:
    """The person as flows see them, on the contact this step uses."""
    profile = {name: getattr(person, name) for name in PROFILE_ORDER}
    return PersonView(
        id=person.id,
        status=person.status,
        language=person.language,
        channel=contact.channel,
        profile=profile,
        consents=consents,
        opted_out=person.opted_out_at is not None,
        comeback_hint_at=contact.comeback_hint_at,
    )
