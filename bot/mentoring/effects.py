"""Handlers of the mentoring effects."""

from __future__ import annotations

from bot.audit import SYSTEM
from bot.mentoring import pairing, registry
from bot.models import MentorMatch
from bot.runtime.effects import EffectContext, EffectRegistry
from flows.mentoring.effects import AnswerPairing, RecordPulse, RegisterMentor, RequestMentor


def register(effects: EffectRegistry) -> None:
    effects.add(AnswerPairing, _answer_pairing)
    effects.add(RegisterMentor, _register_mentor)
    effects.add(RequestMentor, _request_mentor)
    effects.add(RecordPulse, _record_pulse)


def _register_mentor(ctx: EffectContext, effect: RegisterMentor) -> None:
    mentor = registry.register(ctx.session, ctx.person, ctx.content, ctx.now, actor=SYSTEM)
    if effect.capacity:
        mentor.capacity = effect.capacity
    mentor.skills = sorted(set(mentor.skills) | set(effect.skills))
    mentor.languages = sorted(set(mentor.languages) | set(effect.languages))
    mentor.abroad_in = effect.abroad_in or mentor.abroad_in
    mentor.years_abroad = (
        effect.years_abroad if effect.years_abroad is not None else mentor.years_abroad
    )
    # When they like to be written to (asked at onboarding) is when they are free.
    mentor.availability = mentor.availability or ctx.person.preferred_time
    mentor.updated_at = ctx.now


def _request_mentor(ctx: EffectContext, effect: RequestMentor) -> None:
    registry.ask_for_mentor(
        ctx.session,
        ctx.person,
        ctx.now,
        actor=SYSTEM,
        via="chat",
        prefers_gender=effect.prefers_gender,
    )


def _answer_pairing(ctx: EffectContext, effect: AnswerPairing) -> None:
    match = ctx.session.get(MentorMatch, effect.match_id, with_for_update=True)
    if match is None:
        return  # erased meanwhile: nothing to answer
    pairing.answered(
        ctx.session, ctx.content, match, effect.role, effect.accepted, effect.reach, ctx.now
    )


def _record_pulse(ctx: EffectContext, effect: RecordPulse) -> None:
    match = ctx.session.get(MentorMatch, effect.match_id, with_for_update=True)
    if match is not None:
        pairing.record_pulse(ctx.session, ctx.content, match, effect, ctx.now)
