"""Times far in the past or future are answered as valid RFC 3339, or refused with a 4xx: never a 500."""

from __future__ import annotations

import re

import pytest_twisted

RFC3339_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
HEAT = {"mode": "heat", "heat_setpoint": 20.0}


@pytest_twisted.ensureDeferred
async def test_an_override_starting_before_the_year_1000_is_answered_with_a_four_digit_year(engine):
    body = {"name": "long ago", "start": "0999-12-31T22:00:00Z", "end": "9999-12-31T23:59:59Z", **HEAT}
    created = await engine.request("POST", "/v1/overrides", json=body, key="write")
    assert created.code == 201, created.text
    assert created.json["start"] == "0999-12-31T22:00:00.000Z"
    listed = (await engine.request("GET", "/v1/overrides", key="read")).json["overrides"]
    assert [item["start"] for item in listed] == ["0999-12-31T22:00:00.000Z"]


@pytest_twisted.ensureDeferred
async def test_a_duration_that_ends_after_the_year_9999_is_refused_naming_it(engine):
    body = {"name": "far", "start": "9999-12-31T23:00:00Z", "duration": "P2D", **HEAT}
    refused = await engine.request("POST", "/v1/overrides", json=body, key="write")
    assert (refused.code, refused.json["error"]) == (422, "start plus duration must end before the year 10000")
    assert (await engine.request("GET", "/v1/overrides", key="read")).json["overrides"] == []


@pytest_twisted.ensureDeferred
async def test_history_ending_at_the_first_instant_of_year_1_starts_there_too(engine):
    answer = await engine.request("GET", "/v1/history?end=0001-01-01T00:00:01Z", key="read")
    assert answer.code == 200, answer.text
    assert (answer.json["start"], answer.json["end"]) == ("0001-01-01T00:00:00.000Z", "0001-01-01T00:00:01.000Z")
