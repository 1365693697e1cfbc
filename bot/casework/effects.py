"""Handlers of the effects that reach staff: an alert raised, a message handed to a person."""

from __future__ import annotations

from datetime import timedelta

from bot.audit import SYSTEM, audit
from bot.casework.alerts import raise_alert
from bot.casework.handoff import current_assignee
from bot.runtime.effects import EffectContext, EffectRegistry
from flows.types import FlagForReview, HandToStaff, RaiseAlert, RaiseAnonymousAlert

# Possible distress is read the same day: within this many hours unless the programme says.
DEFAULT_REVIEW_HOURS = 4
POSSIBLE_DISTRESS = "possible_distress"


def register(effects: EffectRegistry) -> None:
    effects.add(HandToStaff, _hand_to_staff)
    effects.add(RaiseAlert, _raise_alert)
    effects.add(RaiseAnonymousAlert, _raise_anonymous_alert)
    effects.add(FlagForReview, _flag_for_review)


def _hand_to_staff(ctx: EffectContext, effect: HandToStaff) -> None:
    if ctx.inbound is not None and ctx.inbound.handoff != POSSIBLE_DISTRESS:
        ctx.inbound.handoff = effect.reason
        ctx.inbound.assigned_to = current_assignee(ctx.session, ctx.person.id)


def _flag_for_review(ctx: EffectContext, effect: FlagForReview) -> None:
    """The message itself goes to the inbox, first, with the time a person must read it by."""
    if ctx.inbound is None:
        return
    hours = float(ctx.content.programme.get("review_due_hours", DEFAULT_REVIEW_HOURS))
    ctx.inbound.handoff = POSSIBLE_DISTRESS
    ctx.inbound.review_due_at = ctx.now + timedelta(hours=hours)
    ctx.inbound.assigned_to = current_assignee(ctx.session, ctx.person.id)
    audit(
        ctx.session,
        SYSTEM,
        "inbox.flagged",
        ctx.person.id,
        ctx.now,
        inbound_id=ctx.inbound.id,
        reason=effect.reason,
    )


def _raise_alert(ctx: EffectContext, effect: RaiseAlert) -> None:
    # A cry for help after an earlier one, however long ago, joins the alert still open.
    cries = ctx.content.distress.reasons
    raise_alert(
        ctx.session,
        ctx.person,
        effect.reason,
        effect.severity,
        effect.detail,
        ctx.now,
        ctx.content.programme,
        joins=cries if effect.reason in cries else (),
        # Without a detail (an anonymous answer) the message is not linked either.
        inbound_id=ctx.inbound.id if ctx.inbound is not None and effect.detail else None,
    )


def _raise_anonymous_alert(ctx: EffectContext, effect: RaiseAnonymousAlert) -> None:
    """No person and no message linked: the safeguarding lead owns it, and it is never
    folded into another (two anonymous cries are two people, as far as anyone knows)."""
    raise_alert(
        ctx.session,
        None,
        effect.reason,
        effect.severity,
        effect.detail,
        ctx.now,
        ctx.content.programme,
    )
