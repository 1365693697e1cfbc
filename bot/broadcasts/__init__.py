"""Broadcasts: one message from staff to many people, a text per language. Who (audience),
what it costs (estimate), sending it and how far it got (sending)."""

from bot.broadcasts.audience import Recipient, audience
from bot.broadcasts.estimate import MAX_LENGTH, BroadcastError, Preview, clean_texts, preview
from bot.broadcasts.sending import STATUSES, Progress, progress, progress_many, send, test_send

__all__ = [
    "MAX_LENGTH",
    "STATUSES",
    "BroadcastError",
    "Preview",
    "Progress",
    "Recipient",
    "audience",
    "clean_texts",
    "preview",
    "progress",
    "progress_many",
    "send",
    "test_send",
]
