"""Who may be written to: one definition, as Python (a person in hand) and as SQL (an
audience), both read off the same table of rules so they cannot drift apart.

Two levels. A *reply* answers what the person wrote (staff answering in the inbox): they
must not have opted out or been erased. A *programme* message is one we start (follow-up
prompts, reminders, broadcasts, "you said, we did", and the domains to come): the person
must also be enrolled, still in the programme, and have consented to messages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import or_

from bot.models import Person
from bot.people.consents import granted_sql
from flows.vocabulary import ENDED, PersonStatus


class Reach(StrEnum):
    REPLY = "reply"
    PROGRAMME = "programme"


@dataclass(frozen=True)
class Rule:
    reason: str  # why not, when the rule fails (kept on skipped rows, shown to staff)
    level: Reach
    holds: Callable[[Any, Mapping[str, bool]], bool]  # (person, consents in force)
    sql: Callable[[], Any]


RULES = (
    Rule(
        "erased", Reach.REPLY, lambda p, c: p.erased_at is None, lambda: Person.erased_at.is_(None)
    ),
    Rule(
        "not enrolled",
        Reach.PROGRAMME,
        lambda p, c: p.status == PersonStatus.ACTIVE,
        lambda: Person.status == PersonStatus.ACTIVE,
    ),
    Rule(
        "left the programme",
        Reach.PROGRAMME,
        lambda p, c: p.outcome not in ENDED,
        lambda: or_(Person.outcome.is_(None), Person.outcome.not_in(sorted(ENDED))),
    ),
    Rule(
        "opted out",
        Reach.REPLY,
        lambda p, c: p.opted_out_at is None,
        lambda: Person.opted_out_at.is_(None),
    ),
    Rule(
        "no consent to messages",
        Reach.PROGRAMME,
        lambda p, c: bool(c.get("messages")),
        lambda: granted_sql("messages"),
    ),
)


def _rules(level: Reach) -> tuple[Rule, ...]:
    return RULES if level is Reach.PROGRAMME else tuple(r for r in RULES if r.level is Reach.REPLY)


def why_not(person, consents: Mapping[str, bool], level: Reach = Reach.PROGRAMME) -> str | None:
    """None when the person may be written to at this level; else the first reason not."""
    for rule in _rules(level):
        if not rule.holds(person, consents):
            return rule.reason
    return None


def may_write(person, consents: Mapping[str, bool], level: Reach = Reach.PROGRAMME) -> bool:
    return why_not(person, consents, level) is None


def writable_sql(level: Reach = Reach.PROGRAMME) -> list:
    """The same rules as SQL conditions on Person, for audiences of many."""
    return [rule.sql() for rule in _rules(level)]
