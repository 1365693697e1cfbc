"""The programme's closed vocabularies, in one place: roles, person statuses, outcomes,
prompt statuses and outbound statuses. StrEnums: they are stored as their plain values and
compare equal to them, so rows, content files and pages keep reading the same words. (The
words people type for keywords, in each language, are data: content/words/.)"""

from __future__ import annotations

from enum import StrEnum


class Keyword(StrEnum):
    """What a person may send at any time (flows/keywords.py)."""

    STOP = "stop"
    START = "start"
    HELP = "help"
    LANG = "lang"
    MENU = "menu"
    AGENT = "agent"
    PROBLEM = "problem"  # something is wrong (with a mentor, a group): staff are told
    BALANCE = "balance"  # a savings group member's own statement


class Role(StrEnum):
    RETURNEE = "returnee"
    COMMUNITY = "community"
    MENTOR = "mentor"  # a volunteer


class StaffRole(StrEnum):
    ADMIN = "admin"  # everything, staff accounts and the audit log included
    FACILITATOR = "facilitator"  # the people assigned to them
    VIEWER = "viewer"  # aggregates only


class PersonStatus(StrEnum):
    ONBOARDING = "onboarding"  # consent and profile questions under way
    ACTIVE = "active"  # enrolled
    DECLINED = "declined"  # refused consent: nothing kept but the opt-out
    ERASED = "erased"  # a tombstone


class Outcome(StrEnum):
    """How a person's time in the programme ended."""

    COMPLETED = "completed"
    REMIGRATED = "remigrated"
    LEFT_PROGRAMME = "left_programme"


# Outcomes after which the programme writes no more.
ENDED = frozenset({Outcome.REMIGRATED, Outcome.LEFT_PROGRAMME})


class PromptStatus(StrEnum):
    """A scheduled prompt: pending -> (waiting) -> open -> answered | missed."""

    PENDING = "pending"
    WAITING = "waiting"  # behind a conversation in progress
    OPEN = "open"  # sent, waiting for the answer
    ANSWERED = "answered"
    MISSED = "missed"
    SKIPPED = "skipped"
    SUPERSEDED = "superseded"  # replaced by a recomputed plan
    CANCELLED = "cancelled"


# Prompts still to be sent.
TO_SEND = (PromptStatus.PENDING, PromptStatus.WAITING)


class OutboundStatus(StrEnum):
    """An outbox row, in reading order."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"
    UNDELIVERED = "undelivered"
    CANCELLED = "cancelled"


UNDER_WAY = (OutboundStatus.PENDING, OutboundStatus.SENDING)


class Severity(StrEnum):
    """How grave an alert is, in rising order (`SEVERITIES` lists them so)."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


SEVERITIES = tuple(s.value for s in Severity)  # low to high
