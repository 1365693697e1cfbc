"""A person's page and what staff change on it, with the follow-up scheduler running."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlmodel import select

from bot.db import transaction
from bot.followup.plans import enrol
from bot.models import (
    Alert,
    Answer,
    AuditLog,
    Consent,
    Inbound,
    Outbound,
    Person,
    ScheduledPrompt,
    SurveyResponse,
)
from tests.builders import add_person


def enrolled(stack, name: str, **fields) -> int:
    """A returnee with a follow-up plan, as after onboarding."""
    person_id = add_person(stack, name, **fields)
    with transaction(stack.engine) as session:
        enrol(session, session.get(Person, person_id), stack.services.content, stack.clock())
    return person_id


def pending(stack, person_id: int) -> list[ScheduledPrompt]:
    with transaction(stack.engine) as session:
        rows = session.exec(
            select(ScheduledPrompt)
            .where(ScheduledPrompt.person_id == person_id, ScheduledPrompt.status == "pending")
            .order_by(ScheduledPrompt.due_at)
        ).all()
        session.expunge_all()
        return list(rows)


def audit_actions(stack, person_id: int) -> list[str]:
    with transaction(stack.engine) as session:
        return [
            row.action
            for row in session.exec(
                select(AuditLog).where(AuditLog.person_id == person_id).order_by(AuditLog.id)
            ).all()
        ]


async def test_the_page_shows_profile_consents_timeline_plan_and_alerts(
    sqlite_stack, team, browsers
):
    stack = sqlite_stack
    person_id = enrolled(stack, "Aminata", facilitator_id=team.facilitator, address="+221770001122")
    now = stack.clock()
    with transaction(stack.engine) as session:
        session.add(Inbound(channel="sms", provider_id="SM1", address="+221770001122", kind="text",
                            text="Bonjour, j'ai besoin d'aide", person_id=person_id, received_at=now))  # fmt: skip
        session.add(Outbound(person_id=person_id, contact_id=1, channel="sms", body="We will call you.",
                             status="delivered", created_at=now + timedelta(minutes=1)))  # fmt: skip
        session.add(
            Alert(person_id=person_id, reason="safety", severity="high", due_at=now, created_at=now)
        )
    fatou = await browsers("fatou@example.org")
    page = await fatou.get(f"/admin/people/{person_id}")
    assert page.status_code == 200
    text = page.text
    for expected in ("Aminata", "+221770001122", "Consent history", "Questions and surveys",
                     "j&#39;ai besoin d&#39;aide", "We will call you.", "Delivered",
                     "Does not feel safe", "Settling-in check" if False else "Check-in", "Planned"):  # fmt: skip
        assert expected in text, expected
    # The message in comes before the answer out.
    assert text.index("besoin d&#39;aide") < text.index("We will call you.")
    assert 'id="timeline"' in text
    assert audit_actions(stack, person_id)[-1] == "person.viewed"


async def test_correcting_the_return_date_recomputes_the_plan(sqlite_stack, team, browsers):
    stack = sqlite_stack
    person_id = enrolled(
        stack, "Binta", facilitator_id=team.facilitator, return_date=date(2026, 11, 1)
    )
    before = {row.step_key: row.due_at for row in pending(stack, person_id)}
    fatou = await browsers("fatou@example.org")
    response = await fatou.post(
        f"/admin/people/{person_id}/profile",
        {"return_date": "2026-09-01", "district": "north", "display_name": "Binta"},
    )
    assert response.status_code == 303 and response.headers["location"].endswith("done=profile")
    after = {row.step_key: row for row in pending(stack, person_id)}
    assert after["m12_survey"].due_at < before["m12_survey"]
    assert after["m12_survey"].due_at.date() >= date(2027, 9, 1)
    assert {row.plan_revision for row in after.values()} == {2}
    with transaction(stack.engine) as session:
        person = session.get(Person, person_id)
        assert (person.return_date, person.district) == (date(2026, 9, 1), "north")
        log = session.exec(select(AuditLog).where(AuditLog.action == "profile.corrected")).one()
        assert log.actor == f"staff:{team.facilitator}"
        assert log.details == {"fields": ["district", "return_date"]}  # names, never values
    assert "plan.recomputed" in audit_actions(stack, person_id)


async def test_a_vulnerability_known_from_counselling_changes_the_plan(
    sqlite_stack, team, browsers
):
    stack = sqlite_stack
    person_id = enrolled(stack, "Coumba", facilitator_id=team.facilitator)
    fatou = await browsers("fatou@example.org")
    await fatou.post(
        f"/admin/people/{person_id}/profile",
        {"vulnerabilities_shown": "1", "vulnerabilities": "trafficking"},
    )
    with transaction(stack.engine) as session:
        assert session.get(Person, person_id).plan == "trafficking"
    assert "m2_checkin" in {row.step_key for row in pending(stack, person_id)}


async def test_bad_corrections_get_a_clear_answer_and_change_nothing(sqlite_stack, team, browsers):
    stack = sqlite_stack
    person_id = enrolled(stack, "Dior", facilitator_id=team.facilitator)
    fatou = await browsers("fatou@example.org")
    for form, message in (
        ({"return_date": "yesterday"}, "That date is not right"),
        ({"return_date": "2031-01-01"}, "cannot be in the future"),
        ({"district": "atlantis"}, "not one of the options"),
        ({"timezone": "Mars/Olympus"}, "timezone is not known"),
        ({"display_name": "x" * 81}, "too long"),
    ):
        response = await fatou.post(f"/admin/people/{person_id}/profile", form)
        assert response.status_code == 400 and message in response.text, form
    with transaction(stack.engine) as session:
        person = session.get(Person, person_id)
        assert (person.district, person.display_name, person.plan_revision) == (
            "central",
            "Dior",
            1,
        )


async def test_paused_follow_ups_are_held_and_resume_at_once(sqlite_stack, team, browsers):
    stack = sqlite_stack
    stack.clock.now = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)  # daytime in Dakar
    person_id = enrolled(stack, "Fanta", facilitator_id=team.facilitator, return_date=date(2026, 11, 20),
                         channel="telegram", address="5550001")  # fmt: skip
    fatou = await browsers("fatou@example.org")
    assert (
        await fatou.post(f"/admin/people/{person_id}/followup", {"paused": "yes"})
    ).status_code == 303
    stack.clock.advance(days=8)  # the week-1 check falls due while paused
    await stack.tick()
    assert stack.telegram_api.sent_to(5550001) == []
    held = [row for row in pending(stack, person_id) if row.step_key == "w1_settling"]
    assert held and held[0].note == "paused by staff"
    await fatou.login()  # a week later: signed in again
    page = await fatou.get(f"/admin/people/{person_id}")
    assert "Resume follow-ups" in page.text and "Paused" in page.text
    await fatou.post(f"/admin/people/{person_id}/followup", {"paused": "no"})
    await stack.tick()
    sent = [m.text for m in stack.telegram_api.sent_to(5550001)]
    assert sent and "first days" in sent[0]
    assert audit_actions(stack, person_id).count("followup.paused") == 1
    assert "followup.resumed" in audit_actions(stack, person_id)


async def test_recording_an_outcome_cancels_what_is_to_come(sqlite_stack, team, browsers):
    stack = sqlite_stack
    person_id = enrolled(stack, "Gora", facilitator_id=team.facilitator)
    fatou = await browsers("fatou@example.org")
    assert (
        await fatou.post(f"/admin/people/{person_id}/outcome", {"outcome": "remigrated"})
    ).status_code == 303
    assert pending(stack, person_id) == []
    with transaction(stack.engine) as session:
        assert session.get(Person, person_id).outcome == "remigrated"
    bad = await fatou.post(f"/admin/people/{person_id}/outcome", {"outcome": "vanished"})
    assert bad.status_code == 400


async def test_only_an_admin_assigns_facilitators(sqlite_stack, team, browsers):
    stack = sqlite_stack
    person_id = add_person(stack, "Hawa", facilitator_id=None)
    fatou = await browsers("fatou@example.org")
    assert (
        await fatou.post(
            f"/admin/people/{person_id}/facilitator", {"facilitator": str(team.facilitator)}
        )
    ).status_code == 403
    admin = await browsers("admin@example.org")
    assert (
        await admin.post(
            f"/admin/people/{person_id}/facilitator", {"facilitator": str(team.viewer)}
        )
    ).status_code == 400
    assert (
        await admin.post(
            f"/admin/people/{person_id}/facilitator", {"facilitator": str(team.facilitator)}
        )
    ).status_code == 303
    assert (await fatou.get(f"/admin/people/{person_id}")).status_code == 200


async def test_answers_taken_down_on_their_behalf_are_scored_marked_and_alert(
    sqlite_stack, team, browsers
):
    stack = sqlite_stack
    person_id = add_person(stack, "Ibou", facilitator_id=team.facilitator)
    fatou = await browsers("fatou@example.org")
    form = await fatou.get(f"/admin/people/{person_id}/answers/reintegration")
    assert form.status_code == 200 and "Do you have work or a way to earn money?" in form.text
    answers = {"q_work": "sometimes", "q_needs_met": "sometimes", "q_food": "never", "q_debt": "partly",
               "q_housing": "yes", "q_safe": "no", "q_support": "yes"}  # fmt: skip
    response = await fatou.post(
        f"/admin/people/{person_id}/answers",
        {"instrument": "reintegration", "wave": "intake", **answers},
    )
    assert response.status_code == 303
    with transaction(stack.engine) as session:
        stored = session.exec(
            select(SurveyResponse).where(SurveyResponse.person_id == person_id)
        ).one()
        assert (stored.wave, stored.recorded_by, stored.anonymous) == (
            "intake",
            team.facilitator,
            False,
        )
        assert stored.scores["economic"] > 0 and stored.composite is not None
        values = {a.question_id: a.value for a in session.exec(select(Answer)).all()}
        assert values["work"] == "sometimes" and values["safe"] == "no"
        alert = session.exec(select(Alert).where(Alert.person_id == person_id)).one()
        assert (alert.reason, alert.severity, alert.owner_id) == (
            "safety",
            "high",
            team.facilitator,
        )
    page = await fatou.get(f"/admin/people/{person_id}")
    assert "recorded by Fatou" in page.text
    # The score trajectory: a chart with the numbers also as a table.
    chart = page.text.split('id="trajectory"', 1)[1].split("</figure>", 1)[0]
    assert "<svg" in chart and "Overall score" in chart and "intake" in chart
    wrong = await fatou.post(
        f"/admin/people/{person_id}/answers", {"instrument": "reintegration", "q_work": "lots"}
    )
    assert wrong.status_code == 400 and "not among the options" in wrong.text
    unknown = await fatou.post(f"/admin/people/{person_id}/answers", {"instrument": "feedback"})
    assert unknown.status_code == 400  # anonymous feedback is never taken down by staff


async def test_erasing_from_the_page_needs_the_number_typed(sqlite_stack, team, browsers):
    stack = sqlite_stack
    person_id = enrolled(stack, "Jeanne", facilitator_id=team.facilitator)
    fatou = await browsers("fatou@example.org")
    wrong = await fatou.post(f"/admin/people/{person_id}/erase", {"confirm": "yes"})
    assert wrong.status_code == 400 and "Nothing was erased" in wrong.text
    done = await fatou.post(f"/admin/people/{person_id}/erase", {"confirm": str(person_id)})
    assert done.status_code == 303
    with transaction(stack.engine) as session:
        person = session.get(Person, person_id)
        assert (person.status, person.display_name) == ("erased", None)
    assert (await fatou.get(f"/admin/people/{person_id}")).status_code == 404
    assert "Jeanne" not in (await fatou.get("/admin/people")).text
    assert audit_actions(stack, person_id)[-1] == "person.erased"


async def test_a_facilitator_cannot_change_someone_elses_person(sqlite_stack, team, browsers):
    stack = sqlite_stack
    theirs = enrolled(stack, "Kine", facilitator_id=team.other_facilitator)
    fatou = await browsers("fatou@example.org")
    for path, form in (
        ("profile", {"display_name": "Changed"}),
        ("followup", {"paused": "yes"}),
        ("outcome", {"outcome": "remigrated"}),
        ("erase", {"confirm": str(theirs)}),
        ("answers", {"instrument": "checkin", "q_feeling": "good"}),
    ):
        assert (await fatou.post(f"/admin/people/{theirs}/{path}", form)).status_code == 404, path
    with transaction(stack.engine) as session:
        person = session.get(Person, theirs)
        assert (person.display_name, person.followup_paused, person.outcome, person.erased_at) == (
            "Kine", False, None, None,
        )  # fmt: skip


async def test_answers_taken_down_for_a_step_of_the_plan_close_that_step(
    sqlite_stack, team, browsers
):
    stack = sqlite_stack
    person_id = enrolled(
        stack, "Lamine", facilitator_id=team.facilitator, return_date=date(2026, 11, 1)
    )
    [m3] = [row for row in pending(stack, person_id) if row.step_key == "m3_survey"]
    fatou = await browsers("fatou@example.org")
    form = await fatou.get(f"/admin/people/{person_id}/answers/reintegration")
    assert f'<option value="{m3.id}">' in form.text
    response = await fatou.post(
        f"/admin/people/{person_id}/answers",
        {"instrument": "reintegration", "step": str(m3.id), "q_work": "regular", "q_safe": "yes"},
    )
    assert response.status_code == 303
    with transaction(stack.engine) as session:
        assert session.get(ScheduledPrompt, m3.id).status == "answered"
        stored = session.exec(select(SurveyResponse)).one()
        assert (stored.wave, stored.prompt_id) == ("m3", m3.id)
    again = await fatou.post(
        f"/admin/people/{person_id}/answers",
        {"instrument": "reintegration", "step": str(m3.id), "q_work": "regular"},
    )
    assert again.status_code == 400 and "done already" in again.text
    crafted = await fatou.post(
        f"/admin/people/{person_id}/answers",
        {"instrument": "reintegration", "step": "a/b", "q_work": "regular"},
    )
    assert crafted.status_code == 400


async def test_no_answers_on_behalf_without_consent_to_questions(sqlite_stack, team, browsers):
    stack = sqlite_stack
    person_id = add_person(stack, "Mame", facilitator_id=team.facilitator)
    with transaction(stack.engine) as session:
        session.add(Consent(person_id=person_id, purpose="surveys", version="v2", granted=False,
                            channel="sms", at=stack.clock() + timedelta(seconds=1)))  # fmt: skip
    fatou = await browsers("fatou@example.org")
    refused = await fatou.post(
        f"/admin/people/{person_id}/answers", {"instrument": "checkin", "q_feeling": "good"}
    )
    assert refused.status_code == 400 and "not agreed to answer questions" in refused.text
    assert stack.count(SurveyResponse) == 0


async def test_a_return_date_typed_with_a_wrong_century_is_refused(sqlite_stack, team, browsers):
    stack = sqlite_stack
    person_id = enrolled(stack, "Ndella", facilitator_id=team.facilitator)
    fatou = await browsers("fatou@example.org")
    response = await fatou.post(f"/admin/people/{person_id}/profile", {"return_date": "0202-03-01"})
    assert response.status_code == 400 and "too long ago" in response.text
    assert (await fatou.get(f"/admin/people/{person_id}")).status_code == 200


async def test_the_page_speaks_french_down_to_plan_notes_and_answers(sqlite_stack, team, browsers):
    stack = sqlite_stack
    person_id = enrolled(
        stack, "Ousmane", facilitator_id=team.facilitator, return_date=date(2026, 1, 5)
    )
    fatou = await browsers("fatou@example.org")
    await fatou.post(
        f"/admin/people/{person_id}/answers",
        {"instrument": "reintegration", "step": "intake", "q_work": "sometimes"},
    )
    await fatou.post("/admin/language", {"language": "fr"})
    page = (await fatou.get(f"/admin/people/{person_id}")).text
    assert "Standard, 12 mois" in page  # the plan's name
    assert "Inscrit(e) après la date prévue" in page  # a late enrolment's skipped steps
    assert "Avez-vous un travail ou un moyen de gagner de l&#39;argent ?" in page
    assert "Parfois" in page and "À l&#39;inscription" in page
    assert "late enrolment" not in page and ">work<" not in page


async def test_the_timeline_shows_a_pressed_button_as_the_person_saw_it(
    sqlite_stack, team, browsers
):
    stack = sqlite_stack
    await stack.tg_says(7701, "hi")
    await stack.tg_presses(7701, "en")
    offered = stack.telegram_api.sent_to(7701)[-1]
    label = dict(offered.buttons)["yes"]
    await stack.tg_presses(7701, "yes")
    person = stack.person("telegram", "7701")
    admin = await browsers("admin@example.org")
    page = (await admin.get(f"/admin/people/{person.id}")).text
    assert "[yes]" not in page and f'<span dir="auto">{label}</span>' in page
