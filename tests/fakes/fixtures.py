"""pytest fixtures for the provider fakes."""

from __future__ import annotations

import pytest

from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.twilio_api import FakeTwilioAPI
from tests.fakes.webhook_receiver import Receiver


@pytest.fixture
def telegram_api():
    fake = FakeTelegramAPI().start()
    yield fake
    fake.stop()


@pytest.fixture
def twilio_api():
    fake = FakeTwilioAPI().start()
    yield fake
    fake.stop()


@pytest.fixture
def webhook_receiver():
    found = Receiver()
    yield found
    found.stop()
