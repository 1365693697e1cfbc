"""The API's shapes, in families: what a person is (Base), what a caller sends to create or
change one (Create, Update), what the API returns (Public); lists come in pages."""

from __future__ import annotations

from datetime import date, datetime
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    data: list[T]
    page: int
    per_page: int
    total: int


class PersonBase(BaseModel):
    language: str | None = Field(None, description="en, fr, ar: one of the programme's")
    role: str | None = Field(None, description="returnee, community or mentor")
    district: str | None = None
    return_date: date | None = None
    gender: str | None = None
    age_band: str | None = None
    sector: str | None = None


class Consent(BaseModel):
    """Consent taken outside the service: kept only with its date, version and who took it.
    Without it the person is invited by the bot's consent flow and nothing else is kept."""

    date: date
    version: str = Field(max_length=64)
    taken_by: str = Field(max_length=64)
    surveys: bool = False


class PersonCreate(PersonBase):
    model_config = ConfigDict(extra="forbid")
    display_name: str | None = Field(None, max_length=80)
    phone: str | None = Field(
        None, description="E.164 (+221771234567), or national where one country is allowed"
    )
    consent: Consent | None = None


class PersonUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    display_name: str | None = Field(None, max_length=80)
    language: str | None = None
    role: str | None = None
    district: str | None = None
    return_date: date | None = None
    gender: str | None = None
    age_band: str | None = None
    sector: str | None = None
    timezone: str | None = None


class PersonPublic(PersonBase):
    id: str = Field(description="the person's stable public id")
    status: str
    enrolled_at: datetime | None = None
    plan: str | None = None
    outcome: str | None = None
    facilitator: str | None = None
    created_at: datetime
    updated_at: datetime
    display_name: str | None = Field(None, description="with the identities scope only")
    phone: str | None = Field(None, description="with the identities scope only")


class PersonCreated(BaseModel):
    id: str
    status: str = Field(description="active (consent given) or onboarding (invited to consent)")


class ResultRow(BaseModel):
    """One answer, as the results CSV has it: a pseudonym, never who; anonymous answers none."""

    person_pseudonym: str
    instrument: str
    version: str
    wave: str
    question: str
    value: str
    answered_at: str


class AlertPublic(BaseModel):
    id: int
    person: str | None = Field(None, description="the person's public id")
    reason: str
    severity: str
    status: str
    owner: str | None = None
    created_at: datetime
    due_at: datetime
    closed_at: datetime | None = None
    detail: str | None = Field(None, description="with the identities scope only")


class ErrorDetail(BaseModel):
    code: str
    message: str
    fields: list[dict] | None = Field(None, description="422 from the request's shape")
    problems: list[str] | None = Field(None, description="422 from the people import's checks")


class ErrorPublic(BaseModel):
    """Every error's shape."""

    error: ErrorDetail


# What any endpoint may answer besides its own success.
ERRORS = {
    status: {"model": ErrorPublic, "description": description}
    for status, description in (
        (401, "no token, or not a valid one"),
        (403, "the token lacks the scope this needs"),
        (404, "no such record"),
        (409, "a conflict with what is stored"),
        (422, "the request does not fit, or its values do not pass the checks"),
        (429, "more than the token's requests a minute; see Retry-After"),
    )
}
