"""A pure transcript runner: a person talks to the flow engine, nothing else runs.

No database, no HTTP, no clock: the runner keeps a Snapshot of its own, passes each thing the
person says to `flows.engine.handle` (and a firing follow-up prompt to
`flows.followup.flow.start`), and writes down what was said, what the bot answered as the
channel shows it, and the effects the step asked for. Between steps it applies the meaning
of those effects to its own snapshot, the way the runtime would to the database; that small
table (`_apply`) is the whole test double. Time moves only on `wait(...)`.

    transcript = Transcript(load_content(), channel="sms")
    transcript.play("hi", "English", press("yes"), wait(hours=13), fire(prompt))
    assert_golden(path, transcript.text())

Transcript format: `> ` what the person says (`> [2: Yes]` for a button press), `< ` each
bot message (continuation lines indented), `  effect: ...` one per effect, `~ ` time passing,
`! ` a follow-up prompt firing or another flow the programme starts. Telegram and the web
simulator show buttons as
`[1: label] [2: label]`; SMS shows the body exactly as it is sent (bot.channels.render).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.channels.render import sms_text
from flows import engine
from flows.content import Content
from flows.followup import flow as followup
from flows.followup.effects import PromptAnswered, RecordResponse, SetOutcome
from flows.groups.effects import (
    AnswerInvitation,
    AnswerPoll,
    AnswerRsvp,
    AnswerVote,
    AskToJoinGroup,
    RecordAttendance,
    RecordMeetingPulse,
    ReplyToGroup,
)
from flows.mentoring.effects import AnswerPairing, RecordPulse, RegisterMentor, RequestMentor
from flows.savings.effects import ChooseDetails, RecordSavingsMeeting, ShowStatement
from flows.types import (
    Activate,
    ConversationState,
    Decline,
    FlagForReview,
    ForgetInput,
    HandToStaff,
    Input,
    Message,
    NoteComebackHint,
    OptIn,
    OptOut,
    PersonView,
    PromptView,
    RaiseAlert,
    RaiseAnonymousAlert,
    RecordConsent,
    Result,
    SetLanguage,
    SetProfile,
    Snapshot,
)

# The same morning tests/clock.py starts at, so relative dates read alike everywhere.
START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
CHANNELS = ("sms", "telegram", "web")

# Effects whose meaning is stored elsewhere (answers, alerts, inbox, prompts): the person's
# snapshot does not change, the transcript shows them.
RECORDED_ONLY = (
    RecordSavingsMeeting,
    ChooseDetails,
    ShowStatement,
    HandToStaff,
    FlagForReview,
    RaiseAlert,
    RaiseAnonymousAlert,
    ForgetInput,
    RecordResponse,
    PromptAnswered,
    SetOutcome,
    AnswerPairing,
    RegisterMentor,
    RequestMentor,
    RecordPulse,
    AnswerInvitation,
    AnswerPoll,
    AnswerRsvp,
    AnswerVote,
    AskToJoinGroup,
    RecordAttendance,
    RecordMeetingPulse,
    ReplyToGroup,
)


# -- what a script is made of ---------------------------------------------------------------


@dataclass(frozen=True)
class Say:
    """The person types `text` (a plain string in a script means the same)."""

    text: str


@dataclass(frozen=True)
class Press:
    """The person presses the button whose value is `value` (Telegram, web simulator)."""

    value: str


@dataclass(frozen=True)
class Wait:
    delta: timedelta


@dataclass(frozen=True)
class Fire:
    """A scheduled follow-up prompt comes due and the scheduler starts it."""

    prompt: PromptView


def press(value: str) -> Press:
    return Press(value)


def wait(**delta: float) -> Wait:
    return Wait(timedelta(**delta))


def fire(
    prompt_id: int,
    kind: str,
    instrument: str | None = None,
    wave: str | None = None,
    message: str | None = None,
) -> Fire:
    return Fire(PromptView(prompt_id, kind, instrument, message, wave))


@dataclass(frozen=True)
class Begin:
    """The programme starts a flow of another domain (a pairing offer): `start` is given
    the person's snapshot and returns the step's result; `label` is what the transcript
    says happened."""

    label: str
    start: Callable[[Snapshot], Result]


def begin(label: str, start: Callable[[Snapshot], Result]) -> Begin:
    return Begin(label, start)


Step = str | Say | Press | Wait | Fire | Begin


# -- the runner -----------------------------------------------------------------------------


class Transcript:
    """One person on one channel. Start them new (onboarding) or already enrolled."""

    def __init__(
        self,
        content: Content,
        channel: str,
        *,
        language: str | None = None,
        status: str = "onboarding",
        consents: dict[str, bool] | None = None,
        profile: dict[str, Any] | None = None,
        now: datetime = START,
    ):
        if channel not in CHANNELS:
            raise ValueError(f"unknown channel {channel!r}")
        self.content = content
        self.channel = channel
        self.now = now
        self.person = PersonView(
            id=1,
            status=status,
            language=language,
            channel=channel,
            profile=dict(profile or {}),
            consents=dict(consents or {}),
        )
        self.conversation = ConversationState()
        self.results: list[Result] = []
        self.lines = [
            f"# {channel}, {_when(now)}; person: status={status}, language={language}, "
            f"consents={self.person.consents}"
        ]

    # Steps ---------------------------------------------------------------------------------

    def play(self, *steps: Step) -> Transcript:
        for item in steps:
            if isinstance(item, str):
                self.say(item)
            elif isinstance(item, Say):
                self.say(item.text)
            elif isinstance(item, Press):
                self.press(item.value)
            elif isinstance(item, Wait):
                self.wait(item.delta)
            elif isinstance(item, Fire):
                self.fire(item.prompt)
            elif isinstance(item, Begin):
                self.lines += ["", f"! {item.label}"]
                self._record(item.start(self._snapshot(Input("prompt"))))
            else:
                raise TypeError(f"not a script step: {item!r}")
        return self

    def say(self, text: str) -> Result:
        self.lines += ["", f"> {text}"]
        return self._handle(Input("text", text=text))

    def press(self, value: str) -> Result:
        if self.channel == "sms":
            raise AssertionError("SMS has no buttons: say the number or the word instead")
        number, label = self._button(value)
        self.lines += ["", f"> [{number}: {label}]"]
        return self._handle(Input("choice", choice=value))

    def edit(self, text: str) -> Result:
        """An earlier message changed (Telegram sends the new text)."""
        self.lines += ["", f"> (edited) {text}"]
        return self._handle(Input("edited", text=text))

    def wait(self, delta: timedelta) -> None:
        self.now += delta
        self.lines += ["", f"~ {_duration(delta)} later: {_when(self.now)}"]

    def fire(self, prompt: PromptView) -> Result:
        self.lines += ["", f"! prompt fires: {prompt!r}"]
        result = followup.start(self._snapshot(Input("prompt")), self.content, prompt)
        self._record(result)
        return result

    # The transcript ------------------------------------------------------------------------

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"

    @property
    def last(self) -> Result:
        return self.results[-1]

    def effects(self) -> list[Any]:
        return [effect for result in self.results for effect in result.effects]

    # Inside --------------------------------------------------------------------------------

    def _snapshot(self, inp: Input) -> Snapshot:
        return Snapshot(self.person, self.conversation, inp, self.now, self._today())

    def _today(self) -> date:
        zone = ZoneInfo(self.content.programme.get("default_timezone", "UTC"))
        return self.now.astimezone(zone).date()

    def _handle(self, inp: Input) -> Result:
        result = engine.handle(self._snapshot(inp), self.content)
        self._record(result)
        return result

    def _record(self, result: Result) -> None:
        self.results.append(result)
        for message in result.messages:
            first, *rest = self._render(message).split("\n")
            self.lines.append(f"< {first}")
            self.lines.extend(f"  {line}" for line in rest)
        for effect in result.effects:
            self.lines.append(f"  effect: {effect!r}")
            self._apply(effect)
        # The runtime stores the new state with the time it was written.
        self.conversation = replace(result.conversation, updated_at=self.now)

    def _apply(self, effect: Any) -> None:
        """What the runtime's effect handlers do to the person, as far as flows can see it."""
        person = self.person
        if isinstance(effect, SetLanguage):
            person = replace(person, language=effect.language)
        elif isinstance(effect, SetProfile):
            person = replace(person, profile={**person.profile, **effect.fields})
        elif isinstance(effect, RecordConsent):
            person = replace(person, consents={**person.consents, effect.purpose: effect.granted})
        elif isinstance(effect, Activate):
            person = replace(person, status="active")
        elif isinstance(effect, Decline):
            # Everything but the opt-out (and the language to say so in) is forgotten.
            person = replace(person, status="declined", profile={}, opted_out=True)
        elif isinstance(effect, OptOut):
            person = replace(person, opted_out=True)
        elif isinstance(effect, OptIn):
            status = "onboarding" if person.status == "declined" else person.status
            person = replace(person, opted_out=False, status=status)
        elif isinstance(effect, NoteComebackHint):
            person = replace(person, comeback_hint_at=self.now)
        elif not isinstance(effect, RECORDED_ONLY):
            raise TypeError(f"the transcript runner does not know the effect {effect!r}")
        self.person = person

    def _render(self, message: Message) -> str:
        choices = [(c.value, c.label) for c in message.choices]
        if self.channel == "sms":
            return sms_text(message.text, choices)
        if not choices:
            return message.text
        buttons = " ".join(f"[{n}: {label}]" for n, (_, label) in enumerate(choices, start=1))
        return f"{message.text}\n{buttons}"

    def _button(self, value: str) -> tuple[int, str]:
        """The button on the bot's latest message that carries `value` (a step may answer
        a press with nothing: the poll's times are pressed one after another)."""
        for result in reversed(self.results):
            for message in reversed(result.messages):
                for number, choice in enumerate(message.choices, start=1):
                    if choice.value == value:
                        return number, choice.label
            if result.messages:
                break
        raise AssertionError(f"no button {value!r} on the bot's last messages")


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _duration(delta: timedelta) -> str:
    days, seconds = delta.days, delta.seconds
    parts = [f"{days} days"] if days else []
    if seconds // 3600:
        parts.append(f"{seconds // 3600} hours")
    if seconds % 3600 // 60:
        parts.append(f"{seconds % 3600 // 60} minutes")
    return " ".join(parts) or "0 minutes"
