"""Follow-up prompts: check-ins, the reintegration survey, feedback, information, closure.

`start` is called by the scheduler when a prompt fires; `handle` takes each answer.
Flagged answers and low scores raise alerts and answer at once with emergency contacts.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flows.alerts import EMERGENCY, Danger, answer_danger, score_dangers
from flows.choices import match_choice, parse_yes_no
from flows.content import Content
from flows.context import ctx_for, say, spoken_language
from flows.followup.effects import PromptAnswered, RecordResponse, SetOutcome
from flows.survey import flow as survey
from flows.survey.scoring import score
from flows.types import (
    Choice,
    ConversationState,
    ForgetInput,
    Message,
    PromptView,
    RaiseAlert,
    Result,
    Snapshot,
)

NAME = "followup"
MAX_REASKS = 2


def start(snap: Snapshot, content: Content, prompt: PromptView) -> Result:
    if prompt.kind in ("info", "closure"):
        effects: tuple[Any, ...] = (PromptAnswered(prompt.id),)
        if prompt.kind == "closure":
            effects += (SetOutcome("completed"),)
        return Result(
            snap.conversation, (say(snap, content, prompt.message or "followup.closure"),), effects
        )
    instrument = content.surveys[prompt.instrument or ""]
    data = {"prompt": _prompt_dict(prompt), "reasks": 0}
    intro = (say(snap, content, instrument.intro),) if instrument.intro else ()
    if instrument.anonymous:
        state = ConversationState(NAME, "anonymous", data)
        return Result(state, intro + (_anonymous_question(snap, content),))
    return _begin(snap, content, data, intro, anonymous=False)


def opening_key(
    content: Content, prompt: PromptView, language: str | None, channel: str, today: date
) -> tuple | None:
    """Everything `start` reads for a survey prompt: the prompt but its id, and the person's
    language, channel and local day (not their profile, nor their conversation). Prompts
    with equal keys open alike but for the prompt's id, so a batch renders each opening
    once (`reopen`); None for information and closure, whose effects name the prompt."""
    if prompt.kind in ("info", "closure"):
        return None
    spoken = spoken_language(language, content)
    return (prompt.kind, prompt.instrument, prompt.message, prompt.wave, spoken, channel, today)


def reopen(opening: Result, prompt: PromptView) -> Result:
    """`opening`, the result of `start` for a prompt with the same `opening_key`, for
    `prompt` (tests/flows/test_opening.py checks the two agree)."""
    conv = opening.conversation
    data = {**conv.data, "prompt": _prompt_dict(prompt)}
    return Result(ConversationState(conv.flow, conv.step, data), opening.messages, opening.effects)


def prompt(
    snap: Snapshot, content: Content, conv: ConversationState, lead: str | None
) -> tuple[Message, ...]:
    """The current question again (after HELP, LANG, MENU or a reminder)."""
    if conv.step == "anonymous":
        message = _anonymous_question(snap, content)
        return (
            Message(
                f"{lead}\n{message.text}" if lead else message.text, message.choices, message.key
            ),
        )
    instrument = content.surveys[conv.data["prompt"]["instrument"]]
    return (survey.prompt(instrument, conv.data["survey"], ctx_for(snap, content), lead),)


def remind(snap: Snapshot, content: Content) -> tuple[Message, ...]:
    lead = content.catalog.text(
        ctx_for(snap, content).language, "followup.reminder", snap.person.channel
    )
    return prompt(snap, content, snap.conversation, lead)


def handle(snap: Snapshot, content: Content, resumed: bool) -> Result:
    conv = snap.conversation
    if conv.step == "anonymous":
        return _on_anonymous(snap, content)
    return _on_answer(snap, content, resumed)


def _prompt_dict(prompt: PromptView) -> dict[str, Any]:
    return {
        "id": prompt.id,
        "kind": prompt.kind,
        "instrument": prompt.instrument,
        "wave": prompt.wave,
    }


def _anonymous_question(snap: Snapshot, content: Content) -> Message:
    ctx = ctx_for(snap, content)
    message = say(snap, content, "feedback.anonymous")
    choices = tuple(Choice(v, content.label(ctx.language, "yesno", v)) for v in ("yes", "no"))
    return Message(message.text, choices, message.key)


def _on_anonymous(snap: Snapshot, content: Content) -> Result:
    conv = snap.conversation
    inp = snap.input
    answer = None
    if inp.kind == "choice" and inp.choice in ("yes", "no"):
        answer = inp.choice
    elif inp.kind == "text":
        answer = match_choice(inp.text, content.options("yesno"), content.lexicon)
        if answer is None and (yes := parse_yes_no(inp.text, content.lexicon)) is not None:
            answer = "yes" if yes else "no"
    if answer is None:
        reasks = int(conv.data.get("reasks", 0))
        if reasks < MAX_REASKS:
            lead = content.catalog.text(
                ctx_for(snap, content).language, "common.not_understood", snap.person.channel
            )
            state = ConversationState(NAME, "anonymous", {**conv.data, "reasks": reasks + 1})
            message = _anonymous_question(snap, content)
            return Result(
                state, (Message(f"{lead}\n{message.text}", message.choices, message.key),)
            )
        answer = "yes"  # unsure: protect them
    anonymous = answer == "yes"
    lead = (say(snap, content, "feedback.anonymous_note"),) if anonymous else ()
    result = _begin(snap, content, {**conv.data, "reasks": 0}, lead, anonymous)
    return Result(
        result.conversation,
        result.messages,
        result.effects + ((ForgetInput(),) if anonymous else ()),
    )


def _begin(
    snap: Snapshot, content: Content, data: dict, lead: tuple[Message, ...], anonymous: bool
) -> Result:
    instrument = content.surveys[data["prompt"]["instrument"]]
    started = survey.start(instrument, ctx_for(snap, content))
    state = ConversationState(
        NAME, "survey", {**data, "anonymous": anonymous, "survey": started.state}
    )
    return Result(state, lead + started.messages)


def _on_answer(snap: Snapshot, content: Content, resumed: bool) -> Result:
    conv = snap.conversation
    data = conv.data
    instrument = content.surveys[data["prompt"]["instrument"]]
    anonymous = bool(data.get("anonymous"))
    outcome = survey.step(instrument, data["survey"], snap.input, ctx_for(snap, content), resumed)
    effects: list[Any] = [ForgetInput()] if anonymous else []
    dangers = [
        d for qid, value in outcome.answers.items() if (d := _answer_danger(instrument, qid, value))
    ]
    if not outcome.done:
        state = ConversationState(NAME, "survey", {**data, "survey": outcome.state})
        return _with_dangers(
            snap, content, Result(state, outcome.messages, tuple(effects)), dangers, anonymous
        )
    answers = outcome.state["answers"]
    scores = score(instrument, answers)
    dangers += score_dangers(instrument, scores)
    prompt_id = data["prompt"]["id"]
    effects.append(
        RecordResponse(
            prompt_id=None if anonymous else prompt_id,
            instrument=instrument.id,
            version=instrument.version,
            wave=data["prompt"].get("wave"),
            answers=answers,
            items=scores.items,
            dimensions=scores.dimensions,
            composite=scores.composite,
            anonymous=anonymous,
        )
    )
    effects.append(PromptAnswered(prompt_id))
    messages = outcome.messages + (say(snap, content, "followup.thanks"),)
    return _with_dangers(
        snap, content, Result(ConversationState(), messages, tuple(effects)), dangers, anonymous
    )


def _answer_danger(instrument, question_id: str, value: Any) -> Danger | None:
    base = question_id.removesuffix("_other")
    if base not in {q.id for q in instrument.questions} or base != question_id:
        return None
    return answer_danger(instrument.question(question_id), value)


def _with_dangers(
    snap: Snapshot, content: Content, result: Result, dangers: list[Danger], anonymous: bool
) -> Result:
    """Danger is answered at once with the emergency contacts, and a person is told."""
    if not dangers:
        return result
    alerts = tuple(
        # Anonymous answers still reach a person when someone is in danger, without the answer.
        RaiseAlert(d.reason, d.severity, None if anonymous else d.detail)
        for d in dangers
    )
    emergency = say(snap, content, EMERGENCY)
    return Result(result.conversation, (emergency, *result.messages), result.effects + alerts)
