"""What members are told about their group, with nothing to answer: the time chosen, a
meeting added, changed or cancelled, the group going on or ending; and the two messages a
member may answer to the facilitator: a check-in after missed meetings, an announcement.
The bot side gives the time already in their own words and timezone (flows/groups/when.py).
"""

from __future__ import annotations

from datetime import datetime

from flows.content import Content
from flows.context import language_of, say
from flows.groups import reply
from flows.types import Message, Result, Snapshot

NOTICES = {
    "added": "groups.meeting_added",
    "change": "groups.changed",
    "cancel": "groups.cancelled",
    "ended": "groups.ended",
    "continues": "groups.continues",
}


def confirmed(snap: Snapshot, content: Content, *, when: str, place: str, count: int) -> Result:
    """The chosen time, the place, and how many weekly meetings the series has."""
    language = language_of(snap, content)
    catalog = content.catalog
    more = (
        catalog.text(language, "groups.series", snap.person.channel, count=count)
        if count > 1
        else ""
    )
    text = say(snap, content, "groups.confirmed", when=when, place=place, more=more)
    return Result(snap.conversation, (Message(" ".join(text.text.split()), (), text.key),))


def notice(
    snap: Snapshot, content: Content, kind: str, *, when: str = "", place: str = ""
) -> Result:
    """News of a meeting, or of the group: their conversation stays where it is."""
    return Result(snap.conversation, (say(snap, content, NOTICES[kind], when=when, place=place),))


def checkin(snap: Snapshot, content: Content, *, group_id: int, until: datetime) -> Result:
    """Kind words after missed meetings; what they answer goes to the facilitator."""
    return _answerable(snap, say(snap, content, "groups.checkin"), group_id, until)


def announcement(
    snap: Snapshot, content: Content, *, group_id: int, facilitator: str, text: str, until: datetime
) -> Result:
    message = say(snap, content, "groups.announcement", facilitator=facilitator, text=text)
    return _answerable(snap, message, group_id, until)


def _answerable(snap: Snapshot, message: Message, group_id: int, until: datetime) -> Result:
    # The runtime never takes over a conversation in progress: there it is news only.
    return Result(reply.listen(group_id, until), (message,))
