"""The survey runner, on a small survey with every question type: what is asked, what is kept."""

from __future__ import annotations

from datetime import date

import pytest

from bot.content import load_content
from flows.content import Catalog, Content
from flows.survey import flow as survey
from flows.survey.flow import Ctx
from flows.survey.model import survey_from_dict
from flows.types import Input

TEXTS = {
    "t.works": "Do you work now?",
    "t.where": "Where do you work?",
    "t.where.other": "Where then?",
    "t.rating": "How do you feel, 1 to 5?",
    "t.children": "How many children do you have?",
    "t.since": "Since when?",
    "t.note": "Anything else?",
    "option.yesno.yes": "Yes",
    "option.yesno.no": "No",
    "option.place.market": "Market",
    "option.place.farm": "Farm",
    "option.place.other": "Other",
    "common.skip": "Skip",
    "common.skip_hint": "(Send SKIP to skip.)",
    "common.not_understood": "Sorry, I did not understand.",
    "common.not_understood_date": "Sorry, the date?",
    "common.not_understood_number": "Sorry, a number please.",
    "common.text_only": "Sorry, text only.",
    "common.skipping": "Let us skip this one.",
    "common.paused": "We can go on later.",
    "common.welcome_back": "Welcome back!",
}
SURVEY = survey_from_dict(
    {
        "id": "t",
        "questions": [
            {"id": "works", "type": "yesno", "prompt": "t.works"},
            {
                "id": "where",
                "type": "choice",
                "options": "place",
                "other": True,
                "prompt": "t.where",
                "when": {"works": ["yes"]},
            },
            {"id": "rating", "type": "scale", "min": 1, "max": 5, "prompt": "t.rating"},
            {
                "id": "children",
                "type": "number",
                "min": 0,
                "max": 20,
                "optional": True,
                "prompt": "t.children",
            },
            {"id": "since", "type": "date", "prompt": "t.since"},
            {"id": "note", "type": "text", "optional": True, "max_length": 20, "prompt": "t.note"},
        ],
    }
)
CONTENT = Content(
    Catalog(("en",), {"en": TEXTS}),
    {"yesno": ("yes", "no"), "place": ("market", "farm", "other")},
    {"t": SURVEY},
    {"default_language": "en"},
    lexicon=load_content().lexicon,
)
CTX = Ctx(CONTENT, "en", "telegram", date(2026, 11, 24))


class Run:
    """Answers a survey like a person would and keeps the transcript."""

    def __init__(self):
        outcome = survey.start(SURVEY, CTX)
        self.state = outcome.state
        self.answers: dict = {}
        self.done = False
        self.last = [m.text for m in outcome.messages]

    def say(
        self, text: str | None = None, kind: str = "text", choice: str | None = None, resumed=False
    ) -> list[str]:
        outcome = survey.step(
            SURVEY, self.state, Input(kind, text=text, choice=choice), CTX, resumed
        )
        self.state, self.done = outcome.state, outcome.done
        self.answers.update(outcome.answers)
        self.last = [m.text for m in outcome.messages]
        return self.last


def test_every_question_type_in_one_pass():
    run = Run()
    assert run.last == ["Do you work now?"]
    assert run.say("yes") == ["Where do you work?"]
    assert run.say("other") == ["Where then?"]
    assert run.say("Selling fish at the port") == ["How do you feel, 1 to 5?"]
    assert run.say("4/5") == ["How many children do you have?\n(Send SKIP to skip.)"]
    assert run.say("I have 3") == ["Since when?"]
    assert run.say("mars 2026") == ["Anything else?\n(Send SKIP to skip.)"]
    assert run.say("x" * 50) == []
    assert run.done
    assert run.answers == {
        "works": "yes",
        "where": "other",
        "where_other": "Selling fish at the port",
        "rating": 4,
        "children": 3,
        "since": {"date": "2026-03-01", "precision": "month"},
        "note": "x" * 20,
    }


def test_skip_logic_leaves_out_what_does_not_apply():
    run = Run()
    assert run.say("no") == ["How do you feel, 1 to 5?"]
    assert "where" not in run.answers


def test_buttons_work_as_well_as_words():
    run = Run()
    assert run.say(kind="choice", choice="yes") == ["Where do you work?"]
    assert run.say(kind="choice", choice="farm") == ["How do you feel, 1 to 5?"]
    assert run.say(kind="choice", choice="5") == [
        "How many children do you have?\n(Send SKIP to skip.)"
    ]
    assert run.answers["rating"] == 5


def test_a_forged_button_value_is_not_an_answer():
    run = Run()
    assert run.say(kind="choice", choice="maybe")[0].startswith("Sorry, I did not understand.")


def test_two_re_asks_then_an_optional_question_is_skipped_gently():
    run = Run()
    for said in ("no", "3"):
        run.say(said)
    assert run.say("lots") == [
        "Sorry, a number please.\nHow many children do you have?\n(Send SKIP to skip.)"
    ]
    assert run.say("many") == [
        "Sorry, a number please.\nHow many children do you have?\n(Send SKIP to skip.)"
    ]
    assert run.say("plenty") == ["Let us skip this one.\nSince when?"]
    assert run.answers["children"] is None


def test_two_re_asks_then_a_required_question_pauses_and_the_next_message_resumes():
    run = Run()
    run.say("no")
    run.say("banana")
    run.say("apple")
    assert run.say("pear") == ["We can go on later."]
    assert run.say("hello") == ["Welcome back!\nHow do you feel, 1 to 5?"]
    assert run.say("2") == ["How many children do you have?\n(Send SKIP to skip.)"]


def test_a_number_outside_the_allowed_range_is_asked_again():
    run = Run()
    for said in ("no", "3"):
        run.say(said)
    assert run.say("45")[0].startswith("Sorry, a number please.")


def test_media_gets_a_text_only_hint():
    run = Run()
    assert run.say(kind="media") == ["Sorry, text only.\nDo you work now?"]


def test_skip_words_only_skip_optional_questions():
    run = Run()
    assert run.say("skip")[0].startswith("Sorry, I did not understand.")
    run = Run()
    for said in ("no", "3"):
        run.say(said)
    assert run.say("SKIP") == ["Since when?"]


def test_coming_back_after_a_long_silence_is_greeted_not_counted():
    run = Run()
    assert run.say("what is this?", resumed=True) == ["Welcome back!\nDo you work now?"]
    assert run.state["reasks"] == 0


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        ({"id": "x", "questions": [{"id": "a", "type": "essay"}]}, "bad type"),
        (
            {"id": "x", "questions": [{"id": "a", "type": "text"}, {"id": "a", "type": "text"}]},
            "duplicate",
        ),
        (
            {"id": "x", "questions": [{"id": "a", "type": "text", "when": {"b": "y"}}]},
            "later question",
        ),
        ({"id": "x", "questions": [{"id": "a", "type": "choice"}]}, "no options"),
    ],
)
def test_a_malformed_survey_file_is_refused_with_a_clear_reason(raw, error):
    with pytest.raises(ValueError, match=error):
        survey_from_dict(raw)
