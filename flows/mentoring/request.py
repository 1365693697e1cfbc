"""Asking for a mentor from MENU: one question, whom they would prefer (a woman, a man, no
preference); then staff match them with a volunteer from their area."""

from __future__ import annotations

from flows.choices import match_choice
from flows.content import Content
from flows.context import language_of, say
from flows.mentoring.asking import ask_again
from flows.mentoring.effects import RequestMentor
from flows.types import Choice, ConversationState, Message, Result, Snapshot

NAME = "mentoring.request"


def start(snap: Snapshot, content: Content) -> Result:
    state = ConversationState(NAME, "gender", {"reasks": 0})
    return Result(state, (_question(snap, content),))


def _question(snap: Snapshot, content: Content, lead: str | None = None) -> Message:
    language = language_of(snap, content)
    values = content.option_sets["mentor_gender"]
    choices = tuple(Choice(v, content.label(language, "mentor_gender", v)) for v in values)
    text = content.catalog.text(language, "mentoring.request.gender", snap.person.channel)
    return Message(f"{lead}\n{text}" if lead else text, choices, "mentoring.request.gender")


def prompt(snap: Snapshot, content: Content, conv: ConversationState, lead: str | None):
    return (_question(snap, content, lead),)


def handle(snap: Snapshot, content: Content, resumed: bool) -> Result:
    inp = snap.input
    options = content.options("mentor_gender")
    if inp.kind == "choice":
        chosen = inp.choice if inp.choice in content.option_sets["mentor_gender"] else None
    elif inp.kind == "text":
        chosen = match_choice(inp.text, options, content.lexicon)
    else:
        chosen = None
    if chosen is None:
        return ask_again(snap, content, prompt)
    effect = RequestMentor(prefers_gender=None if chosen == "any" else chosen)
    return Result(ConversationState(), (say(snap, content, "mentoring.request.done"),), (effect,))
