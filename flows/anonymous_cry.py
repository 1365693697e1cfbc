"""A cry for help inside an anonymous survey: the person chose not to be known, so they are
asked. The emergency contacts go at once, and so does an anonymous alert to the safeguarding
lead (the words only, no person): a cry always reaches someone, answered or not. Then: "Do
you want someone from our team to contact you?" (Yes first). Yes raises an ordinary alert
with who they are, which they chose; No keeps them anonymous. Either way the survey goes on
where it was; the words are kept out of the inbox.
"""

from __future__ import annotations

from flows.alerts import EMERGENCY
from flows.content import Content
from flows.context import say, yes_no_answer, yes_no_question
from flows.distress.detect import Finding
from flows.types import (
    ConversationState,
    ForgetInput,
    Message,
    RaiseAlert,
    RaiseAnonymousAlert,
    Result,
    Snapshot,
)

NAME = "anonymous_cry"
QUESTION = "followup.anonymous_contact"
DETAIL_MAX = 500


def anonymous(conv: ConversationState) -> bool:
    """In an anonymous survey, or in something opened on top of one (the menu, LANG, the
    stop question) that will return to it."""
    resume = conv.data.get("resume")
    parked = resume.get("data") if isinstance(resume, dict) else None
    return bool(conv.data.get("anonymous")) or bool(
        isinstance(parked, dict) and parked.get("anonymous")
    )


def cry(snap: Snapshot, content: Content, finding: Finding, resume: dict | None) -> Result:
    words = (snap.input.text or "")[:DETAIL_MAX] or None
    state = ConversationState(
        NAME,
        "ask",
        {
            "resume": resume,
            "anonymous": True,
            "reason": finding.reason,
            "severity": finding.severity,
        },
    )
    alert = RaiseAnonymousAlert(finding.reason, finding.severity, words)
    messages = (say(snap, content, EMERGENCY), yes_no_question(snap, content, QUESTION))
    return Result(state, messages, (alert, ForgetInput()))


answer = yes_no_answer


def contact_wanted(snap: Snapshot, content: Content) -> tuple[tuple[Message, ...], tuple]:
    """What Yes says and raises: an alert with who they are (no words: those stay with the
    anonymous alert)."""
    data = snap.conversation.data
    alert = RaiseAlert(str(data.get("reason")), str(data.get("severity")), "asked to be contacted")
    return (say(snap, content, "keyword.agent_ack"),), (alert, ForgetInput())
