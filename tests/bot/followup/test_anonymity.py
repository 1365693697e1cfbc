"""The adversary: 24 people answer an anonymous feedback round through the service, at
different times and in two languages; then, with a full dump of every table, the test tries
to tell whose answers are whose. Any way it tries must do no better than chance (about one
right in 24). At most seven is allowed: a random pairing reaches eight about once in 100,000
tries, and this test makes eight tries a run (four ways, two databases), so it fails by
chance about once in 12,000 runs, while any order that leaked would link most of the 24."""

from __future__ import annotations

import random

from sqlalchemy import text
from sqlmodel import SQLModel

from tests.builders import add_feedback_prompt, add_person

PEOPLE = 24
CHANCE_AT_MOST = 7


def _dump(stack) -> dict[str, list[dict]]:
    """Every row of every table, in the order the database gives them."""
    with stack.engine.connect() as connection:
        return {
            table.name: [
                dict(r) for r in connection.execute(text(f"SELECT * FROM {table.name}")).mappings()
            ]
            for table in SQLModel.metadata.sorted_tables
        }


async def _round(stack) -> dict[int, str]:
    """Everyone is asked; they answer anonymously in a shuffled order over three days.
    Returns what each person wrote as their comment (the truth the adversary must find)."""
    rng = random.Random(7)
    people = {}
    for i in range(PEOPLE):
        chat = 9100 + i
        language = "fr" if i % 3 == 0 else "en"
        people[chat] = add_person(
            stack, f"P{i}", channel="telegram", address=str(chat), language=language
        )
    for person_id in people.values():
        add_feedback_prompt(stack, person_id)
    await stack.tick()
    order = list(people)
    rng.shuffle(order)
    truth = {}
    for n, chat in enumerate(order):
        stack.clock.advance(minutes=rng.randint(3, 90) + (600 if n in (8, 16) else 0))
        comment = f"comment number {n} from someone"
        for said in ("yes", str(rng.randint(1, 5)), str(rng.randint(1, 6)), "skip", comment):
            await stack.tg_says(chat, said)
        truth[people[chat]] = comment
    stack.clock.advance(days=8)
    assert stack.services.release_anonymous() == PEOPLE
    return truth


def _pairs(ranked_people: list[int], ranked_responses: list[int]) -> list[tuple[int, int]]:
    return list(zip(ranked_people, ranked_responses, strict=False))


async def test_anonymous_answers_cannot_be_linked_to_people_from_the_database(stack):
    truth = await _round(stack)
    dump = _dump(stack)
    contacts = {c["id"]: c["person_id"] for c in dump["contact"]}
    responses = [r for r in dump["survey_response"] if r["anonymous"]]
    assert len(responses) == PEOPLE
    comments = {
        a["response_id"]: a["value"]
        for a in dump["answer"]
        if a["question_id"] == "comment" and a["value"] is not None
    }
    comments = {
        k: v if not isinstance(v, str) or not v.startswith('"') else v.strip('"')
        for k, v in comments.items()
    }
    owner = {comment: person for person, comment in truth.items()}

    def right(pairs: list[tuple[int, int]]) -> int:
        return sum(1 for person, response in pairs if owner.get(comments.get(response)) == person)

    # 1. The order rows come in: who took part, against the responses.
    respondents = [contacts[r["contact_id"]] for r in dump["feedback_respondent"]]
    in_order = right(_pairs(respondents, [r["id"] for r in responses]))
    # 2. Ids: respondents by id, responses by id.
    by_id = right(
        _pairs(
            [
                contacts[r["contact_id"]]
                for r in sorted(dump["feedback_respondent"], key=lambda r: r["id"])
            ],
            sorted(r["id"] for r in responses),
        )
    )
    # 3. Time: when each person last wrote, against the responses' dates, then ids.
    last = {}
    for row in dump["inbound"]:
        if row["person_id"] in truth:
            last[row["person_id"]] = max(
                last.get(row["person_id"], row["received_at"]), row["received_at"]
            )
    by_time = right(
        _pairs(
            sorted(truth, key=lambda p: last[p]),
            [r["id"] for r in sorted(responses, key=lambda r: (str(r["completed_on"]), r["id"]))],
        )
    )
    # 4. The answers' own ids, against the same times.
    first_answer = {}
    for a in dump["answer"]:
        first_answer[a["response_id"]] = min(first_answer.get(a["response_id"], a["id"]), a["id"])
    by_answers = right(
        _pairs(
            sorted(truth, key=lambda p: last[p]), sorted(comments, key=lambda r: first_answer[r])
        )
    )
    for name, found in (
        ("order", in_order),
        ("ids", by_id),
        ("time", by_time),
        ("answers", by_answers),
    ):
        assert found <= CHANCE_AT_MOST, f"linked {found} of {PEOPLE} by {name}"
    # 5. Nothing that singles out a few: no language, no day, no person, no prompt.
    assert {r["language"] for r in responses} == {None}
    assert {r["person_id"] for r in responses} == {None} and {
        r["prompt_id"] for r in responses
    } == {None}
    assert len({str(r["completed_on"]) for r in responses}) == 1
    # 6. Their words are nowhere else: not in the inbox, the outbox, alerts, audit, states.
    elsewhere = [
        (name, row)
        for name, rows in dump.items()
        if name not in ("answer", "anonymous_pool")
        for row in rows
        if any(comment in str(value) for comment in truth.values() for value in row.values())
    ]
    assert elsewhere == []
    assert dump["anonymous_pool"] == []
