"""Results: aggregates per instrument and wave (aggregates), kept ahead of time in one row
(snapshot), and the long-format export with its data dictionary (export)."""

from bot.results.aggregates import (
    BREAKDOWNS,
    DISTRIBUTED,
    MIN_CELL,
    NO_WAVE,
    UNKNOWN,
    compute,
    find_question,
    instruments,
    order_waves,
)
from bot.results.snapshot import Snapshot, load_snapshot, refresh, refresh_if_stale

__all__ = [
    "BREAKDOWNS",
    "DISTRIBUTED",
    "MIN_CELL",
    "NO_WAVE",
    "UNKNOWN",
    "Snapshot",
    "compute",
    "find_question",
    "instruments",
    "load_snapshot",
    "order_waves",
    "refresh",
    "refresh_if_stale",
]
