"""Provider errors and statuses mapped to what the outbox does about them, in one table per
provider."""

from __future__ import annotations

import httpx
from telegram import error as tg

from bot.channels.base import SendError

# Twilio REST error codes (https://www.twilio.com/docs/api/errors).
TWILIO_CODES: dict[int, str] = {
    21610: "opted_out",  # the recipient replied STOP to this sender
    21211: "unreachable",  # invalid 'To' number
    21214: "unreachable",  # 'To' number cannot be reached
    21408: "permanent",  # region not enabled on the account
    21612: "unreachable",  # cannot route to this number
    21614: "unreachable",  # not a mobile number
    21617: "permanent",  # body too long
    20003: "retry",  # authentication: retried so a fixed token lets it through
    20429: "retry",  # too many requests
    30001: "retry",  # queue overflow
}

# Delivery-report error codes that mean this number will not receive SMS from us, and the
# reason the contact is stopped for.
TWILIO_UNDELIVERABLE: dict[int, str] = {
    21610: "opted_out",  # they replied STOP to this sender
    30004: "undeliverable",  # message blocked
    30005: "undeliverable",  # unknown destination handset
    30006: "undeliverable",  # landline or unreachable carrier
}


# Twilio's message statuses by how far along they are (callbacks can arrive out of order),
# and the ones that end a message as not delivered.
TWILIO_PROGRESS = {"queued": 1, "accepted": 1, "sending": 2, "sent": 3, "delivered": 4, "read": 5}
TWILIO_FINAL_FAILURES = frozenset({"failed", "undelivered"})


def twilio_error(status: int, code: int | None, message: str) -> SendError:
    kind = TWILIO_CODES.get(code or 0)
    if kind is None:
        kind = "retry" if status == 429 or status >= 500 else "permanent"
    return SendError(kind, f"twilio:{code or status}", message)  # type: ignore[arg-type]


def telegram_error(error: Exception) -> SendError:
    if isinstance(error, tg.RetryAfter):
        seconds = error.retry_after
        retry_after = (
            seconds.total_seconds() if hasattr(seconds, "total_seconds") else float(seconds)
        )
        return SendError("retry", "telegram:429", str(error), retry_after)
    if isinstance(error, tg.Forbidden):
        # "bot was blocked by the user", "user is deactivated", "bot was kicked"
        return SendError("blocked", "telegram:403", str(error))
    if isinstance(error, tg.BadRequest):
        # "Chat not found": this address is gone, not just this message.
        kind = "unreachable" if "chat not found" in str(error).lower() else "permanent"
        return SendError(kind, "telegram:400", str(error))
    if isinstance(error, tg.InvalidToken):
        return SendError("retry", "telegram:401", str(error))
    if isinstance(error, (tg.TimedOut, tg.NetworkError, httpx.HTTPError)):
        return SendError("retry", "telegram:network", str(error))
    return SendError("retry", "telegram:error", str(error))
