"""Handlers of the mentoring effects."""

from __future__ import annotations

from bot.mentoring import pairing
from bot.models import MentorMatch
from bot.runtime.effects import EffectContext, EffectRegistry
from flows.mentoring.effects import AnswerPairing


def register(effects: EffectRegistry) -> None:
    effects.add(AnswerPairing, _answer_pairing)


def _answer_pairing(ctx: EffectContext, effect: AnswerPairing) -> None:
    match = ctx.session.get(MentorMatch, effect.match_id, with_for_update=True)
    if match is None:
        return  # erased meanwhile: nothing to answer
    pairing.answered(
        ctx.session, ctx.content, match, effect.role, effect.accepted, effect.reach, ctx.now
    )
