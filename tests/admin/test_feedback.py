"""You said, we did: a feedback round's page shows how many took part, the summary as each
language's SMS will read with its parts and cost, and sends it to the round's respondents
once confirmed (staff learn how many, never who)."""

from __future__ import annotations

from sqlmodel import select

from bot.db import transaction
from bot.models import Contact, FeedbackRespondent, Outbound
from tests.builders import add_person

ROUND = "feedback:m6"


def _respondents(stack) -> list[int]:
    people = [
        add_person(stack, "Awa", channel="sms", address="+221770008801", language="fr"),
        add_person(stack, "Grace", channel="sms", address="+221770008802", language="en"),
        add_person(stack, "Omar", channel="telegram", address="8803", language="fr"),
    ]
    with transaction(stack.engine) as session:
        for contact in session.exec(select(Contact).where(Contact.person_id.in_(people))):
            session.add(FeedbackRespondent(round=ROUND, contact_id=contact.id))
    return people


async def test_the_summary_is_shown_as_it_will_go_out_then_sent(sqlite_stack, team, browsers):
    stack = sqlite_stack
    people = _respondents(stack)
    fatou = await browsers("fatou@example.org")
    listed = (await fatou.get("/admin/feedback")).text
    assert f'href="/admin/feedback/{ROUND}"' in listed and ">3<" in listed
    texts = {"text_en": "The office now opens on Saturdays.",
             "text_fr": "Le bureau ouvre maintenant le samedi."}  # fmt: skip
    checked = await fatou.post(f"/admin/feedback/{ROUND}/preview", texts)
    assert checked.status_code == 200
    assert "You said, we did: The office now opens on Saturdays." in checked.text
    assert "Vous avez dit, nous avons agi : Le bureau ouvre maintenant le samedi." in checked.text
    assert "2 (1 by SMS)" in checked.text  # French: Awa by SMS, Omar on Telegram
    unconfirmed = await fatou.post(f"/admin/feedback/{ROUND}/send", texts)
    assert unconfirmed.status_code == 400 and stack.count(Outbound) == 0
    sent = await fatou.post(f"/admin/feedback/{ROUND}/send", {**texts, "confirm": "yes"})
    assert "done=sent" in sent.headers["location"]
    with transaction(stack.engine) as session:
        rows = session.exec(select(Outbound).where(Outbound.person_id.in_(people))).all()
        bodies = {r.person_id: r.body for r in rows}
    assert bodies[people[1]].endswith("The office now opens on Saturdays.")
    assert bodies[people[0]].endswith("Le bureau ouvre maintenant le samedi.")
    page = (await fatou.get(f"/admin/feedback/{ROUND}?done=sent")).text
    assert "Already sent on" in page and "to 3 people" in page


async def test_an_unknown_round_is_not_found_and_the_default_language_is_needed(
    sqlite_stack, team, browsers
):
    stack = sqlite_stack
    _respondents(stack)
    fatou = await browsers("fatou@example.org")
    assert (await fatou.get("/admin/feedback/nothing:here")).status_code == 404
    missing = await fatou.post(
        f"/admin/feedback/{ROUND}/preview", {"text_fr": "Seulement en français"}
    )
    assert missing.status_code == 400
