"""The survey runner: asks data-defined questions one at a time and validates answers.

Forgiving by design: numbered choices, option words in any shipped language, at most two
re-asks, then a gentle skip (optional question) or a pause that resumes later (required).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flows.choices import Option, match_choice, parse_number, parse_scale, parse_yes_no
from flows.content import Content
from flows.dates import parse_past_date
from flows.survey.model import Question, Survey
from flows.text import normalize
from flows.types import Choice, Input, Message

MAX_REASKS = 2
SKIP = "skip"


@dataclass(frozen=True)
class Ctx:
    content: Content
    language: str
    channel: str
    today: date


@dataclass(frozen=True)
class Outcome:
    state: dict[str, Any]
    messages: tuple[Message, ...] = ()
    # Answers accepted in this step, question id -> value (None = skipped).
    answers: dict[str, Any] = field(default_factory=dict)
    done: bool = False


class _Invalid(Exception):
    pass


def start(survey: Survey, ctx: Ctx, answers: dict[str, Any] | None = None) -> Outcome:
    state = {"survey": survey.id, "version": survey.version, "answers": dict(answers or {})}
    return _advance(survey, state, ctx, after=None, lead=())


def prompt(survey: Survey, state: dict[str, Any], ctx: Ctx, lead: str | None = None) -> Message:
    """The current question again (after HELP, a language change, or a long silence)."""
    question = survey.question(state["at"])
    if state.get("other"):
        return _with_lead(_other_message(question, ctx), lead)
    return _with_lead(question_message(question, ctx), lead)


def step(survey: Survey, state: dict[str, Any], inp: Input, ctx: Ctx, resumed: bool) -> Outcome:
    question = survey.question(state["at"])
    try:
        value = _parse_other(question, inp) if state.get("other") else _parse(question, inp, ctx)
    except _Invalid:
        return _invalid(survey, state, question, inp, ctx, resumed)
    if value == "other" and question.other and not state.get("other"):
        new_state = {**state, "other": True, "reasks": 0, "paused": False}
        answers = {question.id: "other"}
        new_state["answers"] = {**state["answers"], **answers}
        return Outcome(new_state, (_other_message(question, ctx),), answers)
    answer_id = f"{question.id}_other" if state.get("other") else question.id
    accepted = {answer_id: None if value == SKIP else value}
    new_state = {k: v for k, v in state.items() if k not in ("other", "reasks", "paused")}
    new_state["answers"] = {**state["answers"], **accepted}
    outcome = _advance(survey, new_state, ctx, after=question.id, lead=())
    return Outcome(outcome.state, outcome.messages, accepted, outcome.done)


def question_message(question: Question, ctx: Ctx) -> Message:
    catalog = ctx.content.catalog
    text = catalog.text(ctx.language, question.prompt, ctx.channel)
    choices = tuple(Choice(value, label) for value, label in _choice_labels(question, ctx))
    if question.optional and not choices:
        text = f"{text}\n{catalog.text(ctx.language, 'common.skip_hint', ctx.channel)}"
    elif question.optional:
        choices += (Choice(SKIP, catalog.text(ctx.language, "common.skip")),)
    return Message(text=text, choices=choices, key=question.prompt)


def _choice_labels(question: Question, ctx: Ctx) -> list[tuple[str, str]]:
    content = ctx.content
    if question.type == "choice":
        return [
            (v, content.label(ctx.language, question.options, v, ctx.channel))
            for v in _values(question, ctx)
        ]
    if question.type == "yesno":
        return [(v, content.label(ctx.language, "yesno", v)) for v in ("yes", "no")]
    if question.type == "scale":
        low, high = question.minimum or 1, question.maximum or 5
        catalog = content.catalog
        labels = []
        for n in range(low, high + 1):
            key = f"{question.prompt}.{n}"
            labels.append(
                (
                    str(n),
                    catalog.text(ctx.language, key) if catalog.has(ctx.language, key) else str(n),
                )
            )
        return labels
    return []


def _values(question: Question, ctx: Ctx) -> tuple[str, ...]:
    return ctx.content.option_sets[question.options]


def _other_message(question: Question, ctx: Ctx) -> Message:
    key = f"{question.prompt}.other"
    return Message(ctx.content.catalog.text(ctx.language, key, ctx.channel), key=key)


def _skip_option(ctx: Ctx) -> Option:
    return Option(SKIP, ctx.content.catalog.all_labels("common.skip"))


def is_skip(text: str, ctx: Ctx) -> bool:
    """SKIP, or a word meaning it, in the person's language."""
    return _is_skip(text, ctx)


def _is_skip(text: str, ctx: Ctx) -> bool:
    said = normalize(text)
    return said in {normalize(label) for label in _skip_option(ctx).labels} or said == "-"


def _parse(question: Question, inp: Input, ctx: Ctx) -> Any:
    if inp.kind == "choice":
        allowed = {v for v, _ in _choice_labels(question, ctx)}
        if question.optional:
            allowed.add(SKIP)
        if inp.choice in allowed:
            return (
                int(inp.choice) if question.type == "scale" and inp.choice != SKIP else inp.choice
            )
        raise _Invalid
    text = (inp.text or "").strip()
    if inp.kind != "text" or not text:
        raise _Invalid
    if question.optional and _is_skip(text, ctx):
        return SKIP
    if question.type in ("choice", "yesno"):
        set_name = question.options if question.type == "choice" else "yesno"
        options = list(ctx.content.options(set_name))
        if question.optional:
            options.append(_skip_option(ctx))
        value = match_choice(text, options, ctx.content.lexicon)
        if value is None and question.type == "yesno":
            yes = parse_yes_no(text, ctx.content.lexicon)
            value = None if yes is None else ("yes" if yes else "no")
        if value is None:
            raise _Invalid
        return value
    if question.type == "scale":
        low, high = question.minimum or 1, question.maximum or 5
        value = parse_scale(text, low, high, ctx.content.lexicon)
        if value is None:
            raise _Invalid
        return value
    if question.type == "number":
        value = parse_number(text, ctx.content.lexicon)
        if value is None or not _within(question, value):
            raise _Invalid
        return value
    if question.type == "date":
        parsed = parse_past_date(text, ctx.today, ctx.content.lexicon)
        if parsed is None:
            raise _Invalid
        return {"date": parsed.value.isoformat(), "precision": parsed.precision}
    return text[: question.max_length]


def _parse_other(question: Question, inp: Input) -> str:
    text = (inp.text or "").strip()
    if inp.kind != "text" or not text:
        raise _Invalid
    return text[: question.max_length]


def _within(question: Question, value: int) -> bool:
    if question.minimum is not None and value < question.minimum:
        return False
    return question.maximum is None or value <= question.maximum


def _invalid(survey, state, question, inp, ctx: Ctx, resumed: bool) -> Outcome:
    catalog = ctx.content.catalog
    if resumed or state.get("paused"):
        # Back after a long silence: greet and ask again, without counting it against them.
        lead = catalog.text(ctx.language, "common.welcome_back", ctx.channel)
        new_state = {**state, "reasks": 0, "paused": False}
        return Outcome(new_state, (prompt(survey, new_state, ctx, lead),))
    reasks = int(state.get("reasks", 0))
    if reasks < MAX_REASKS:
        lead_key = "common.text_only" if inp.kind in ("media", "unsupported") else _hint(question)
        lead = catalog.text(ctx.language, lead_key, ctx.channel)
        new_state = {**state, "reasks": reasks + 1}
        return Outcome(new_state, (prompt(survey, new_state, ctx, lead),))
    if question.optional:
        lead = catalog.text(ctx.language, "common.skipping", ctx.channel)
        skipped = {question.id: None}
        base = {k: v for k, v in state.items() if k not in ("other", "reasks", "paused")}
        base["answers"] = {**state["answers"], **skipped}
        outcome = _advance(survey, base, ctx, after=question.id, lead=(lead,))
        return Outcome(outcome.state, outcome.messages, skipped, outcome.done)
    # A required question: stop asking for now; the next message resumes here.
    new_state = {**state, "reasks": 0, "paused": True}
    paused = Message(catalog.text(ctx.language, "common.paused", ctx.channel), key="common.paused")
    return Outcome(new_state, (paused,))


def _hint(question: Question) -> str:
    return {
        "date": "common.not_understood_date",
        "number": "common.not_understood_number",
    }.get(question.type, "common.not_understood")


def _advance(survey: Survey, state, ctx: Ctx, after: str | None, lead: tuple[str, ...]) -> Outcome:
    ids = [q.id for q in survey.questions]
    index = 0 if after is None else ids.index(after) + 1
    catalog = ctx.content.catalog
    for question in survey.questions[index:]:
        # A sensitive question with no neutral SMS wording is not asked on SMS.
        if catalog.withheld(ctx.language, question.prompt, ctx.channel):
            continue
        if question.applies(state["answers"]):
            new_state = {**state, "at": question.id, "reasks": 0}
            message = _with_lead(question_message(question, ctx), "\n".join(lead) or None)
            return Outcome(new_state, (message,))
    done_state = {k: v for k, v in state.items() if k != "at"}
    leads = tuple(Message(text) for text in lead)
    return Outcome(done_state, leads, done=True)


def _with_lead(message: Message, lead: str | None) -> Message:
    if not lead:
        return message
    return Message(f"{lead}\n{message.text}", message.choices, message.key)
