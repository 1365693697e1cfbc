"""The officer's report of a meeting, in the chat: who came, the shares each bought, who paid
the social fund, loans given, repayments, fines (when the group fines), then the whole record
shown back to confirm before it counts. Sent by the savings tick after each meeting to the
group's treasurer and secretary (only to those who see amounts). Numbers refer to the
numbered list of members; amounts are read as people type them ("5 000", "5,000")."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal

from flows.choices import Option, match_choice, parse_number, parse_yes_no
from flows.content import Content
from flows.context import language_of, say
from flows.groups.poll import read_ticks
from flows.mentoring.asking import ask_again
from flows.savings.constitution import Constitution
from flows.savings.effects import RecordSavingsMeeting
from flows.savings.money import format_amount, parse_amount
from flows.savings.recording import MeetingReport, Position, problems
from flows.types import Choice, ConversationState, Message, Result, Snapshot

NAME = "savings.report"
KEY = "savings.detail.report"
STEPS = ("present", "shares", "social", "loans", "repayments", "fines", "confirm")
_PAIR = re.compile(r"^\s*(?:n[o°]?\.?\s*)?(\d{1,2})\s*[:=\-]?\s*(.+?)\s*$", re.IGNORECASE)
_SPLIT = re.compile(r"[;\n]|,(?!\d{3}(?!\d))")


def start(
    snap: Snapshot,
    content: Content,
    *,
    group_id: int,
    meeting_id: int,
    when: str,
    members: list[tuple[int, str]],
    constitution: Constitution,
    decimals: int,
    position: Position,
    until: datetime,
) -> Result:
    """`members`: (savings member id, first name), as numbered on the list."""
    c = constitution
    data = {
        "group": group_id, "meeting": meeting_id, "when": when,
        "members": [list(m) for m in members], "until": until.isoformat(), "reasks": 0,
        "rules": {"min": c.min_shares, "max": c.max_shares, "share": c.share_value,
                  "social": c.social_fund, "fines": c.fines, "currency": c.currency,
                  "decimals": decimals, "multiple": str(c.loan_multiple)},
        "position": position.as_dict(), "report": MeetingReport().as_dict(),
    }  # fmt: skip
    state = ConversationState(NAME, "present", data)
    return Result(state, _ask(snap, content, state))


def prompt(snap: Snapshot, content: Content, conv: ConversationState, lead: str | None):
    return _ask(snap, content, conv, lead)


def _ask(snap, content, conv: ConversationState, lead: str | None = None) -> tuple[Message, ...]:
    data, step = conv.data, conv.step
    rules = data["rules"]
    language = language_of(snap, content)
    values = {"date": data["when"], "min": rules["min"], "max": rules["max"],
              "amount": _money(rules["social"], rules)}  # fmt: skip
    if step == "present":
        values["members"] = _listed(data["members"])
    elif step == "shares":
        present = set(MeetingReport.from_dict(data["report"]).present)
        values["members"] = _listed([m for m in data["members"] if m[0] in present], numbered=False)
    choices: tuple[Choice, ...] = ()
    if step == "confirm":
        values["summary"] = _summary(content, language, data)
        choices = tuple(
            Choice(v, content.catalog.text(language, f"{KEY}.choice.{v}"))
            for v in ("confirm", "restart")
        )
    text = content.catalog.text(language, f"{KEY}.{step}", snap.person.channel, **values)
    return (Message(f"{lead}\n{text}" if lead else text, choices, f"{KEY}.{step}"),)


def handle(snap: Snapshot, content: Content, resumed: bool) -> Result:
    conv = snap.conversation
    data = conv.data
    if snap.now >= datetime.fromisoformat(data["until"]):
        return Result(ConversationState(), (say(snap, content, f"{KEY}.closed"),))
    text = snap.input.text if snap.input.kind == "text" else None
    report = MeetingReport.from_dict(data["report"]).as_dict()
    members = data["members"]
    ids = [m[0] for m in members]
    rules = data["rules"]
    step = conv.step
    if step == "confirm":
        return _confirm(snap, content, conv)
    if step == "present":
        ticked = read_ticks(text, len(members), content.lexicon)
        if ticked is None:
            return ask_again(snap, content, prompt, f"{KEY}.again")
        report["present"] = [ids[n - 1] for n in sorted(ticked)]
    elif step == "shares":
        present = report["present"]
        counts = _counts(text, len(present), content)
        if counts is None:
            return ask_again(snap, content, prompt, f"{KEY}.again")
        report["shares"] = {str(m): n for m, n in zip(present, counts, strict=True) if n}
    elif step == "social":
        ticked = read_ticks(text, len(members), content.lexicon)
        if ticked is None:
            return ask_again(snap, content, prompt, f"{KEY}.again")
        report["social"] = [ids[n - 1] for n in sorted(ticked)]
    else:
        pairs = read_amounts(text, len(members), rules["decimals"], content)
        if pairs is None:
            return ask_again(snap, content, prompt, f"{KEY}.again")
        report[step] = {str(ids[n - 1]): amount for n, amount in pairs.items()}
    checked = _check(snap, content, data, report, step)
    if checked is not None:
        return checked
    nxt = _next_step(step, rules, data, report)
    state = ConversationState(NAME, nxt, {**data, "report": report, "reasks": 0})
    return Result(state, _ask(snap, content, state))


def _next_step(step: str, rules: dict, data: dict, report: dict) -> str:
    for candidate in STEPS[STEPS.index(step) + 1 :]:
        if candidate == "shares" and not report["present"]:
            continue
        if candidate == "social" and not rules["social"]:
            continue
        if candidate == "repayments" and not any(
            Position.from_dict(data["position"]).owed.values()
        ):
            continue
        if candidate == "fines" and not rules["fines"]:
            continue
        return candidate
    return "confirm"


def _check(snap, content, data, report: dict, step: str) -> Result | None:
    """A step whose answer the constitution or the box refuses is asked again, saying why."""
    c = _constitution(data["rules"])
    wrong = [
        p for p in problems(MeetingReport.from_dict(report), c, Position.from_dict(data["position"]))
        if _step_of(p.key) == step
    ]  # fmt: skip
    if not wrong:
        return None
    problem = wrong[0]
    names = {m[0]: m[1] for m in data["members"]}
    language = language_of(snap, content)
    lead = content.catalog.text(
        language, f"{KEY}.problem.{problem.key.rsplit('.', 1)[-1]}", snap.person.channel,
        name=names.get(problem.member, ""), amount=_money(problem.amount or 0, data["rules"]),
        min=c.min_shares, max=c.max_shares,
    )  # fmt: skip
    conv = ConversationState(NAME, step, {**data, "reasks": 0})
    return Result(conv, _ask(snap, content, conv, lead))


def _step_of(problem: str) -> str:
    return {
        "savings.error.shares_range": "shares",
        "savings.error.loan_limit": "loans",
        "savings.error.loan_cash": "loans",
        "savings.error.repayment_owed": "repayments",
    }.get(problem, "none")


def _confirm(snap: Snapshot, content: Content, conv: ConversationState) -> Result:
    data = conv.data
    options = [
        Option(v, tuple(content.catalog.all_labels(f"{KEY}.choice.{v}")) + (str(n),))
        for n, v in enumerate(("confirm", "restart"), 1)
    ]
    inp = snap.input
    chosen = (
        inp.choice if inp.kind == "choice" else match_choice(inp.text, options, content.lexicon)
    )
    if chosen == "restart":
        state = ConversationState(NAME, "present", {**data, "report": MeetingReport().as_dict(),
                                                   "reasks": 0})  # fmt: skip
        return Result(state, _ask(snap, content, state))
    if chosen != "confirm":
        return ask_again(snap, content, prompt)
    effect = RecordSavingsMeeting(data["group"], data["meeting"], data["report"])
    return Result(ConversationState(), (say(snap, content, f"{KEY}.saved"),), (effect,))


def _constitution(rules: dict) -> Constitution:
    return Constitution(
        min_shares=rules["min"], max_shares=rules["max"], share_value=rules["share"],
        social_fund=rules["social"], fines=rules["fines"], currency=rules["currency"],
        loan_multiple=Decimal(rules["multiple"]),
    )  # fmt: skip


def _money(minor: int, rules: dict) -> str:
    return format_amount(minor, rules["currency"], rules["decimals"])


def _listed(members, numbered: bool = True) -> str:
    if numbered:
        return "\n".join(f"{n}. {name}" for n, (_, name) in enumerate(members, 1))
    return ", ".join(name for _, name in members)


def _counts(text: str | None, present: int, content: Content) -> list[int] | None:
    """Shares per member who came, in list order; one number: all bought that many."""
    if not text:
        return None
    words = re.split(r"[\s,;]+", text.strip())
    numbers = [parse_number(w, content.lexicon) for w in words if w]
    if not numbers or any(n is None or n < 0 or n > 99 for n in numbers):
        return None
    if len(numbers) == 1:
        return numbers * present
    return numbers if len(numbers) == present else None


def read_amounts(
    text: str | None, count: int, decimals: int, content: Content
) -> dict[int, int] | None:
    """ "3:5000, 7 2 000" -> {3: 5000, 7: 2000} (minor units); "0" or "no": none."""
    if not text:
        return None
    said = text.strip()
    # "0", "none", "aucun", "لا شيء", "no": nothing at this step today.
    if parse_number(said, content.lexicon) == 0 or parse_yes_no(said, content.lexicon) is False:
        return {}
    if not re.search(r"\d", said) and read_ticks(said, count, content.lexicon) == frozenset():
        return {}
    out: dict[int, int] = {}
    for chunk in _SPLIT.split(said):
        if not chunk.strip():
            continue
        found = _PAIR.match(chunk)
        if found is None:
            return None
        number, amount = int(found.group(1)), parse_amount(found.group(2), decimals)
        if not 1 <= number <= count or amount is None or number in out:
            return None
        out[number] = amount
    return out or None


def _summary(content: Content, language: str, data: dict) -> str:
    report = MeetingReport.from_dict(data["report"])
    rules = data["rules"]
    names = {m[0]: m[1] for m in data["members"]}
    catalog = content.catalog

    def listed(amounts: dict[int, int]) -> str:
        if not amounts:
            return catalog.text(language, f"{KEY}.none")
        return "; ".join(f"{names[m]} {_money(a, rules)}" for m, a in sorted(amounts.items()))

    shares = sum(report.shares.values())
    lines = [
        catalog.text(language, f"{KEY}.line.came", count=len(report.present), of=len(names)),
        catalog.text(
            language,
            f"{KEY}.line.shares",
            count=shares,
            amount=_money(shares * rules["share"], rules),
        ),  # fmt: skip
    ]
    if rules["social"]:
        lines.append(catalog.text(language, f"{KEY}.line.social", count=len(report.social),
                                  amount=_money(len(report.social) * rules["social"], rules)))  # fmt: skip
    lines.append(catalog.text(language, f"{KEY}.line.loans", list=listed(report.loans)))
    if report.repayments or any(Position.from_dict(data["position"]).owed.values()):
        lines.append(catalog.text(language, f"{KEY}.line.repaid", list=listed(report.repayments)))
    if rules["fines"]:
        lines.append(catalog.text(language, f"{KEY}.line.fines", list=listed(report.fines)))
    return "\n".join(lines)
