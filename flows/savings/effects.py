"""Effects of the savings flows, applied by bot/savings/effects.py."""

from __future__ import annotations

from dataclasses import dataclass, field

from flows.types import Effect


@dataclass(frozen=True)
class ShowStatement(Effect):
    """BALANCE: the member's own statement (an officer's also has the group's totals). The
    runtime reads the ledger and renders it with flows/savings/statement.py."""


@dataclass(frozen=True)
class ChooseDetails(Effect):
    """Whether amounts may appear in this member's messages (over SMS above all); when they
    said yes to see them, their statement follows."""

    show: bool
    then_statement: bool = False


@dataclass(frozen=True)
class RecordSavingsMeeting(Effect):
    """The officer confirmed a meeting's record in the chat (flows/savings/recording.py's
    MeetingReport as a dict)."""

    group_id: int
    meeting_id: int
    report: dict = field(default_factory=dict)
