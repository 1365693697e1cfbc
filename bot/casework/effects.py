"""Handlers of the effects that reach staff: an alert raised, a message handed to a person."""

from __future__ import annotations

from bot.casework.alerts import raise_alert
from bot.casework.handoff import current_assignee
from bot.runtime.effects import EffectContext, EffectRegistry
from flows.types import HandToStaff, RaiseAlert


def register(effects: EffectRegistry) -> None:
    effects.add(HandToStaff, _hand_to_staff)
    effects.add(RaiseAlert, _raise_alert)


def _hand_to_staff(ctx: EffectContext, effect: HandToStaff) -> None:
    if ctx.inbound is not None:
        ctx.inbound.handoff = effect.reason
        ctx.inbound.assigned_to = current_assignee(ctx.session, ctx.person.id)


def _raise_alert(ctx: EffectContext, effect: RaiseAlert) -> None:
    due_hours = ctx.content.programme.get("alert_due_hours")
    raise_alert(
        ctx.session, ctx.person, effect.reason, effect.severity, effect.detail, ctx.now, due_hours
    )
