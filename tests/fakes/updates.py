"""What providers post to our webhooks: Telegram updates and signed Twilio forms."""

from __future__ import annotations

import itertools
import time

from twilio.request_validator import RequestValidator

_update_ids = itertools.count(1000)
_message_ids = itertools.count(1)


def _chat(chat_id: int) -> dict:
    return {"id": chat_id, "type": "private", "first_name": "Awa"}


def _user(chat_id: int, username: str | None = None) -> dict:
    user = {"id": chat_id, "is_bot": False, "first_name": "Awa", "language_code": "fr"}
    if username is not None:
        user["username"] = username
    return user


def tg_message(
    chat_id: int, update_id: int | None = None, username: str | None = None, **fields
) -> dict:
    message = {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": _chat(chat_id),
        "from": _user(chat_id, username),
    }
    message.update(fields)
    return {
        "update_id": update_id if update_id is not None else next(_update_ids),
        "message": message,
    }


def tg_text(
    chat_id: int, text: str, update_id: int | None = None, username: str | None = None
) -> dict:
    return tg_message(chat_id, update_id, username, text=text)


def tg_button(chat_id: int, data: str, update_id: int | None = None) -> dict:
    message = {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": _chat(chat_id),
        "text": "…",
    }
    return {
        "update_id": update_id if update_id is not None else next(_update_ids),
        "callback_query": {
            "id": str(next(_update_ids)),
            "from": _user(chat_id),
            "chat_instance": "1",
            "message": message,
            "data": data,
        },
    }


def tg_sticker(chat_id: int) -> dict:
    sticker = {
        "file_id": "s1",
        "file_unique_id": "u1",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    }
    return tg_message(chat_id, sticker=sticker)


def tg_voice(chat_id: int) -> dict:
    return tg_message(chat_id, voice={"file_id": "v1", "file_unique_id": "u2", "duration": 3})


def tg_photo(chat_id: int, caption: str | None = None) -> dict:
    photo = [{"file_id": "p1", "file_unique_id": "u3", "width": 90, "height": 90}]
    return tg_message(chat_id, photo=photo, **({"caption": caption} if caption else {}))


def tg_edited(chat_id: int, text: str) -> dict:
    update = tg_text(chat_id, text)
    update["edited_message"] = update.pop("message")
    update["edited_message"]["edit_date"] = int(time.time())
    return update


def tg_blocked(chat_id: int) -> dict:
    member = {"user": _user(chat_id), "status": "kicked", "until_date": 0}
    return {
        "update_id": next(_update_ids),
        "my_chat_member": {
            "chat": _chat(chat_id),
            "from": _user(chat_id),
            "date": int(time.time()),
            "old_chat_member": {"user": _user(chat_id), "status": "member"},
            "new_chat_member": member,
        },
    }


_sids = itertools.count(1)


def sms_form(
    sender: str, body: str, sid: str | None = None, to: str = "+15005550006", **extra: str
) -> dict[str, str]:
    form = {
        "MessageSid": sid or f"SM{next(_sids):032d}",
        "AccountSid": "AC" + "0" * 32,
        "From": sender,
        "To": to,
        "Body": body,
        "NumMedia": "0",
        "NumSegments": "1",
        "SmsStatus": "received",
        "ApiVersion": "2010-04-01",
    }
    form.update(extra)
    return form


def twilio_signature(auth_token: str, url: str, form: dict[str, str]) -> str:
    return RequestValidator(auth_token).compute_signature(url, form)
