"""Erasing a person's follow-up: prompts cancelled and unnamed, feedback-round participation
deleted, free-text answers deleted, closed answers kept only unlinked (anonymous, the day
reduced to the month) so programme aggregates still add up."""

from __future__ import annotations

from sqlalchemy import delete, select, update

from bot.casework.erasure import ERASED, Eraser, ErasureContext
from bot.followup.responses import free_text_answers
from bot.models import Answer, FeedbackRespondent, ScheduledPrompt, SurveyResponse
from flows.vocabulary import TO_SEND, PromptStatus

# Questions whose answers are the person's own words.


def _erase_prompts(ctx: ErasureContext) -> None:
    ctx.session.execute(
        update(ScheduledPrompt)
        .where(
            ScheduledPrompt.person_id == ctx.person_id,
            ScheduledPrompt.status.in_((*TO_SEND, PromptStatus.OPEN)),
        )
        .values(status=PromptStatus.CANCELLED)
    )
    # The plan's name tells their situation (a trafficking survivor's plan): gone too.
    ctx.session.execute(
        update(ScheduledPrompt)
        .where(ScheduledPrompt.person_id == ctx.person_id)
        .values(plan=ERASED, note=None)
    )


def _erase_feedback_rounds(ctx: ErasureContext) -> None:
    if ctx.contact_ids:
        ctx.session.execute(
            delete(FeedbackRespondent).where(FeedbackRespondent.contact_id.in_(ctx.contact_ids))
        )


def _unlink_answers(ctx: ErasureContext) -> None:
    session = ctx.session
    free_text = free_text_answers(ctx.content)
    responses = session.scalars(
        select(SurveyResponse).where(SurveyResponse.person_id == ctx.person_id)
    ).all()
    for response in responses:
        for answer in session.scalars(select(Answer).where(Answer.response_id == response.id)):
            if (
                (response.instrument, answer.question_id) in free_text
                or isinstance(answer.value, str)
                and answer.question_id.endswith("_other")
            ):
                session.delete(answer)
        response.person_id = None
        response.prompt_id = None
        response.recorded_by = None
        response.anonymous = True
        response.completed_on = response.completed_on.replace(day=1)


ERASERS = (
    Eraser(
        "feedback rounds",
        frozenset({("feedback_respondent", "contact_id")}),
        _erase_feedback_rounds,
    ),
    Eraser(
        "survey answers",
        frozenset(
            {
                ("survey_response", "person_id"),
                ("survey_response", "prompt_id"),
                ("answer", "response_id"),
            }
        ),
        _unlink_answers,
    ),
    Eraser("scheduled prompts", frozenset({("scheduled_prompt", "person_id")}), _erase_prompts),
)
