"""``GET /v1/history``: what a chart gets for a day, a week, a month and a year."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest_twisted

from rpymostat.common.timeutil import to_iso
from rpymostat.store.records import ReadingInput
from tests.support.engine import START
from tests.unit.api.test_openapi import assert_matches

DAY = 86400.0
NOW = START  # the harness's engine clock


def path(**params):
    return "/v1/history?" + urlencode(params)


async def store_minutes(engine, sensor_id, first, count, value_of):
    readings = [ReadingInput(sensor_id, "DS18B20", value_of(i), first + i * 60.0, idempotency_key=f"{sensor_id}@{first + i * 60}")
                for i in range(count)]
    await engine.store.record_readings("h", readings, NOW)


def decision(at, heat_on, since, heat):
    return {"at": to_iso(at), "instruction": {"mode": "heat", "heat_setpoint": heat, "cool_setpoint": None},
            "equipment": {"heat": {"on": heat_on, "since": to_iso(since) if since else None}}}


@pytest_twisted.ensureDeferred
async def test_a_days_chart_gets_five_minute_means_with_min_and_max(engine):
    start = NOW - DAY - (NOW % 300)
    await store_minutes(engine, "28-a", start, 1440, lambda i: 20.0 + (i % 5))
    response = await engine.request("GET", path(start=to_iso(start), end=to_iso(start + DAY)), key="read")
    assert response.code == 200, response.text
    body = response.json
    assert (body["level"], body["resolution"]) == ("5m", 300)
    (series,) = body["series"]
    assert series["sensor_id"] == "28-a"
    assert len(series["points"]) == 288
    assert series["points"][0] == {"at": to_iso(start), "mean": 22.0, "min": 20.0, "max": 24.0, "count": 5}


@pytest_twisted.ensureDeferred
async def test_longer_ranges_read_coarser_levels_with_the_same_averages(engine):
    start = NOW - 365 * DAY - NOW % DAY
    for day in range(0, 365, 30):
        await store_minutes(engine, "28-a", start + day * DAY, 60, lambda i: 10.0 + i / 16)
    expected_mean = sum(10.0 + i / 16 for i in range(60)) / 60
    answers = {}
    for days in (7, 30, 365):
        response = await engine.request("GET", path(start=to_iso(NOW - days * DAY), end=to_iso(NOW)), key="read")
        assert response.code == 200, response.text
        answers[days] = response.json
    assert [(answers[d]["level"], answers[d]["resolution"]) for d in (7, 30, 365)] == [
        ("5m", 1800), ("1h", 7200), ("1d", 86400)]
    year = answers[365]["series"][0]["points"]
    assert len(year) == 13
    assert {p["mean"] for p in year} == {round(expected_mean, 4)}
    assert {(p["min"], p["max"], p["count"]) for p in year} == {(10.0, 10.0 + 59 / 16, 60)}


@pytest_twisted.ensureDeferred
async def test_fine_resolutions_read_raw_readings_and_nulls_do_not_count(engine):
    start = NOW - 3600 - NOW % 120
    await store_minutes(engine, "28-a", start, 10, lambda i: None if i == 3 else float(i))
    response = await engine.request("GET", path(start=to_iso(start), end=to_iso(start + 600), resolution=120),
                                    key="read")
    body = response.json
    assert (body["level"], body["resolution"]) == ("raw", 120)
    points = body["series"][0]["points"]
    assert [(p["count"], p["min"], p["max"]) for p in points] == [(2, 0.0, 1.0), (1, 2.0, 2.0), (2, 4.0, 5.0),
                                                                   (2, 6.0, 7.0), (2, 8.0, 9.0)]


@pytest_twisted.ensureDeferred
async def test_a_replayed_update_does_not_change_the_history(engine):
    update = {"host_id": "h", "sensors": {"28-a": {"type": "DS18B20", "value": 21.0, "at": to_iso(NOW - 30),
                                                   "idempotency_key": "once"}}}
    query = path(start=to_iso(NOW - 3600), end=to_iso(NOW), resolution=3600)
    assert (await engine.request("PUT", "/v1/sensors/update", json=update, key="write")).code == 201
    first = (await engine.request("GET", query, key="read")).json["series"]
    assert (await engine.request("PUT", "/v1/sensors/update", json=update, key="write")).code == 201
    again = (await engine.request("GET", query, key="read")).json["series"]
    assert again == first
    assert [p["count"] for p in again[0]["points"]] == [1]


@pytest_twisted.ensureDeferred
async def test_the_target_and_the_equipments_on_periods_come_with_the_temperatures(engine):
    base = NOW - 4 * 3600
    await engine.store.append_log("decisions", base - 600, decision(base - 600, False, None, 18.0))
    await engine.store.append_log("decisions", base + 600, decision(base + 600, True, base + 600, 21.0))
    await engine.store.append_log("decisions", base + 1200, decision(base + 1200, True, base + 600, 21.0))
    await engine.store.append_log("decisions", base + 1800, decision(base + 1800, False, base + 1800, 21.0))
    response = await engine.request("GET", path(start=to_iso(base), end=to_iso(NOW), resolution=60), key="read")
    body = response.json
    assert [(t["at"], t["heat"]) for t in body["target"]] == [(to_iso(base), 18.0), (to_iso(base + 600), 21.0)]
    assert body["equipment"] == [{"function": "heat", "start": to_iso(base + 600), "end": to_iso(base + 1800),
                                  "on_seconds": 1200.0}]


@pytest_twisted.ensureDeferred
async def test_the_target_in_force_at_the_start_is_found_whether_it_was_recorded_minutes_or_days_before(engine):
    base = NOW - 4 * 3600
    await engine.store.append_log("decisions", base - 3 * DAY, decision(base - 3 * DAY, False, None, 17.0))
    await engine.store.append_log("decisions", base - 2 * DAY, decision(base - 2 * DAY, False, None, 19.0))
    after_a_long_stop = await engine.request("GET", path(start=to_iso(base), end=to_iso(NOW)), key="read")
    assert [(t["at"], t["heat"]) for t in after_a_long_stop.json["target"]] == [(to_iso(base), 19.0)]
    await engine.store.append_log("decisions", base - 300, decision(base - 300, False, None, 20.0))
    running = await engine.request("GET", path(start=to_iso(base), end=to_iso(NOW)), key="read")
    assert [(t["at"], t["heat"]) for t in running.json["target"]] == [(to_iso(base), 20.0)]


@pytest_twisted.ensureDeferred
async def test_by_default_every_visible_sensor_is_charted(engine):
    for sensor_id in ("28-a", "28-b", "28-c"):
        await store_minutes(engine, sensor_id, NOW - 600, 5, lambda i: 20.0)
    await engine.store.update_sensor("28-b", {"hidden": True, "name": "Loft"})
    await engine.store.update_sensor("28-c", {"name": "Hall", "room": "hall"})
    body = (await engine.request("GET", "/v1/history", key="read")).json
    assert [(s["sensor_id"], s["name"], s["room"]) for s in body["series"]] == [
        ("28-a", None, None), ("28-c", "Hall", "hall")]
    chosen = (await engine.request("GET", path(sensors="28-b"), key="read")).json
    assert [s["sensor_id"] for s in chosen["series"]] == ["28-b"]


@pytest_twisted.ensureDeferred
async def test_an_outdoor_sensor_is_charted_as_outdoor(engine):
    for sensor_id in ("28-a", "28-garden"):
        await store_minutes(engine, sensor_id, NOW - 600, 5, lambda i: 4.0)
    await engine.store.update_sensor("28-garden", {"outdoor": True})
    body = (await engine.request("GET", "/v1/history", key="read")).json
    assert [(s["sensor_id"], s["outdoor"], len(s["points"]) > 0) for s in body["series"]] == [
        ("28-a", False, True), ("28-garden", True, True)]


@pytest_twisted.ensureDeferred
async def test_bad_parameters_are_refused_naming_the_parameter(engine):
    await store_minutes(engine, "28-a", NOW - 600, 5, lambda i: 20.0)
    cases = [
        ({"start": "yesterday"}, "start"),
        ({"end": "2026-13-01T00:00:00Z"}, "end"),
        ({"start": to_iso(NOW), "end": to_iso(NOW - 60)}, "end parameter must be after start"),
        ({"start": to_iso(NOW - 20 * 365 * DAY), "end": to_iso(NOW)}, "start and end"),
        ({"sensors": "28-a,28-nope"}, "28-nope"),
        ({"sensors": ","}, "sensors"),
        ({"resolution": "fast"}, "resolution"),
        ({"resolution": "0"}, "resolution"),
        ({"resolution": "1", "start": to_iso(NOW - 7 * DAY), "end": to_iso(NOW)}, "resolution"),
        ({"points": "0"}, "points"),
        ({"points": "100", "resolution": "60"}, "points"),
    ]
    for params, named in cases:
        response = await engine.request("GET", path(**params), key="read")
        assert response.code == 400, params
        assert named in response.json["error"], (params, response.json)


@pytest_twisted.ensureDeferred
async def test_the_answer_matches_the_openapi_document(engine):
    await store_minutes(engine, "28-a", NOW - 3600, 60, lambda i: 20.0 + i / 16)
    await engine.store.append_log("decisions", NOW - 1800, decision(NOW - 1800, True, NOW - 1800, 21.0))
    served = (await engine.request("GET", "/v1/openapi.json")).json
    for query in ("/v1/history", path(resolution=60, start=to_iso(NOW - 3600), end=to_iso(NOW)),
                  path(resolution="fast")):
        response = await engine.request("GET", query, key="read")
        assert_matches(served, "/v1/history", "get", response)
