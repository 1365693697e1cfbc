"""schemathesis against the OpenAPI descriptions: the API (with a token holding every scope,
so requests get past authentication) and the service's own routes (webhooks, health, the
simulator). Whatever it generates, nothing answers 500 and every answer matches what the
description promises."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import positive_data_acceptance

from bot.api.app import create_api
from bot.app import create_app
from bot.db import transaction
from bot.integrations import tokens
from bot.services import build_services
from tests.builders import add_person, add_staff
from tests.clock import FakeClock
from tests.stack import stack_settings

FEW = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


class _Seeded:
    """What builders.add_person needs of a stack."""

    def __init__(self, services, clock):
        self.services, self.engine, self.clock = services, services.engine, clock


@pytest.fixture
def service(sqlite_databases, telegram_api, twilio_api):
    clock = FakeClock()
    settings_ = stack_settings(sqlite_databases.fresh(), telegram_api, twilio_api)
    services = build_services(settings_, clock)
    seeded = _Seeded(services, clock)
    for number in range(5):  # small ids exist: generated ids sometimes find someone
        add_person(seeded, f"Person {number}", channel="sms", address=f"+22177100000{number}",
                   district="central")  # fmt: skip
    admin = add_staff(seeded, "api-admin@example.org", "admin")
    with transaction(services.engine) as session:
        _, token = tokens.create(session, "schemathesis", ["read", "write", "identities"],
                                 admin, clock())  # fmt: skip
    yield services, token
    services.dispose()


@pytest.fixture
def api_schema(service):
    services, _ = service
    api = create_api(services, per_minute=10**9)  # the rate limit is tested elsewhere
    return schemathesis.openapi.from_asgi("/openapi.json", api)


@pytest.fixture
def routes_schema(service):
    services, _ = service
    app = create_app(services.settings, services.clock, services, start_workers=False)
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def _each_operation(schema, check) -> list[str]:
    """Runs hypothesis over every operation of the description (schemathesis's pytest plugin
    does not run under this pytest; its strategies do)."""
    tried = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @FEW
        @given(case=operation.as_strategy())
        def run(case) -> None:
            check(case)

        run()
        tried.append(f"{operation.method.upper()} {operation.path}")
    return tried


def test_the_api_never_answers_500(api_schema, service):
    _, token = service
    # Not positive_data_acceptance: what fits the description may still be refused, with
    # 422 and its problems (a phone number is needed unless consent was taken; a district
    # must be one of the programme's).
    tried = _each_operation(
        api_schema,
        lambda case: case.call_and_validate(headers={"Authorization": f"Bearer {token}"},
                                            excluded_checks=[positive_data_acceptance]),
    )  # fmt: skip
    assert "GET /people/{person_id}" in tried and "POST /people" in tried


def test_webhooks_health_and_simulator_never_answer_500(routes_schema):
    def check(case) -> None:
        response = case.call()
        assert response.status_code < 500, (case.method, case.path, response.status_code)

    tried = _each_operation(routes_schema, check)
    assert "POST /webhooks/telegram" in tried and "GET /healthz" in tried
    assert not any(path.startswith(("GET /admin", "POST /admin")) for path in tried)
