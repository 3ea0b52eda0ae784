"""GET /v1/sensors/<id>/readings: newest first, paged by limit, offset, before, after and full."""

from __future__ import annotations

import pytest
import pytest_twisted

from rpymostat.common.timeutil import to_iso
from tests.support.engine import START

SENSOR = "28-paged"
# Five readings a minute apart, the newest ten minutes before the engine's "now".
TIMES = [START - 600 - 60 * n for n in range(5)]
VALUES = [20.0 + n for n in range(5)]


async def store_readings(engine) -> None:
    """Each reading arrives in its own update, oldest first, with the time it was taken."""
    for at, value in reversed(list(zip(TIMES, VALUES, strict=True))):
        body = {"host_id": "hall", "sensors": {SENSOR: {"type": "DS18B20", "value": value, "at": to_iso(at)}}}
        assert (await engine.request("PUT", "/v1/sensors/update", json=body, key="write")).code == 201


async def readings(engine, query: str = "") -> list[dict]:
    response = await engine.request("GET", f"/v1/sensors/{SENSOR}/readings{query}", key="read")
    assert response.code == 200, response.text
    assert response.json["sensor_id"] == SENSOR
    return response.json["readings"]


def values(items: list[dict]) -> list[float]:
    return [item["value"] for item in items]


@pytest_twisted.ensureDeferred
async def test_readings_are_newest_first_with_their_times(engine):
    await store_readings(engine)
    listed = await readings(engine)
    assert [(r["at"], r["value"]) for r in listed] == [(to_iso(at), v) for at, v in zip(TIMES, VALUES, strict=True)]


@pytest_twisted.ensureDeferred
async def test_limit_and_offset_page_through_them(engine):
    await store_readings(engine)
    assert values(await readings(engine, "?limit=2")) == VALUES[:2]
    assert values(await readings(engine, "?limit=2&offset=2")) == VALUES[2:4]
    assert values(await readings(engine, "?limit=2&offset=4")) == VALUES[4:]
    assert values(await readings(engine, "?offset=5")) == []


@pytest_twisted.ensureDeferred
async def test_before_and_after_are_strict_bounds_on_the_reading_time(engine):
    await store_readings(engine)
    middle = to_iso(TIMES[2])
    assert values(await readings(engine, f"?before={middle}")) == VALUES[3:]
    assert values(await readings(engine, f"?after={middle}")) == VALUES[:2]
    assert values(await readings(engine, f"?after={to_iso(TIMES[4])}&before={to_iso(TIMES[0])}")) == VALUES[1:4]
    assert values(await readings(engine, f"?before={middle}&limit=1")) == VALUES[3:4]


@pytest_twisted.ensureDeferred
async def test_full_false_gives_only_time_and_value(engine):
    await store_readings(engine)
    full = await readings(engine, "?limit=1")
    assert set(full[0]) == {"at", "value", "id", "host_id", "received_at", "extra"}
    assert (full[0]["host_id"], full[0]["received_at"]) == ("hall", to_iso(START))
    assert await readings(engine, "?limit=1&full=true") == full
    assert await readings(engine, "?limit=1&full=false") == [{"at": to_iso(TIMES[0]), "value": VALUES[0]}]


@pytest.mark.parametrize("query, named", [
    ("limit=0", "limit parameter"), ("limit=10001", "limit parameter"), ("limit=ten", "limit parameter"),
    ("limit=1.5", "limit parameter"), ("offset=-1", "offset parameter"), ("offset=x", "offset parameter"),
    ("before=yesterday", "before parameter"), ("after=2026-09-21T10:00:00", "after parameter"),
    ("full=maybe", "full parameter"),
])
@pytest_twisted.ensureDeferred
async def test_a_bad_parameter_is_refused_naming_it(engine, query, named):
    await store_readings(engine)
    response = await engine.request("GET", f"/v1/sensors/{SENSOR}/readings?{query}", key="read")
    assert response.code == 400
    assert response.json["status"] == "error"
    assert named in response.json["error"]


@pytest_twisted.ensureDeferred
async def test_an_unknown_sensor_is_404(engine):
    await store_readings(engine)
    response = await engine.request("GET", "/v1/sensors/28-nobody/readings", key="read")
    assert response.code == 404
    assert response.json == {"status": "error", "error": "no sensor with ID '28-nobody'", "code": "not_found",
                             "field": None}
