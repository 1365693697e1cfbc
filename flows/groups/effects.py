"""Effects of the peer-group flows, applied by bot/groups/effects.py."""

from __future__ import annotations

from dataclasses import dataclass, field

from flows.types import Effect


@dataclass(frozen=True)
class AnswerInvitation(Effect):
    group_id: int
    joined: bool


@dataclass(frozen=True)
class AnswerPoll(Effect):
    """Answers to a poll's times: position (1..5) -> "yes" | "maybe" | "no"."""

    group_id: int
    poll: int
    answers: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class AnswerRsvp(Effect):
    meeting_id: int
    coming: bool


@dataclass(frozen=True)
class RecordMeetingPulse(Effect):
    meeting_id: int
    helpful: bool


@dataclass(frozen=True)
class AnswerVote(Effect):
    """Whether the group should keep meeting after its first series."""

    group_id: int
    keep_meeting: bool


@dataclass(frozen=True)
class RecordAttendance(Effect):
    """The group's facilitator ticked who came, in the chat (person ids)."""

    meeting_id: int
    present: tuple[int, ...] = ()


@dataclass(frozen=True)
class ReplyToGroup(Effect):
    """A member answered the facilitator: their message goes to the facilitator's inbox."""

    group_id: int


@dataclass(frozen=True)
class AskToJoinGroup(Effect):
    """From MENU: they would like to join a peer group."""
