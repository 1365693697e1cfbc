"""Handlers of the follow-up effects, and follow-up's part of enrolment (the plan)."""

from __future__ import annotations

from bot.audit import SYSTEM, audit
from bot.followup.plans import enrol
from bot.followup.responses import record_response
from bot.models import ScheduledPrompt
from bot.people.local_time import local_today
from bot.runtime.effects import EffectContext, EffectRegistry
from flows.followup.effects import PromptAnswered, RecordResponse, SetOutcome
from flows.types import Activate
from flows.vocabulary import PromptStatus

ANSWERABLE = (PromptStatus.OPEN, PromptStatus.PENDING, PromptStatus.WAITING)


def register(effects: EffectRegistry) -> None:
    effects.add(Activate, _enrol)
    effects.add(RecordResponse, _record_response)
    effects.add(PromptAnswered, _prompt_answered)
    effects.add(SetOutcome, _set_outcome)


def _enrol(ctx: EffectContext, effect: Activate) -> None:
    enrol(ctx.session, ctx.person, ctx.content, ctx.now)


def _record_response(ctx: EffectContext, effect: RecordResponse) -> None:
    today = local_today(ctx.person, ctx.content, ctx.now)
    record_response(ctx.session, ctx.person, ctx.contact, effect, today)


def _prompt_answered(ctx: EffectContext, effect: PromptAnswered) -> None:
    prompt = ctx.session.get(ScheduledPrompt, effect.prompt_id)
    if prompt is not None and prompt.status in ANSWERABLE:
        prompt.status, prompt.answered_at = PromptStatus.ANSWERED, ctx.now
    ctx.person.missed_in_row = 0


def _set_outcome(ctx: EffectContext, effect: SetOutcome) -> None:
    ctx.person.outcome, ctx.person.outcome_at = effect.outcome, ctx.now
    audit(ctx.session, SYSTEM, "person.outcome", ctx.person.id, ctx.now, outcome=effect.outcome)
