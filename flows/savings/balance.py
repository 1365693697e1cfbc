"""BALANCE: a member's own statement, and only their own. Over SMS, where someone else may
read the phone, amounts go only to a member who chose to see them: the others are asked
first whether they want amounts in their messages from now on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flows import menu
from flows.content import Content
from flows.context import language_of, say, yes_no_answer, yes_no_question
from flows.mentoring.asking import ask_again
from flows.savings.effects import ChooseDetails
from flows.savings.statement import Figures, GroupFigures, shows_details, statement
from flows.types import ConversationState, Message, Result, Snapshot

NAME = "savings.details"


@dataclass(frozen=True)
class Membership:
    """What the runtime read for one of the member's groups."""

    details: bool
    currency: str
    decimals: int
    mine: Figures
    group: GroupFigures | None = None  # for an officer: the group's totals


def answer(snap: Snapshot, content: Content, groups: list[Membership], today: date) -> Result:
    """The reply to BALANCE (the conversation where it was is kept, unless they are asked
    about amounts)."""
    conv = snap.conversation
    if not groups:
        return Result(conv, (say(snap, content, "savings.not_member"),))
    if not shows_details(all(g.details for g in groups), snap.person.channel):
        data = {"resume": menu.resume_point(conv), "reasks": 0}
        asked = yes_no_question(snap, content, "savings.statement.private")
        return Result(ConversationState(NAME, "ask", data), (asked,))
    return Result(conv, statements(snap, content, groups, today))


def statements(
    snap: Snapshot, content: Content, groups: list[Membership], today: date
) -> tuple[Message, ...]:
    language = language_of(snap, content)
    return tuple(
        statement(
            content, language, snap.person.channel, g.currency, g.decimals, today, g.mine, g.group
        )  # fmt: skip
        for g in groups
    )


def shown(snap: Snapshot, content: Content, groups: list[Membership], today: date):
    """After they chose to see amounts: that it is done, and their statement."""
    return (say(snap, content, "savings.details.on"),) + statements(snap, content, groups, today)


def prompt(snap: Snapshot, content: Content, conv: ConversationState, lead: str | None):
    asked = yes_no_question(snap, content, "savings.statement.private")
    return (Message(f"{lead}\n{asked.text}" if lead else asked.text, asked.choices, asked.key),)


def handle(snap: Snapshot, content: Content, resumed: bool) -> Result:
    """Yes: amounts from now on, and the statement (the runtime sends it). No: kept
    private, with where else to find their figures."""
    said = yes_no_answer(snap, content)
    if said is None:
        return ask_again(snap, content, prompt)
    back = menu.restore(snap.conversation.data.get("resume"))
    if said:  # the runtime sends `shown`: that it is done, and their figures
        return Result(back, (), (ChooseDetails(True, True),))
    return Result(back, (say(snap, content, "savings.details.kept"),), (ChooseDetails(False),))
