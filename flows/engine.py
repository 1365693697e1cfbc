"""The engine: global keywords first, then the person's current flow.

`handle` is pure: a snapshot in, a Result (new state, messages, effects) out.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from flows import anonymous_cry, menu, onboarding, optout
from flows.alerts import EMERGENCY
from flows.content import Content
from flows.context import language_of, say
from flows.distress.detect import ALERT, Finding
from flows.followup import flow as followup
from flows.groups import attendance, availability, join, question, reply
from flows.keywords import detect_keyword
from flows.language import MAX_REASKS, language_message, parse_language
from flows.mentoring import pairing, pulse, request, signup
from flows.savings import balance, report
from flows.savings.effects import ShowStatement
from flows.types import (
    ConversationState,
    FlagForReview,
    ForgetInput,
    HandToStaff,
    Message,
    NoteComebackHint,
    OptIn,
    OptOut,
    RaiseAlert,
    Result,
    SetLanguage,
    Snapshot,
)
from flows.vocabulary import Keyword

FLOWS = {
    onboarding.NAME: onboarding,
    followup.NAME: followup,
    pairing.NAME: pairing,
    signup.NAME: signup,
    request.NAME: request,
    pulse.NAME: pulse,
    question.NAME: question,
    availability.NAME: availability,
    attendance.NAME: attendance,
    reply.NAME: reply,
    balance.NAME: balance,
    report.NAME: report,
}
# Someone who comes back after this long is greeted, not scolded for an off-topic answer.
RESUME_AFTER = timedelta(hours=12)
# An opted-out person who writes hears how to come back at most once in this time.
HINT_EVERY = timedelta(hours=24)
LANGUAGE_FLOW = "language"


def handle(snap: Snapshot, content: Content) -> Result:
    # A cry for help comes before everything, at every point: onboarding, consent, a survey,
    # after STOP or a refusal. It is never taken as an answer (nor as a name).
    finding = content.distress.detect(snap.input.text, snap.person.language)
    if finding is not None and finding.tier == ALERT:
        if anonymous_cry.anonymous(snap.conversation):
            resume = menu.resume_point(snap.conversation)
            return anonymous_cry.cry(snap, content, finding, resume)
        return _cry(snap, content, finding)
    # A changed old message is read for distress only: it is no new answer.
    edited = snap.input.kind == "edited"
    result = Result(snap.conversation) if edited else _handle(snap, content)
    if finding is None or any(isinstance(e, RaiseAlert | FlagForReview) for e in result.effects):
        return result
    # Possible distress: whatever the flow made of it, a person reads it today.
    flag = FlagForReview(finding.reason, _detail(snap, result, finding))
    return Result(result.conversation, result.messages, (*result.effects, flag))


def _cry(snap: Snapshot, content: Content, finding: Finding) -> Result:
    """The emergency contacts at once, in their language (or the one they wrote in), and an
    alert; what they were doing waits, untouched."""
    speaking = snap
    if snap.person.language is None and finding.language in content.languages:
        speaking = replace(snap, person=replace(snap.person, language=finding.language))
    alert = RaiseAlert(finding.reason, finding.severity, _detail(snap, None, finding))
    return Result(snap.conversation, (say(speaking, content, EMERGENCY),), (alert,))


def _detail(snap: Snapshot, result: Result | None, finding: Finding) -> str | None:
    # Inside an anonymous survey the words stay out of the alert; the alert still goes.
    anonymous = anonymous_cry.anonymous(snap.conversation) or bool(
        result is not None and anonymous_cry.anonymous(result.conversation)
    )
    return None if anonymous else f"said: {finding.said}"


def _handle(snap: Snapshot, content: Content) -> Result:
    keyword = _keyword(snap, content)
    person = snap.person
    if keyword is Keyword.STOP:
        return _stop(snap, content)
    if person.opted_out:
        return _start_again(snap, content) if keyword is Keyword.START else _hint(snap, content)
    conv = snap.conversation
    if conv.flow == optout.NAME and keyword is None:
        return _on_stop_question(snap, content)
    if conv.flow == anonymous_cry.NAME and keyword is None:
        return _on_anonymous_cry(snap, content)
    intent = optout.read_intent(snap, content) if keyword is None else None
    if intent is optout.Intent.CLEAR:
        return _stop(snap, content, "sentence")
    if intent is optout.Intent.UNCLEAR:
        state, question = optout.ask(snap, content, menu.resume_point(conv))
        return Result(state, (question,))
    if conv.idle and person.status != "active":
        return onboarding.start(snap, content)
    if keyword is not None:
        return _on_keyword(keyword, snap, content)
    if snap.input.replying_to_broadcast and snap.input.kind in ("text", "media"):
        # A reply to a broadcast that asked for one is for a person to read, not an answer
        # to a question they had open (which stays open).
        return Result(
            conv, (say(snap, content, "broadcast.reply_thanks"),), (HandToStaff("broadcast_reply"),)
        )
    if conv.flow == LANGUAGE_FLOW:
        return _on_language(snap, content)
    if conv.flow == menu.NAME:
        return _on_menu(snap, content)
    if conv.flow in FLOWS:
        resumed = conv.updated_at is not None and snap.now - conv.updated_at >= RESUME_AFTER
        return FLOWS[conv.flow].handle(snap, content, resumed)
    return _idle(snap, content)


def _keyword(snap: Snapshot, content: Content) -> Keyword | None:
    inp = snap.input
    if inp.provider_keyword in ("STOP", "START", "HELP"):
        return Keyword(inp.provider_keyword.lower())
    if inp.kind == "start":
        return Keyword.START
    if inp.kind == "text" and inp.text:
        return detect_keyword(inp.text, content.lexicon)
    return None


def _on_keyword(keyword: Keyword, snap: Snapshot, content: Content) -> Result:
    conv = snap.conversation
    if keyword is Keyword.START:
        return Result(conv, _prompt(snap, content, conv, None) or (_menu_hint(snap, content),))
    if keyword is Keyword.HELP:
        return _help(snap, content, conv)
    if keyword is Keyword.LANG:
        resume = menu.resume_point(conv)
        state = ConversationState(LANGUAGE_FLOW, "choose", {"resume": resume, "reasks": 0})
        return Result(state, (language_message(content),))
    if keyword is Keyword.MENU:
        state, message = menu.open_menu(snap, content)
        return Result(state, (message,))
    if keyword is Keyword.PROBLEM:
        return _problem(snap, content, conv)
    if keyword is Keyword.BALANCE:
        # The runtime reads the member's ledger and answers (flows/savings/balance.py).
        return Result(conv, (), (ShowStatement(),))
    return _agent(snap, content, conv)


def _stop(snap: Snapshot, content: Content, reason: str = "keyword") -> Result:
    conv = snap.conversation
    if snap.input.provider_keyword == "STOP":
        # The provider already confirmed; a second confirmation would be one too many.
        return Result(conv, (), (OptOut("provider"),))
    if snap.person.opted_out:
        return Result(conv)
    return Result(conv, (say(snap, content, "keyword.stop_confirm"),), (OptOut(reason),))


def _on_stop_question(snap: Snapshot, content: Content) -> Result:
    """Yes: stopped, as with STOP. No: back where they were, the question they were on
    again. Anything else is read as if the question had not been asked."""
    said = optout.answer(snap, content)
    resumed = menu.restore(snap.conversation.data.get("resume"))
    back = replace(snap, conversation=resumed)
    if said is True:
        return _stop(back, content, "asked")
    if said is False:
        return Result(
            resumed, _prompt(back, content, resumed, None) or (_menu_hint(back, content),)
        )
    return _handle(back, content)


def _on_anonymous_cry(snap: Snapshot, content: Content) -> Result:
    """Yes: an alert with who they are, then the survey where it was. No, or anything else:
    the survey where it was (anything else is read as its answer)."""
    said = anonymous_cry.answer(snap, content)
    resumed = menu.restore(snap.conversation.data.get("resume"))
    back = replace(snap, conversation=resumed)
    if said is True:
        messages, effects = anonymous_cry.contact_wanted(snap, content)
        return Result(resumed, messages + _prompt(back, content, resumed, None), effects)
    if said is False:
        return Result(resumed, _prompt(back, content, resumed, None), (ForgetInput(),))
    return _handle(back, content)


def _start_again(snap: Snapshot, content: Content) -> Result:
    conv = snap.conversation
    back = (
        ()
        if snap.input.provider_keyword == "START"
        else (say(snap, content, "keyword.start_confirm"),)
    )
    if conv.idle and snap.person.status != "active":
        started = onboarding.start(snap, content)
        return Result(started.conversation, back + started.messages, (OptIn(),))
    prompt = _prompt(snap, content, conv, None) or (_menu_hint(snap, content),)
    return Result(conv, back + prompt, (OptIn(),))


def _hint(snap: Snapshot, content: Content) -> Result:
    last = snap.person.comeback_hint_at
    if last is not None and snap.now - last < HINT_EVERY:
        return Result(snap.conversation)
    return Result(
        snap.conversation, (say(snap, content, "keyword.comeback_hint"),), (NoteComebackHint(),)
    )


def _help(snap: Snapshot, content: Content, conv: ConversationState) -> Result:
    if snap.input.provider_keyword == "HELP":
        return Result(conv, _prompt(snap, content, conv, None))
    return Result(conv, (say(snap, content, "keyword.help"),) + _prompt(snap, content, conv, None))


def _agent(snap: Snapshot, content: Content, conv: ConversationState) -> Result:
    return Result(
        conv, (say(snap, content, "keyword.agent_ack"),), (HandToStaff("asked_for_person"),)
    )


def _problem(snap: Snapshot, content: Content, conv: ConversationState) -> Result:
    """Something is wrong (with their mentor, say): an alert for their facilitator, at any
    time; whatever they were answering is asked again."""
    alert = RaiseAlert("problem_reported", "medium", "sent PROBLEM")
    ack = say(snap, content, "keyword.problem_ack")
    return Result(conv, (ack,) + _prompt(snap, content, conv, None), (alert,))


def _on_language(snap: Snapshot, content: Content) -> Result:
    conv = snap.conversation
    resumed = menu.restore(conv.data.get("resume"))
    language = parse_language(snap.input, content)
    if language is None:
        reasks = int(conv.data.get("reasks", 0))
        if reasks < MAX_REASKS:
            state = replace(conv, data={**conv.data, "reasks": reasks + 1})
            return Result(state, (language_message(content),))
        return Result(
            resumed, _prompt(snap, content, resumed, None) or (_menu_hint(snap, content),)
        )
    chosen = replace(snap, person=replace(snap.person, language=language))
    changed = say(chosen, content, "language.changed")
    follow = _prompt(chosen, content, resumed, None)
    return Result(resumed, (changed,) + follow, (SetLanguage(language),))


def _on_menu(snap: Snapshot, content: Content) -> Result:
    conv = snap.conversation
    resume = conv.data.get("resume")
    item = menu.parse_item(snap, content)
    restored = menu.restore(resume)
    back = replace(snap, conversation=restored)
    if item is None:
        if restored.flow in FLOWS:
            # Not a menu item: perhaps the answer to the question they were on.
            return FLOWS[restored.flow].handle(back, content, False)
        reasks = int(conv.data.get("reasks", 0))
        if reasks < MAX_REASKS:
            state = replace(conv, data={**conv.data, "reasks": reasks + 1})
            lead = content.catalog.text(_lang(snap, content), "common.not_understood")
            message = menu.menu_message(snap, content, resume)
            return Result(
                state, (Message(f"{lead}\n{message.text}", message.choices, message.key),)
            )
        return _idle(back, content)
    if item == "continue":
        return Result(restored, _prompt(back, content, restored, None))
    if item == "language":
        state = ConversationState(LANGUAGE_FLOW, "choose", {"resume": resume, "reasks": 0})
        return Result(state, (language_message(content),))
    if item == "help":
        return _help(back, content, restored)
    if item == "agent":
        return _agent(back, content, restored)
    if item == "mentor":
        return request.start(back, content)
    if item == "group":
        return join.start(back, content)
    return _stop(back, content)


def _idle(snap: Snapshot, content: Content) -> Result:
    """Nothing is being asked: whatever they wrote goes to a person."""
    inp = snap.input
    if inp.kind == "choice":
        state, message = menu.open_menu(snap, content)
        return Result(state, (message,))
    return Result(
        ConversationState(),
        (say(snap, content, "common.passed_to_team"),),
        (HandToStaff("unhandled" if inp.kind == "text" else "media"),),
    )


def _prompt(
    snap: Snapshot, content: Content, conv: ConversationState, lead: str | None
) -> tuple[Message, ...]:
    flow = FLOWS.get(conv.flow or "")
    if flow is None:
        return ()
    return flow.prompt(snap, content, conv, lead)


def _menu_hint(snap: Snapshot, content: Content) -> Message:
    return say(snap, content, "common.menu_hint")


def _lang(snap: Snapshot, content: Content) -> str:
    return language_of(snap, content)
