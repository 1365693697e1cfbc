"""A batch of prompts renders each opening once (flows.followup.flow opening_key/reopen): the
reused opening must be exactly what `start` gives that person, whatever else about them
differs (profile, consents, conversation, the moment within the day)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.content import load_content
from flows.followup import flow as followup
from flows.types import ConversationState, Input, PersonView, PromptView, Snapshot

CONTENT = load_content()
SURVEY_PROMPTS = sorted(
    {
        (step.kind, step.instrument, step.message, step.wave)
        for plan in CONTENT.plans.plans.values()
        for step in plan.steps
        if step.kind not in ("info", "closure")
    },
    key=repr,
)
LANGUAGES = [None, *CONTENT.catalog.languages]

people = st.fixed_dictionaries(
    {
        "id": st.integers(1, 10**6),
        "language": st.sampled_from(LANGUAGES),
        "profile": st.fixed_dictionaries(
            {
                "display_name": st.one_of(st.none(), st.text(max_size=20)),
                "district": st.sampled_from([None, "north", "central", "other"]),
                "gender": st.sampled_from([None, "woman", "man"]),
            }
        ),
        "consents": st.dictionaries(st.sampled_from(["messages", "surveys"]), st.booleans()),
        "conversation": st.sampled_from(
            [ConversationState(), ConversationState("menu", "main", {"x": 1})]
        ),
        "minute": st.integers(0, 23 * 60),
    }
)


def _snap(person: dict, channel: str, today: date) -> Snapshot:
    now = datetime(2026, 11, 24, tzinfo=UTC) + timedelta(minutes=person["minute"])
    view = PersonView(
        id=person["id"],
        status="active",
        language=person["language"],
        channel=channel,
        profile=person["profile"],
        consents=person["consents"],
    )
    return Snapshot(view, person["conversation"], Input("prompt"), now, today)


def test_every_plan_has_survey_prompts():
    assert SURVEY_PROMPTS


@settings(max_examples=150, deadline=None)
@given(
    first=people,
    second=people,
    prompt=st.sampled_from(SURVEY_PROMPTS),
    channel=st.sampled_from(["sms", "telegram"]),
    ids=st.tuples(st.integers(1, 10**6), st.integers(1, 10**6)),
)
def test_a_reused_opening_is_what_start_gives(first, second, prompt, channel, ids):
    today = date(2026, 11, 24)
    second = {**second, "language": first["language"]}
    one, other = (PromptView(i, *prompt) for i in ids)
    assert followup.opening_key(
        CONTENT, one, first["language"], channel, today
    ) == followup.opening_key(CONTENT, other, second["language"], channel, today)
    opening = followup.start(_snap(first, channel, today), CONTENT, one)
    assert followup.reopen(opening, other) == followup.start(
        _snap(second, channel, today), CONTENT, other
    )


@pytest.mark.parametrize("kind", ["info", "closure"])
def test_information_and_closure_are_not_reused(kind):
    prompt = PromptView(1, kind, message="followup.closure")
    assert followup.opening_key(CONTENT, prompt, "en", "sms", date(2026, 11, 24)) is None


def test_what_the_key_holds_tells_openings_apart():
    kind, instrument, message, wave = SURVEY_PROMPTS[0]
    prompt = PromptView(1, kind, instrument, message, wave)
    keys = {
        followup.opening_key(CONTENT, prompt, language, channel, day)
        for language in CONTENT.catalog.languages
        for channel in ("sms", "telegram")
        for day in (date(2026, 11, 24), date(2026, 11, 25))
    }
    assert len(keys) == len(CONTENT.catalog.languages) * 4
    # No language chosen is the programme's own.
    assert followup.opening_key(
        CONTENT, prompt, None, "sms", date(2026, 11, 24)
    ) == followup.opening_key(CONTENT, prompt, CONTENT.default_language, "sms", date(2026, 11, 24))
