"""A volunteer's short mentor profile, asked right after onboarding when they chose to help
as a volunteer (content/flows/mentor_profile.yaml): where they lived abroad and how long,
what they could help with, how many people at once, other languages. At the end they are
registered as a mentor who applied; staff record screening and training."""

from __future__ import annotations

from typing import Any

from flows.content import Content
from flows.context import ctx_for, say
from flows.mentoring.effects import RegisterMentor
from flows.survey import flow as survey
from flows.types import ConversationState, Message, Result, Snapshot

NAME = "mentoring.signup"
PROFILE = "mentor_profile"


def start(snap: Snapshot, content: Content, lead: tuple[Message, ...] = ()) -> Result:
    started = survey.start(content.surveys[PROFILE], ctx_for(snap, content))
    intro = say(snap, content, "mentoring.signup.intro")
    state = ConversationState(NAME, "profile", {"survey": started.state})
    return Result(state, (*lead, intro, *started.messages))


def prompt(snap: Snapshot, content: Content, conv: ConversationState, lead: str | None):
    profile = content.surveys[PROFILE]
    return (survey.prompt(profile, conv.data["survey"], ctx_for(snap, content), lead),)


def handle(snap: Snapshot, content: Content, resumed: bool) -> Result:
    profile = content.surveys[PROFILE]
    conv = snap.conversation
    outcome = survey.step(profile, conv.data["survey"], snap.input, ctx_for(snap, content), resumed)
    answers = {**conv.data.get("answers", {}), **outcome.answers}
    if not outcome.done:
        state = ConversationState(NAME, "profile", {"survey": outcome.state, "answers": answers})
        return Result(state, outcome.messages)
    done = say(snap, content, "mentoring.signup.done")
    return Result(ConversationState(), (*outcome.messages, done), (_register(answers),))


def _register(answers: dict[str, Any]) -> RegisterMentor:
    capacity = answers.get("capacity")
    languages = [
        part.strip()[:20] for part in str(answers.get("languages") or "").split(",") if part.strip()
    ]
    helps = answers.get("helps_with")
    return RegisterMentor(
        capacity=int(capacity) if capacity else None,
        skills=(helps,) if helps else (),
        abroad_in=(answers.get("abroad_in") or None),
        years_abroad=answers.get("years_abroad"),
        languages=tuple(languages[:5]),
    )
