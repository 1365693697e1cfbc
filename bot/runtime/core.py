"""Handlers of the spine's own effects (flows/types.py): language, profile, consent,
enrolment, declining, opting out and back in, and forgetting what was just said."""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy import update

from bot.audit import PERSON, audit
from bot.integrations.events import enrolled
from bot.messaging.optout import opt_in, opt_out
from bot.models import Inbound, Outbound
from bot.people.assignment import facilitator_for_district
from bot.people.consents import record_consent
from bot.people.profile import PROFILE_FIELDS
from bot.runtime.effects import EffectContext, EffectRegistry
from flows.types import (
    Activate,
    Decline,
    ForgetInput,
    NoteComebackHint,
    OptIn,
    OptOut,
    RecordConsent,
    SetLanguage,
    SetProfile,
)
from flows.vocabulary import OutboundStatus, PersonStatus

log = logging.getLogger(__name__)


def register(effects: EffectRegistry) -> None:
    effects.add(SetLanguage, _set_language)
    effects.add(SetProfile, _set_profile)
    effects.add(RecordConsent, _record_consent)
    effects.add(Activate, _activate)
    effects.add(Decline, _decline)
    effects.add(OptOut, _opt_out)
    effects.add(OptIn, _opt_in)
    effects.add(NoteComebackHint, _note_comeback_hint)
    effects.add(ForgetInput, _forget_input)


def _set_language(ctx: EffectContext, effect: SetLanguage) -> None:
    ctx.person.language = effect.language


def _set_profile(ctx: EffectContext, effect: SetProfile) -> None:
    changed = {}
    for name, value in effect.fields.items():
        if name not in PROFILE_FIELDS:
            log.warning("flow tried to set unknown profile field %s", name)
            continue
        setattr(ctx.person, name, value)
        changed[name] = value.isoformat() if isinstance(value, date) else value
    audit(ctx.session, PERSON, "profile.update", ctx.person.id, ctx.now, fields=sorted(changed))


def _record_consent(ctx: EffectContext, effect: RecordConsent) -> None:
    record_consent(
        ctx.session,
        ctx.person.id,
        effect.purpose,
        effect.granted,
        effect.version,
        ctx.contact.channel,
        ctx.now,
    )


def _activate(ctx: EffectContext, effect: Activate) -> None:
    person = ctx.person
    person.status = PersonStatus.ACTIVE
    audit(ctx.session, PERSON, "enrolled", person.id, ctx.now, channel=ctx.contact.channel)
    enrolled(ctx.session, person, ctx.now, "bot")
    if person.facilitator_id is None:
        # Someone who covers their district hears from them from the first day.
        person.facilitator_id = facilitator_for_district(ctx.session, person.district)


def _decline(ctx: EffectContext, effect: Decline) -> None:
    """Consent refused: forget everything but the opt-out (and the language to say so in)."""
    person = ctx.person
    for name in PROFILE_FIELDS:
        setattr(person, name, None)
    person.status = PersonStatus.DECLINED
    opt_out(ctx.session, person, ctx.contact, "declined", ctx.now)
    ctx.session.exec(
        update(Inbound).where(Inbound.person_id == person.id).values(text=None, choice=None)
    )
    ctx.session.exec(
        update(Outbound)
        .where(Outbound.person_id == person.id, Outbound.status != OutboundStatus.PENDING)
        .values(body="", choices=[])
    )


def _opt_out(ctx: EffectContext, effect: OptOut) -> None:
    opt_out(ctx.session, ctx.person, ctx.contact, effect.reason, ctx.now)


def _opt_in(ctx: EffectContext, effect: OptIn) -> None:
    opt_in(ctx.session, ctx.person, ctx.contact, ctx.now)


def _note_comeback_hint(ctx: EffectContext, effect: NoteComebackHint) -> None:
    ctx.contact.comeback_hint_at = ctx.now


def _forget_input(ctx: EffectContext, effect: ForgetInput) -> None:
    if ctx.inbound is not None:
        ctx.inbound.text, ctx.inbound.choice = None, None
