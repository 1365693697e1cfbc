"""A member's statement (BALANCE) and what amounts a message may carry. Amounts and words
such as loan or repayment appear only where the member chose to see them, or off SMS
(DOMAIN.md: a message read over someone's shoulder must not reveal debt); otherwise the
discreet wording of the same message goes. Pure: figures in, messages out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flows.content import Content
from flows.savings.money import format_amount
from flows.types import Message

DETAIL = "savings.detail."


def shows_details(details: bool, channel: str | None) -> bool:
    """Whether amounts may go in this member's messages: they chose it, or not on SMS."""
    return details or channel != "sms"


def savings_key(name: str, detailed: bool) -> str:
    """`savings.detail.<name>` for a member who sees amounts, else `savings.<name>`."""
    return f"{DETAIL}{name}" if detailed else f"savings.{name}"


@dataclass(frozen=True)
class Figures:
    """One member's figures on a day, minor units."""

    shares: int
    savings: int
    owed: int  # what remains to repay, interest included
    next_due_on: date | None
    next_due: int  # what remains of the next instalment


@dataclass(frozen=True)
class GroupFigures:
    savings: int
    cash: int
    loans_outstanding: int
    social_fund: int
    members: int


def statement(
    content: Content,
    language: str,
    channel: str | None,
    currency: str,
    decimals: int,
    today: date,
    mine: Figures,
    group: GroupFigures | None = None,
) -> Message:
    """The statement, with amounts (the caller checked `shows_details`)."""
    catalog = content.catalog

    def money(minor: int) -> str:
        return format_amount(minor, currency, decimals)

    parts = [
        catalog.text(
            language,
            "savings.detail.statement",
            channel,
            date=day_label(content, language, today),
            shares=mine.shares,
            savings=money(mine.savings),
        )  # fmt: skip
    ]
    if mine.owed and mine.next_due_on is not None:
        parts.append(
            catalog.text(
                language,
                "savings.detail.statement.loan",
                channel,
                owed=money(mine.owed),
                amount=money(mine.next_due),
                due=day_label(content, language, mine.next_due_on),
            )  # fmt: skip
        )
    else:
        parts.append(catalog.text(language, "savings.detail.statement.no_loan", channel))
    if group is not None:
        parts.append(
            catalog.text(
                language,
                "savings.detail.statement.group",
                channel,
                savings=money(group.savings),
                cash=money(group.cash),
                loans=money(group.loans_outstanding),
                social=money(group.social_fund),
                members=group.members,
            )  # fmt: skip
        )
    return Message("\n".join(parts), (), "savings.detail.statement")


def day_label(content: Content, language: str, day: date) -> str:
    """ "12 March": the month's name in the person's language."""
    month = content.catalog.text(language, f"time.month.{day.month}")
    return f"{day.day} {month}"
