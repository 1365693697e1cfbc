"""The availability poll: which of the proposed times suit a member — Yes, If need be or No
for each. On Telegram (and the web chat) every time is a message with three buttons, and each
press counts at once (the admin's tally is live); over SMS one message lists the times and
the member replies with the numbers that suit them ("13"; "2?" for if need be). Text works
on every channel. The answer is echoed back in words, so a misread reply can be corrected
by answering again while the poll is open.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from flows.content import Content
from flows.context import language_of, say
from flows.groups.effects import AnswerPoll
from flows.groups.poll import button_value, read_button, read_times
from flows.groups.rules import ANSWERS
from flows.mentoring.asking import ask_again
from flows.types import Choice, ConversationState, Message, Result, Snapshot

NAME = "groups.poll"


def start(
    snap: Snapshot,
    content: Content,
    *,
    group_id: int,
    poll: int,
    times: list[str],
    until: datetime,
) -> Result:
    """`times`: each proposed time as the member reads it ("Tuesday 5 January, 18:00, the
    community hall"), in poll order."""
    data = {
        "group": group_id,
        "poll": poll,
        "times": list(times),
        "answered": {},
        "until": until.isoformat(),
        "reasks": 0,
    }
    return Result(ConversationState(NAME, "answer", data), _messages(snap, content, data, None))


def _messages(snap: Snapshot, content: Content, data: dict, lead: str | None):
    language = language_of(snap, content)
    catalog = content.catalog
    times = data["times"]
    if snap.person.channel == "sms":
        listed = "\n".join(f"{n}. {label}" for n, label in enumerate(times, 1))
        text = catalog.text(language, "groups.poll.sms", "sms", times=listed)
        return (Message(f"{lead}\n{text}" if lead else text, (), "groups.poll.sms"),)
    intro = catalog.text(language, "groups.poll.intro", snap.person.channel, count=len(times))
    labels = {a: catalog.text(language, f"groups.poll.{a}") for a in ANSWERS}
    slots = tuple(
        Message(
            f"{n}. {label}",
            tuple(Choice(button_value(n, a), labels[a]) for a in ANSWERS),
            "groups.poll.time",
        )
        for n, label in enumerate(times, 1)
        if str(n) not in data["answered"]
    )
    return (Message(f"{lead}\n{intro}" if lead else intro, (), "groups.poll.intro"), *slots)


def prompt(snap: Snapshot, content: Content, conv: ConversationState, lead: str | None):
    return _messages(snap, content, conv.data, lead)


def handle(snap: Snapshot, content: Content, resumed: bool) -> Result:
    conv = snap.conversation
    data = conv.data
    if snap.now >= datetime.fromisoformat(data["until"]):
        return Result(ConversationState(), (say(snap, content, "groups.poll.closed"),))
    count = len(data["times"])
    inp = snap.input
    if inp.kind == "choice":
        pressed = read_button(inp.choice, count)
        if pressed is None:
            return Result(conv, _messages(snap, content, data, None))
        position, answer = pressed
        answered = {**data["answered"], str(position): answer}
        effect = AnswerPoll(data["group"], data["poll"], {position: answer})
        if len(answered) < count:  # more times to answer: the press counted, nothing to say
            return Result(replace(conv, data={**data, "answered": answered}), (), (effect,))
        return _done(snap, content, {int(k): v for k, v in answered.items()}, effect)
    answers = read_times(inp.text, count, content.lexicon) if inp.kind == "text" else None
    if answers is None:
        return ask_again(snap, content, prompt, "groups.poll.again")
    return _done(snap, content, answers, AnswerPoll(data["group"], data["poll"], answers))


def _done(snap: Snapshot, content: Content, answers: dict[int, str], effect: AnswerPoll):
    language = language_of(snap, content)
    said = ", ".join(
        f"{n} {content.catalog.text(language, f'groups.poll.{a}')}"
        for n, a in sorted(answers.items())
    )
    return Result(
        ConversationState(), (say(snap, content, "groups.poll.thanks", said=said),), (effect,)
    )
