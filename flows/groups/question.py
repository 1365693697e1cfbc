"""The peer group's yes-or-no questions: the invitation (Join / Not now), a meeting reminder
with its RSVP (Coming / Can't come), the pulse after a meeting ("Was today's meeting
helpful?") and the vote at the end of the first series (keep meeting?). Each is a
`yes_no_question` with its own two labels, so 1, 2, yes, no and the labels' words all work.

The bot side fills in the values (the time in their timezone, the place) when it asks; they
are kept in the state so the question can be asked again after HELP or MENU. An answer after
the question's time ran out (the meeting began, the invitation closed) is thanked, not taken.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flows.choices import Option, match_choice
from flows.content import Content
from flows.context import language_of, say, yes_no_answer, yes_no_question
from flows.groups.effects import AnswerInvitation, AnswerRsvp, AnswerVote, RecordMeetingPulse
from flows.mentoring.asking import ask_again
from flows.types import Choice, ConversationState, Effect, Message, Result, Snapshot

NAME = "groups.question"


@dataclass(frozen=True)
class Kind:
    question: str  # catalog key of the question
    labels: str | None  # catalog prefix of the two labels (<prefix>.yes, <prefix>.no)
    thanks_yes: str
    thanks_no: str


KINDS = {
    "invite": Kind("groups.invite", "groups.answer", "groups.joined", "groups.not_now"),
    "before": Kind("groups.reminder.before", "groups.rsvp", "groups.coming", "groups.cant"),
    "morning": Kind("groups.reminder.morning", "groups.rsvp", "groups.coming", "groups.cant"),
    "pulse": Kind("groups.pulse", None, "groups.thanks", "groups.thanks"),
    "vote": Kind("groups.vote", None, "groups.vote.thanks", "groups.vote.thanks"),
}


def ask(
    snap: Snapshot,
    content: Content,
    *,
    kind: str,
    group_id: int,
    until: datetime,
    meeting_id: int | None = None,
    values: dict[str, str] | None = None,
) -> Result:
    if kind not in KINDS:
        raise ValueError(f"unknown group question {kind!r}")
    data = {
        "kind": kind,
        "group": group_id,
        "meeting": meeting_id,
        "until": until.isoformat(),
        "values": dict(values or {}),
        "reasks": 0,
    }
    return Result(ConversationState(NAME, "answer", data), (_question(snap, content, data),))


def _question(snap: Snapshot, content: Content, data: dict, lead: str | None = None) -> Message:
    kind = KINDS[data["kind"]]
    asked = yes_no_question(snap, content, kind.question, **data["values"])
    choices = asked.choices
    if kind.labels:
        language = language_of(snap, content)
        choices = tuple(
            Choice(c.value, content.catalog.text(language, f"{kind.labels}.{c.value}"))
            for c in asked.choices
        )
    return Message(f"{lead}\n{asked.text}" if lead else asked.text, choices, asked.key)


def prompt(snap: Snapshot, content: Content, conv: ConversationState, lead: str | None):
    return (_question(snap, content, conv.data, lead),)


def handle(snap: Snapshot, content: Content, resumed: bool) -> Result:
    data = snap.conversation.data
    if snap.now >= datetime.fromisoformat(data["until"]):
        return Result(ConversationState(), (say(snap, content, "groups.closed"),))
    said = yes_no_answer(snap, content)
    if said is None:
        said = _label_answer(snap, content, data["kind"])
    if said is None:
        return ask_again(snap, content, prompt)
    kind = KINDS[data["kind"]]
    thanks = say(snap, content, kind.thanks_yes if said else kind.thanks_no, **data["values"])
    return Result(ConversationState(), (thanks,), (_effect(data, said),))


def _label_answer(snap: Snapshot, content: Content, kind: str) -> bool | None:
    """ "Coming", "Join", "Not now" typed out, in any language (forgiving of typos and
    of a word cut short, as every choice is)."""
    labels = KINDS[kind].labels
    if labels is None or snap.input.kind != "text":
        return None
    options = [
        Option(value, tuple(content.catalog.all_labels(f"{labels}.{value}")))
        for value in ("yes", "no")
    ]
    chosen = match_choice(snap.input.text, options, content.lexicon)
    return None if chosen is None else chosen == "yes"


def _effect(data: dict, said: bool) -> Effect:
    kind = data["kind"]
    if kind == "invite":
        return AnswerInvitation(data["group"], said)
    if kind == "vote":
        return AnswerVote(data["group"], said)
    if kind == "pulse":
        return RecordMeetingPulse(data["meeting"], said)
    return AnswerRsvp(data["meeting"], said)
