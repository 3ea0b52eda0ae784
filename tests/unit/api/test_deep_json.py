"""JSON nested too deeply is a 400 naming the limit, on any route, and leaves no traceback in the log."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import pytest_twisted
from twisted.logger import LogEvent, globalLogPublisher

from rpymostat.common.json_input import MAX_NESTING

TOO_DEEP = f"request body is nested more than {MAX_NESTING} arrays and objects deep"


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


@pytest.fixture
def failures() -> Iterator[list[LogEvent]]:
    """Every event logged with a traceback while the test runs."""
    logged: list[LogEvent] = []

    def observe(event: LogEvent) -> None:
        if "log_failure" in event:
            logged.append(event)

    globalLogPublisher.addObserver(observe)
    yield logged
    globalLogPublisher.removeObserver(observe)


@pytest.mark.parametrize("depth", [MAX_NESTING + 1, 20000])
@pytest_twisted.ensureDeferred
async def test_a_deeply_nested_body_is_refused_with_400_and_nothing_is_logged_as_a_failure(engine, failures, depth):
    response = await engine.request("PUT", "/v1/sensors/update", body=nested(depth), key="write")
    assert (response.code, response.json) == (400, {"status": "error", "error": TOO_DEEP, "code": "malformed", "field": None})
    assert failures == []
    assert (await engine.request("GET", "/v1/sensors", key="read")).json["sensors"] == []


@pytest_twisted.ensureDeferred
async def test_a_body_at_the_nesting_limit_reaches_the_handler(engine):
    body = b'{"host_id": "h", "sensors": ' + nested(MAX_NESTING - 1) + b"}"
    response = await engine.request("PUT", "/v1/sensors/update", body=body, key="write")
    assert response.code == 422
    assert "sensors" in response.json["error"]
