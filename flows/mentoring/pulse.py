"""During and at the end of a mentoring cycle:

- the mentee's monthly pulse: "How is it going with {name}?" 1 to 5, then a comment or SKIP;
  2 or less raises an alert for their facilitator;
- the mentor's monthly log: "Were you in touch with {name} this month?" Yes / No;
- the evaluation at the end: the mentee's 1 to 5 and what next (keep meeting, another
  mentor, close), the mentor's 1 to 5.

`start` is called by the mentoring tick; `handle` takes the answers. Each finished answer is a
RecordPulse effect; nothing a mentee says here is shown to the mentor.
"""

from __future__ import annotations

from flows.choices import Option, match_choice, parse_scale
from flows.content import Content
from flows.context import ctx_for, language_of, say, yes_no_answer, yes_no_question
from flows.mentoring.asking import ask_again
from flows.mentoring.effects import RecordPulse
from flows.survey.flow import is_skip
from flows.types import (
    Choice,
    ConversationState,
    Message,
    RaiseAlert,
    Result,
    Snapshot,
)

NAME = "mentoring.pulse"
KINDS = ("pulse", "log", "evaluation")
LOW = 2  # a pulse this low or lower: a person looks at it
NEXT = ("continue", "rematch", "close")
COMMENT_MAX = 500


def start(
    snap: Snapshot,
    content: Content,
    *,
    match_id: int,
    kind: str,
    role: str,
    month: int,
    name: str,
) -> Result:
    if kind not in KINDS or role not in ("mentee", "mentor"):
        raise ValueError(f"pulse: kind {kind!r}, role {role!r}")
    data = {"match": match_id, "kind": kind, "role": role, "month": month, "name": name}
    step = "touch" if kind == "log" else "score"
    state = ConversationState(NAME, step, {**data, "reasks": 0})
    return Result(state, (_question(snap, content, state),))


def _key(conv: ConversationState) -> str:
    data = conv.data
    if conv.step == "touch":
        return "mentoring.log.touch"
    if conv.step == "score":
        return f"mentoring.{data['kind']}.{data['role']}.score"
    return f"mentoring.{data['kind']}.{conv.step}"


def _question(snap: Snapshot, content: Content, conv: ConversationState, lead=None) -> Message:
    values = {"name": conv.data["name"]}
    if conv.step == "touch":
        message = yes_no_question(snap, content, _key(conv), **values)
    elif conv.step == "next":
        language = language_of(snap, content)
        choices = tuple(
            Choice(v, content.catalog.text(language, f"mentoring.next.{v}")) for v in NEXT
        )
        text = content.catalog.text(language, _key(conv), snap.person.channel, **values)
        message = Message(text, choices, _key(conv))
    else:
        message = say(snap, content, _key(conv), **values)
    if lead:
        message = Message(f"{lead}\n{message.text}", message.choices, message.key)
    return message


def prompt(snap: Snapshot, content: Content, conv: ConversationState, lead: str | None):
    return (_question(snap, content, conv, lead),)


def handle(snap: Snapshot, content: Content, resumed: bool) -> Result:
    conv = snap.conversation
    data = conv.data
    if conv.step == "touch":
        said = yes_no_answer(snap, content)
        if said is None:
            return ask_again(snap, content, prompt)
        return _done(snap, content, score=1 if said else 0)
    if conv.step == "score":
        score = (
            parse_scale(snap.input.text, 1, 5, content.lexicon)
            if snap.input.kind == "text"
            else None
        )
        if snap.input.kind == "choice" and (snap.input.choice or "").isdigit():
            score = int(snap.input.choice)
        if score is None or not 1 <= score <= 5:
            return ask_again(snap, content, prompt)
        following = "comment" if data["kind"] == "pulse" else "next"
        if data["kind"] == "evaluation" and data["role"] == "mentor":
            return _done(snap, content, score=score)
        state = ConversationState(NAME, following, {**data, "score": score, "reasks": 0})
        return Result(state, (_question(snap, content, state),))
    if conv.step == "comment":
        text = snap.input.text if snap.input.kind == "text" else None
        if not text:
            return ask_again(snap, content, prompt)
        comment = None if is_skip(text, ctx_for(snap, content)) else text[:COMMENT_MAX]
        return _done(snap, content, score=data["score"], comment=comment)
    # "next": what the mentee wants after the cycle
    inp = snap.input
    if inp.kind == "choice":
        chosen = inp.choice if inp.choice in NEXT else None
    else:
        options = [_option(content, v) for v in NEXT]
        chosen = match_choice(inp.text, options, content.lexicon) if inp.kind == "text" else None
    if chosen is None:
        return ask_again(snap, content, prompt)
    return _done(snap, content, score=data["score"], outcome=chosen)


def _option(content: Content, value: str) -> Option:
    return Option(value, content.catalog.all_labels(f"mentoring.next.{value}"))


def _done(snap, content, *, score, comment=None, outcome=None) -> Result:
    data = snap.conversation.data
    record = RecordPulse(
        data["match"], data["kind"], data["role"], data["month"], score, comment, outcome
    )
    effects: tuple = (record,)
    if data["kind"] in ("pulse", "evaluation") and data["role"] == "mentee" and score <= LOW:
        effects += (
            RaiseAlert("mentor_pulse_low", "medium", f"mentoring {data['kind']}: {score}/5"),
        )
    thanks = say(snap, content, f"mentoring.thanks.{outcome or data['kind']}", name=data["name"])
    return Result(ConversationState(), (thanks,), effects)
