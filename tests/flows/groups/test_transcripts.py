"""Peer groups as members and facilitators live them, pure over the flows under a frozen
clock (golden transcripts in tests/flows/groups/golden/; a missing file fails,
HOMECOMING_UPDATE_GOLDEN=1 writes it): the invitation, the availability poll on both
channels, the confirmation, reminders with their RSVP, attendance in the chat, the pulse,
the continue vote, and a check-in whose answer goes to the facilitator."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.content import load_content
from flows.groups import attendance, availability, news, question
from flows.groups.effects import (
    AnswerInvitation,
    AnswerPoll,
    AnswerRsvp,
    AnswerVote,
    RecordAttendance,
    RecordMeetingPulse,
    ReplyToGroup,
)
from flows.groups.when import local_when
from flows.types import HandToStaff
from tests.flows.transcript import START, Transcript, begin, press, wait
from tests.golden import assert_golden

GOLDEN = Path(__file__).parent / "golden"
ENROLLED = {"status": "active", "consents": {"messages": True, "surveys": True}}
MEETING = START + timedelta(days=7, hours=8)  # Tuesday 1 December, 17:00 UTC
TIMES = ["Tuesday 1 December, 17:00, the community hall", "Thursday 3 December, 10:00, the school",
         "Saturday 5 December, 15:00, the community hall"]  # fmt: skip


@pytest.fixture(scope="module")
def content():
    return load_content()


def check(transcript: Transcript, name: str) -> None:
    assert_golden(GOLDEN / f"{name}.txt", transcript.text())


def effects(transcript: Transcript, kind) -> list:
    return [e for e in transcript.effects() if isinstance(e, kind)]


def asked(content, kind: str, until, meeting_id=None, **values):
    def start(snap):
        return question.ask(
            snap, content, kind=kind, group_id=3, meeting_id=meeting_id, until=until, values=values
        )

    return begin(f"group 3 asks: {kind}", start)


def invitation(content, district: str = "Central"):
    return asked(
        content, "invite", START + timedelta(days=7), facilitator="Aminata", district=district
    )


def poll(content, times=TIMES):
    def start(snap):
        return availability.start(
            snap, content, group_id=3, poll=1, times=list(times), until=START + timedelta(days=5)
        )

    return begin("group 3's availability poll", start)


def test_an_invitation_joined_over_sms_says_nothing_of_what_the_group_is(content):
    t = Transcript(content, "sms", language="en", **ENROLLED)
    t.play(invitation(content), "1")
    assert effects(t, AnswerInvitation) == [AnswerInvitation(3, True)]
    assert "came back" not in t.text() and "voluntary and private" in t.text()
    check(t, "invitation.joined.en.sms")


def test_an_invitation_on_telegram_not_now_in_french(content):
    t = Transcript(content, "telegram", language="fr", **ENROLLED)
    t.play(invitation(content, "Centre"), "pas maintenant")
    assert effects(t, AnswerInvitation) == [AnswerInvitation(3, False)]
    assert "confidentiel" in t.text()
    check(t, "invitation.not_now.fr.telegram")


def test_an_invitation_answered_after_it_closed_is_thanked(content):
    t = Transcript(content, "sms", language="en", **ENROLLED)
    t.play(invitation(content), wait(days=8), "join")
    assert effects(t, AnswerInvitation) == []
    check(t, "invitation.closed.en.sms")


def test_the_poll_on_telegram_one_button_per_time(content):
    t = Transcript(content, "telegram", language="en", **ENROLLED)
    t.play(poll(content), press("poll:1:yes"), press("poll:3:no"), press("poll:2:maybe"))
    assert effects(t, AnswerPoll) == [
        AnswerPoll(3, 1, {1: "yes"}),
        AnswerPoll(3, 1, {3: "no"}),
        AnswerPoll(3, 1, {2: "maybe"}),
    ]
    assert t.conversation.idle
    check(t, "poll.buttons.en.telegram")


def test_the_poll_over_sms_numbers_and_a_question_mark(content):
    t = Transcript(content, "sms", language="en", **ENROLLED)
    t.play(poll(content), "Tuesday please", "1 3 and 2?")
    assert effects(t, AnswerPoll) == [AnswerPoll(3, 1, {1: "yes", 2: "maybe", 3: "yes"})]
    check(t, "poll.numbers.en.sms")


def test_the_poll_over_sms_in_arabic_words_and_none(content):
    t = Transcript(content, "sms", language="ar", **ENROLLED)
    t.play(poll(content, ["الثلاثاء 1 ديسمبر، 17:00", "الخميس 3 ديسمبر، 10:00"]), "لا شيء")
    assert effects(t, AnswerPoll) == [AnswerPoll(3, 1, {1: "no", 2: "no"})]
    check(t, "poll.none.ar.sms")


def test_a_poll_answer_typed_on_telegram_counts_for_every_time(content):
    t = Transcript(content, "telegram", language="fr", **ENROLLED)
    t.play(poll(content), press("poll:1:no"), "tous sauf 1")
    assert effects(t, AnswerPoll)[-1] == AnswerPoll(3, 1, {1: "no", 2: "yes", 3: "yes"})
    check(t, "poll.typed.fr.telegram")


def test_an_unreadable_poll_answer_reaches_a_person_after_two_tries(content):
    t = Transcript(content, "sms", language="en", **ENROLLED)
    t.play(poll(content), "what?", "7", "hmm")
    assert effects(t, HandToStaff) == [HandToStaff("unhandled")]
    check(t, "poll.unreadable.en.sms")


def test_the_confirmation_in_their_language_and_time(content):
    for channel, language in (("sms", "en"), ("telegram", "fr")):
        when = local_when(content, language, MEETING, "Africa/Dakar")
        t = Transcript(content, channel, language=language, **ENROLLED)
        t.play(
            begin(
                "time confirmed",
                lambda s, w=when: news.confirmed(
                    s, content, when=w, place="the community hall", count=4
                ),
            )
        )
        check(t, f"confirmation.{language}.{channel}")


def test_reminders_and_the_rsvp_on_both_channels(content):
    values = {"when": "Tuesday 1 December, 17:00", "time": "17:00", "place": "the community hall"}
    t = Transcript(content, "sms", language="en", **ENROLLED)
    t.play(asked(content, "before", MEETING, 11, **values), "2")
    assert effects(t, AnswerRsvp) == [AnswerRsvp(11, False)]
    t.play(wait(days=2), asked(content, "morning", MEETING, 11, **values), "coming")
    assert effects(t, AnswerRsvp)[-1] == AnswerRsvp(11, True)
    check(t, "reminders.rsvp.en.sms")

    t = Transcript(content, "telegram", language="en", **ENROLLED)
    t.play(asked(content, "morning", MEETING, 11, **values), wait(days=8), press("yes"))
    assert effects(t, AnswerRsvp) == []  # the meeting began: thanked, not taken
    check(t, "reminders.late.en.telegram")


def test_attendance_ticked_in_the_chat(content):
    members = [(21, "Awa"), (22, "Fatou"), (23, "Moussa"), (24, "Binta")]

    def start(snap):
        return attendance.start(
            snap, content, meeting_id=11, when="Tuesday 1 December, 17:00", members=members,
            until=MEETING + timedelta(days=3),
        )  # fmt: skip

    t = Transcript(content, "sms", language="en", **ENROLLED)
    t.play(begin("attendance asked", start), "which meeting?", "1, 2 and 4")
    assert effects(t, RecordAttendance) == [RecordAttendance(11, (21, 22, 24))]
    t.play(begin("attendance asked", start), "ALL")
    assert effects(t, RecordAttendance)[-1] == RecordAttendance(11, (21, 22, 23, 24))
    check(t, "attendance.en.sms")


def test_the_pulse_and_the_continue_vote(content):
    t = Transcript(content, "telegram", language="en", **ENROLLED)
    t.play(asked(content, "pulse", MEETING + timedelta(days=2), 11), press("yes"))
    t.play(asked(content, "vote", MEETING + timedelta(days=5)), press("no"))
    assert effects(t, RecordMeetingPulse) == [RecordMeetingPulse(11, True)]
    assert effects(t, AnswerVote) == [AnswerVote(3, False)]
    check(t, "pulse_and_vote.en.telegram")

    t = Transcript(content, "sms", language="fr", **ENROLLED)
    t.play(asked(content, "vote", MEETING + timedelta(days=5)), "oui")
    assert effects(t, AnswerVote) == [AnswerVote(3, True)]
    check(t, "vote.fr.sms")


def test_a_check_in_answered_goes_to_the_facilitator(content):
    until = START + timedelta(days=3)
    t = Transcript(content, "sms", language="en", **ENROLLED)
    t.play(
        begin("two meetings missed", lambda s: news.checkin(s, content, group_id=3, until=until)),
        "I was ill, I will come next week",
    )
    assert effects(t, ReplyToGroup) == [ReplyToGroup(3)]
    # Days later a message is an ordinary one again.
    t.play(
        begin("two meetings missed", lambda s: news.checkin(s, content, group_id=3, until=until)),
        wait(days=4),
        "hello",
    )
    assert effects(t, ReplyToGroup) == [ReplyToGroup(3)] and effects(t, HandToStaff)
    check(t, "checkin.en.sms")


@pytest.mark.parametrize(
    ("language", "typed", "coming"),
    [
        ("en", "Coming", True),
        ("en", "comming", True),  # a typo
        ("en", "cant come", False),
        ("en", "Can't come.", False),
        ("fr", "je viens", True),
        ("fr", "je ne peux pas", False),
        ("fr", "Je ne peu pas", False),
        ("ar", "سأحضر", True),
        ("ar", "لا أستطيع", False),
    ],
)
def test_a_reminder_answered_by_typing_its_label(content, language, typed, coming):
    t = Transcript(content, "sms", language=language, **ENROLLED)
    t.play(asked(content, "morning", MEETING, meeting_id=9, time="17:00", place="the hall"), typed)
    assert effects(t, AnswerRsvp) == [AnswerRsvp(9, coming)]


def test_a_word_that_is_no_label_is_asked_again(content):
    t = Transcript(content, "sms", language="en", **ENROLLED)
    t.play(
        asked(content, "morning", MEETING, meeting_id=9, time="17:00", place="the hall"), "maybe"
    )
    assert effects(t, AnswerRsvp) == []
