"""Settings: environment variables prefixed HOMECOMING_ (DESIGN.md, Contracts)."""

from __future__ import annotations

import socket
from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEMO_SECRET = "demo-only-not-secret"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HOMECOMING_", extra="ignore")

    database_url: str = "sqlite:///./homecoming.db"
    secret_key: SecretStr | None = None
    public_url: str = "http://localhost:8000"

    telegram_bot_token: SecretStr | None = None
    telegram_webhook_secret: SecretStr | None = None
    telegram_mode: Literal["webhook", "polling"] = "webhook"
    telegram_api_url: str = "https://api.telegram.org"
    # The bot's @username, for the link staff tap to link their Telegram (t.me/<name>).
    telegram_bot_username: str | None = None

    twilio_account_sid: str | None = None
    twilio_auth_token: SecretStr | None = None
    twilio_from: str | None = None
    twilio_api_url: str = "https://api.twilio.com"
    # Segments per second per sender; a long code manages about one.
    sms_segments_per_second: float = 1.0
    # ISO country codes a programme accepts numbers from; empty = any valid E.164 number.
    sms_allowed_countries: list[str] = Field(default_factory=list)

    telegram_global_per_second: float = 30.0
    telegram_per_chat_per_second: float = 1.0

    # This instance's name among those sharing the database; each needs its own (on one
    # host too). A restarted instance takes back at once what it had claimed.
    instance: str = Field(default_factory=socket.gethostname, max_length=64)
    # Provider calls in flight per channel: each is one message a crash may leave uncertain.
    send_concurrency: int = 8
    # How long a provider call may take before it counts as failed (and, having maybe
    # reached the provider, uncertain).
    provider_timeout_seconds: float = 15.0
    # `json`: one object a line for a log collector; `text`: for a terminal.
    log_format: Literal["text", "json"] = "text"
    # `/metrics` answers a scrape that sends `Authorization: Bearer <this>`; unset = off.
    metrics_token: SecretStr | None = None

    content_dir: str | None = None
    demo: bool = False
    # How often the background workers look for work they were not woken for.
    worker_poll_seconds: float = 2.0
    # How often due follow-up prompts are looked for.
    followup_tick_seconds: float = 5.0

    @field_validator("public_url", "telegram_api_url", "twilio_api_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @property
    def telegram_enabled(self) -> bool:
        return self.telegram_bot_token is not None

    @property
    def twilio_enabled(self) -> bool:
        return bool(self.twilio_account_sid and self.twilio_auth_token)

    def signing_key(self) -> str:
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        if self.demo:
            return DEMO_SECRET
        raise RuntimeError("HOMECOMING_SECRET_KEY is required outside demo mode")


@lru_cache
def get_settings() -> Settings:
    return Settings()
