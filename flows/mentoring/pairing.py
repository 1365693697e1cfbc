"""The pairing message: a mentor is asked to mentor someone (their first name and area only),
then the mentee is asked whether they want this mentor. Yes or No, Yes first; the question
says what will be shared if both agree (the phone number we write to, or a Telegram name),
and a yes is the consent to share it. Someone on Telegram without a Telegram name types
the number to share. Contacts go out only when both have said yes (bot/mentoring/pairing.py).

`offer` is called by the mentoring tick when the offer is due; `handle` takes the answer.
An answer after the offer's time ran out is thanked, not taken.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime

from flows.content import Content
from flows.context import language_of, say, yes_no_answer, yes_no_question
from flows.mentoring.asking import ask_again
from flows.mentoring.effects import AnswerPairing
from flows.types import Choice, ConversationState, Message, Result, Snapshot

NAME = "mentoring.pairing"
ROLES = ("mentor", "mentee")
REACH = ("phone", "telegram", "ask")  # "ask": they type the number to share
_NUMBER = re.compile(r"^\+?\d{8,15}$")
_SEPARATORS = re.compile(r"[\s().\-/]")


def offer(
    snap: Snapshot,
    content: Content,
    *,
    match_id: int,
    role: str,
    name: str,
    area: str,
    reach: str,
    until: datetime,
) -> Result:
    if role not in ROLES or reach not in REACH:
        raise ValueError(f"pairing offer: role {role!r}, reach {reach!r}")
    data = {
        "match": match_id,
        "role": role,
        "name": name,
        "area": area,
        "reach": reach,
        "until": until.isoformat(),
        "reasks": 0,
    }
    state = ConversationState(NAME, "answer", data)
    return Result(state, (_question(snap, content, data),))


def _question(snap: Snapshot, content: Content, data: dict) -> Message:
    """Accept / Decline: the values of a yes-or-no question, so 1, 2, yes and no work too."""
    shared = "phone" if data["reach"] == "ask" else data["reach"]
    asked = yes_no_question(
        snap,
        content,
        f"mentoring.offer.{data['role']}",
        name=data["name"],
        area=data["area"],
        reach=say(snap, content, f"mentoring.reach.{shared}").text,
    )
    language = language_of(snap, content)
    choices = tuple(
        Choice(c.value, content.catalog.text(language, f"mentoring.answer.{c.value}"))
        for c in asked.choices
    )
    return Message(asked.text, choices, asked.key)


def prompt(snap: Snapshot, content: Content, conv: ConversationState, lead: str | None):
    """The question they are on again (after HELP, LANG or the menu)."""
    if conv.step == "number":
        message = say(snap, content, "mentoring.ask_number", name=conv.data["name"])
    else:
        message = _question(snap, content, conv.data)
    if lead:
        message = Message(f"{lead}\n{message.text}", message.choices, message.key)
    return (message,)


def handle(snap: Snapshot, content: Content, resumed: bool) -> Result:
    conv = snap.conversation
    data = conv.data
    if snap.now >= datetime.fromisoformat(data["until"]):
        return Result(ConversationState(), (say(snap, content, "mentoring.offer_closed"),))
    if conv.step == "number":
        return _on_number(snap, content)
    said = yes_no_answer(snap, content)
    if said is None:
        return ask_again(snap, content, prompt)
    if not said:
        answer = AnswerPairing(data["match"], data["role"], False)
        return Result(ConversationState(), (say(snap, content, "mentoring.declined"),), (answer,))
    if data["reach"] == "ask":
        state = replace(conv, step="number", data={**data, "reasks": 0})
        return Result(state, (say(snap, content, "mentoring.ask_number", name=data["name"]),))
    return _accepted(snap, content, data["reach"])


def _on_number(snap: Snapshot, content: Content) -> Result:
    text = snap.input.text if snap.input.kind == "text" else None
    number = _SEPARATORS.sub("", text or "")
    if _NUMBER.fullmatch(number):
        return _accepted(snap, content, number)
    said = yes_no_answer(snap, content)
    if said is False:  # they would rather not share a number: no pairing, kindly
        answer = AnswerPairing(
            snap.conversation.data["match"], snap.conversation.data["role"], False
        )
        return Result(ConversationState(), (say(snap, content, "mentoring.declined"),), (answer,))
    return ask_again(snap, content, prompt, "mentoring.number_again")


def _accepted(snap: Snapshot, content: Content, reach: str) -> Result:
    data = snap.conversation.data
    answer = AnswerPairing(data["match"], data["role"], True, reach)
    thanks = say(snap, content, f"mentoring.accepted.{data['role']}", name=data["name"])
    return Result(ConversationState(), (thanks,), (answer,))
