"""The inbox as a helpdesk: a saved reply sent in the person's language, notes staff leave
for each other (never sent), the thread showing the person's open alert, and handled threads
listed and searched."""

from __future__ import annotations

from sqlmodel import select

from bot.db import transaction
from bot.models import Alert, CannedReply, Inbound, Outbound, ThreadNote
from tests.builders import add_person

PHONE = "+221770009901"


def _thread(stack, person_id: int, text: str) -> None:
    with transaction(stack.engine) as session:
        session.add(Inbound(channel="sms", provider_id=f"SM-{text[:8]}", address=PHONE, kind="text",
                            text=text, person_id=person_id, handoff="unhandled",
                            received_at=stack.clock()))  # fmt: skip


async def test_a_saved_reply_goes_in_the_persons_language(sqlite_stack, team, browsers):
    stack = sqlite_stack
    person = add_person(stack, "Aminata Fall", channel="sms", address=PHONE, language="fr",
                        facilitator_id=team.facilitator)  # fmt: skip
    _thread(stack, person, "Quand est la prochaine réunion ?")
    admin = await browsers("admin@example.org")
    saved = await admin.post("/admin/replies", {
        "title": "Meeting dates", "text_en": "The next meeting is on the first Monday.",
        "text_fr": "La prochaine réunion est le premier lundi."})  # fmt: skip
    assert "done=saved" in saved.headers["location"]
    fatou = await browsers("fatou@example.org")
    assert (await fatou.get("/admin/replies")).status_code == 403  # admins keep them
    page = (await fatou.get(f"/admin/inbox/{person}")).text
    assert (
        "Meeting dates" in page and 'data-text="La prochaine réunion est le premier lundi."' in page
    )
    with transaction(stack.engine) as session:
        reply_id = session.exec(select(CannedReply)).one().id
    sent = await fatou.post(f"/admin/inbox/{person}/reply", {"text": "", "saved": str(reply_id)})
    assert "done=replied" in sent.headers["location"]
    with transaction(stack.engine) as session:
        out = session.exec(select(Outbound).where(Outbound.person_id == person)).all()
        assert [o.body for o in out] == ["La prochaine réunion est le premier lundi."]


async def test_a_note_is_for_staff_and_never_sent(sqlite_stack, team, browsers):
    stack = sqlite_stack
    person = add_person(stack, "Moussa", channel="sms", address=PHONE,
                        facilitator_id=team.facilitator)  # fmt: skip
    _thread(stack, person, "I need to talk")
    fatou = await browsers("fatou@example.org")
    done = await fatou.post(
        f"/admin/inbox/{person}/note", {"text": "Called him, no answer. Try at 5."}
    )
    assert "done=noted" in done.headers["location"]
    page = (await fatou.get(f"/admin/inbox/{person}")).text
    assert "Called him, no answer. Try at 5." in page
    assert stack.count(Outbound) == 0 and stack.count(ThreadNote) == 1
    empty = await fatou.post(f"/admin/inbox/{person}/note", {"text": "  "})
    assert empty.status_code == 400


async def test_the_thread_shows_the_persons_open_alert(sqlite_stack, team, browsers):
    stack = sqlite_stack
    person = add_person(
        stack, "Grace", channel="sms", address=PHONE, facilitator_id=team.facilitator
    )
    _thread(stack, person, "help")
    with transaction(stack.engine) as session:
        alert = Alert(person_id=person, reason="safety", severity="high", due_at=stack.clock(),
                      created_at=stack.clock())  # fmt: skip
        session.add(alert)
        session.flush()
        alert_id = alert.id
    fatou = await browsers("fatou@example.org")
    page = (await fatou.get(f"/admin/inbox/{person}")).text
    assert f'href="/admin/alerts/{alert_id}"' in page and "Open alerts for this person" in page


async def test_handled_threads_are_listed_and_searched(sqlite_stack, team, browsers):
    stack = sqlite_stack
    awa = add_person(
        stack, "Awa Ndiaye", channel="sms", address=PHONE, facilitator_id=team.facilitator
    )
    omar = add_person(stack, "Omar Sy", channel="sms", address="+221770009902",
                      facilitator_id=team.facilitator)  # fmt: skip
    _thread(stack, awa, "My papers were taken")
    _thread(stack, omar, "Where is the office")
    fatou = await browsers("fatou@example.org")
    for person in (awa, omar):
        await fatou.post(f"/admin/inbox/{person}/handled", {})
    listed = (await fatou.get("/admin/inbox?show=handled")).text
    assert "Awa Ndiaye" in listed and "Omar Sy" in listed
    by_words = (await fatou.get("/admin/inbox?show=handled&q=papers")).text
    assert "Awa Ndiaye" in by_words and "Omar Sy" not in by_words
    by_name = (await fatou.get("/admin/inbox?show=handled&q=omar")).text
    assert "Omar Sy" in by_name and "Awa Ndiaye" not in by_name
    # A thread with something new is open again, not in the handled list.
    _thread(stack, awa, "Thank you")
    assert "Awa Ndiaye" not in (await fatou.get("/admin/inbox?show=handled")).text
