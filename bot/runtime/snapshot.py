"""The snapshot of a step the programme starts (a prompt firing, a pairing offer): the
person as flows see them, their conversation, and their local today; no inbound message."""

from __future__ import annotations

from bot.people.local_time import local_today
from bot.people.profile import person_view
from flows.content import Content
from flows.types import ConversationState, Input, Snapshot


def snapshot(
    content: Content, person, contact, conversation, now, consents, today=None
) -> Snapshot:
    """A step the programme starts: `person`, `contact`, `conversation` rows or records."""
    return Snapshot(
        person=person_view(person, contact, consents),
        conversation=ConversationState(
            conversation.flow, conversation.step, dict(conversation.state), conversation.updated_at
        ),
        input=Input("prompt"),
        now=now,
        today=today or local_today(person, content, now),
    )
