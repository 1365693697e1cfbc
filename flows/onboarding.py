"""Onboarding: language, what the programme is, consent per purpose, a short profile.

Nothing but the language is kept before consent; refusing keeps only the opt-out.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from flows.content import Content
from flows.context import ctx_for, say
from flows.language import MAX_REASKS, language_message, parse_language
from flows.mentoring import signup
from flows.survey import flow as survey
from flows.survey.model import Survey
from flows.types import (
    Activate,
    ConversationState,
    Decline,
    Message,
    RecordConsent,
    Result,
    SetLanguage,
    SetProfile,
    Snapshot,
)

NAME = "onboarding"
PROFILE_SURVEY = "profile"


def start(snap: Snapshot, content: Content) -> Result:
    state = ConversationState(NAME, "language", {"reasks": 0})
    return Result(state, (language_message(content),))


def prompt(
    snap: Snapshot, content: Content, conv: ConversationState, lead: str | None
) -> tuple[Message, ...]:
    if conv.step == "language":
        return (language_message(content),)
    if conv.step in ("consent_messages", "consent_surveys"):
        return (_consent_question(snap, content, conv.step, lead),)
    profile = content.surveys[PROFILE_SURVEY]
    return (survey.prompt(profile, conv.data["survey"], ctx_for(snap, content), lead),)


def handle(snap: Snapshot, content: Content, resumed: bool) -> Result:
    conv = snap.conversation
    if conv.step == "language":
        return _on_language(snap, content)
    if conv.step in ("consent_messages", "consent_surveys"):
        return _on_consent(snap, content, resumed)
    return _on_profile(snap, content, resumed)


def _on_language(snap: Snapshot, content: Content) -> Result:
    conv = snap.conversation
    language = parse_language(snap.input, content)
    if language is None:
        reasks = int(conv.data.get("reasks", 0))
        if reasks < MAX_REASKS:
            state = ConversationState(NAME, "language", {"reasks": reasks + 1})
            return Result(state, (language_message(content),))
        # Gently go on in the programme's language; LANG changes it at any time.
        language = content.default_language
    chosen = _with_language(snap, language)
    state = ConversationState(NAME, "consent_messages", {"reasks": 0})
    messages = (
        say(chosen, content, "onboarding.intro"),
        _consent_question(chosen, content, state.step),
    )
    return Result(state, messages, (SetLanguage(language),))


def _consent_question(
    snap: Snapshot, content: Content, step: str, lead: str | None = None
) -> Message:
    ctx = ctx_for(snap, content)
    question = content.surveys["consent"].question(step)
    message = survey.question_message(question, ctx)
    return Message(
        f"{lead}\n{message.text}" if lead else message.text, message.choices, message.key
    )


def _on_consent(snap: Snapshot, content: Content, resumed: bool) -> Result:
    conv = snap.conversation
    consent = content.surveys["consent"]
    ctx = ctx_for(snap, content)
    state = {"at": conv.step, "answers": {}, **conv.data}
    outcome = survey.step(consent, state, snap.input, ctx, resumed)
    answer = outcome.answers.get(conv.step)
    if conv.step not in outcome.answers:
        data = {k: v for k, v in outcome.state.items() if k in ("reasks", "paused")}
        return Result(ConversationState(NAME, conv.step, data), outcome.messages)
    version = str(content.programme["consent_version"])
    purpose = "messages" if conv.step == "consent_messages" else "surveys"
    record = RecordConsent(purpose, version, answer == "yes")
    if purpose == "messages" and answer != "yes":
        return Result(
            ConversationState(),
            (say(snap, content, "onboarding.declined"),),
            (record, Decline()),
        )
    if purpose == "messages":
        state = ConversationState(NAME, "consent_surveys", {"reasks": 0})
        return Result(state, (_consent_question(snap, content, state.step),), (record,))
    profile = content.surveys[PROFILE_SURVEY]
    started = survey.start(profile, ctx)
    lead = content.catalog.text(ctx.language, "onboarding.thanks", ctx.channel)
    first = started.messages[0]
    messages = (Message(f"{lead}\n{first.text}", first.choices, first.key),)
    return Result(
        ConversationState(NAME, "profile", {"survey": started.state}), messages, (record,)
    )


def _on_profile(snap: Snapshot, content: Content, resumed: bool) -> Result:
    profile = content.surveys[PROFILE_SURVEY]
    ctx = ctx_for(snap, content)
    outcome = survey.step(profile, snap.conversation.data["survey"], snap.input, ctx, resumed)
    effects: list[Any] = []
    fields = profile_fields(profile, outcome.answers)
    if fields:
        effects.append(SetProfile(fields))
    if not outcome.done:
        state = ConversationState(NAME, "profile", {"survey": outcome.state})
        return Result(state, outcome.messages, tuple(effects))
    effects.append(Activate())
    done = say(snap, content, "onboarding.done")
    role = {**snap.person.profile, **fields}.get("role")
    if role == "mentor":
        # They offered to help as a volunteer: their short mentor profile follows.
        started = signup.start(snap, content, outcome.messages)
        return Result(started.conversation, started.messages, tuple(effects))
    return Result(ConversationState(), outcome.messages + (done,), tuple(effects))


def profile_fields(profile: Survey, answers: dict[str, Any]) -> dict[str, Any]:
    """Maps survey answers onto the person's profile columns."""
    fields: dict[str, Any] = {}
    for answer_id, value in answers.items():
        is_other = answer_id.endswith("_other") and answer_id not in {
            q.id for q in profile.questions
        }
        question = profile.question(answer_id.removesuffix("_other") if is_other else answer_id)
        if not question.field:
            continue
        if is_other:
            fields[f"{question.field}_other"] = value
        elif question.type == "date":
            fields[question.field] = date.fromisoformat(value["date"]) if value else None
            fields[f"{question.field}_precision"] = value["precision"] if value else None
        else:
            fields[question.field] = value
    return fields


def _with_language(snap: Snapshot, language: str) -> Snapshot:
    return replace(snap, person=replace(snap.person, language=language))
