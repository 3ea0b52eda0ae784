"""PUT /v1/sensors/update: the seed's body, its extensions, and every class of bad input."""

from __future__ import annotations

import pytest
import pytest_twisted

from rpymostat.common.timeutil import to_iso
from tests.support.engine import START

SEED_EXAMPLE = {
    "host_id": "myhostid",
    "sensors": {
        "1058F50F01080047": {"type": "DS18S20", "value": 24.3125, "alias": "some_alias", "extra": "arbitrary string"},
    },
}


def update(sensors, host_id="myhostid"):
    return {"host_id": host_id, "sensors": sensors}


@pytest_twisted.ensureDeferred
async def test_seed_example_is_stored_and_listed(engine):
    response = await engine.request("PUT", "/v1/sensors/update", json=SEED_EXAMPLE, key="write")
    assert response.code == 201
    assert response.json == {"status": "ok", "ids": ["1058F50F01080047"]}
    listed = (await engine.request("GET", "/v1/sensors", key="read")).json["sensors"]
    assert len(listed) == 1
    sensor = listed[0]
    assert sensor["id"] == "1058F50F01080047"
    assert (sensor["host_id"], sensor["type"], sensor["value"]) == ("myhostid", "DS18S20", 24.3125)
    assert (sensor["alias"], sensor["extra"]) == ("some_alias", "arbitrary string")
    assert sensor["last_seen"] == to_iso(START)
    assert sensor["stale"] is False


@pytest_twisted.ensureDeferred
async def test_null_value_records_a_present_sensor_without_reading(engine):
    body = update({"28-00000a": {"type": "DS18B20", "value": None, "extra": "CRC check failed"}})
    assert (await engine.request("PUT", "/v1/sensors/update", json=body, key="write")).code == 201
    sensor = (await engine.request("GET", "/v1/sensors/28-00000a", key="read")).json
    assert (sensor["value"], sensor["extra"]) == (None, "CRC check failed")
    readings = (await engine.request("GET", "/v1/sensors/28-00000a/readings", key="read")).json["readings"]
    assert [r["value"] for r in readings] == [None]


@pytest_twisted.ensureDeferred
async def test_a_replayed_idempotency_key_is_stored_once_with_its_original_time(engine):
    taken = to_iso(START - 600)
    body = update({"28-a": {"type": "DS18B20", "value": 19.5, "at": taken, "idempotency_key": "abc123"}})
    for _ in range(3):
        assert (await engine.request("PUT", "/v1/sensors/update", json=body, key="write")).code == 201
    readings = (await engine.request("GET", "/v1/sensors/28-a/readings", key="read")).json["readings"]
    assert [(r["at"], r["value"]) for r in readings] == [(taken, 19.5)]


@pytest_twisted.ensureDeferred
async def test_a_sensor_that_stops_reporting_becomes_stale(engine):
    await engine.request("PUT", "/v1/sensors/update", json=update({"28-a": {"type": "DS18B20", "value": 20.0}}),
                         key="write")
    engine.clock.advance(engine.context.config.sensor_stale_after + 1)
    sensor = (await engine.request("GET", "/v1/sensors/28-a", key="read")).json
    assert sensor["stale"] is True


async def assert_refused_and_nothing_stored(engine, response, code, fragment):
    assert response.code == code, response.text
    assert response.json["status"] == "error"
    assert fragment in response.json["error"]
    assert (await engine.request("GET", "/v1/sensors", key="read")).json == {"sensors": []}
    assert (await engine.request("GET", "/v1/status")).code == 200


@pytest_twisted.ensureDeferred
async def test_malformed_json_is_refused(engine):
    response = await engine.request("PUT", "/v1/sensors/update", body=b'{"host_id": "h", ', key="write")
    await assert_refused_and_nothing_stored(engine, response, 400, "not valid JSON")


@pytest_twisted.ensureDeferred
async def test_wrong_content_type_is_refused(engine):
    response = await engine.request("PUT", "/v1/sensors/update", json=SEED_EXAMPLE, key="write",
                                    content_type="text/plain")
    await assert_refused_and_nothing_stored(engine, response, 415, "application/json")


@pytest_twisted.ensureDeferred
async def test_a_body_over_the_limit_is_refused(engine):
    huge = update({"28-a": {"type": "DS18B20", "value": 20.0, "extra": "x" * 70000}})
    response = await engine.request("PUT", "/v1/sensors/update", json=huge, key="write")
    await assert_refused_and_nothing_stored(engine, response, 413, "larger than")


@pytest.mark.parametrize("value", [True, "21.5", [21.5], {"c": 21.5}])
@pytest_twisted.ensureDeferred
async def test_a_value_of_the_wrong_type_is_refused(engine, value):
    response = await engine.request("PUT", "/v1/sensors/update",
                                    json=update({"28-a": {"type": "DS18B20", "value": value}}), key="write")
    await assert_refused_and_nothing_stored(engine, response, 422, "sensors.28-a.value must be a finite number")


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e999", "-1e999"])
@pytest_twisted.ensureDeferred
async def test_nan_and_infinities_are_refused_naming_the_field(engine, literal):
    body = '{"host_id": "h", "sensors": {"28-a": {"type": "DS18B20", "value": ' + literal + "}}}"
    response = await engine.request("PUT", "/v1/sensors/update", body=body.encode(), key="write")
    await assert_refused_and_nothing_stored(engine, response, 422,
                                            f"sensors.28-a.value must be a finite number, not {literal}")


@pytest.mark.parametrize("sensor_type, value", [("DS18B20", 126.0), ("DS18B20", -56.0), ("cpu", 300.0),
                                                ("SomethingElse", 1000.0)])
@pytest_twisted.ensureDeferred
async def test_temperatures_outside_the_physical_range_are_refused(engine, sensor_type, value):
    response = await engine.request("PUT", "/v1/sensors/update",
                                    json=update({"28-a": {"type": sensor_type, "value": value}}), key="write")
    await assert_refused_and_nothing_stored(engine, response, 422, "outside the range")


@pytest.mark.parametrize("host_id", ["", "x" * 65, "bad id", "../etc", "ünïcode", 42])
@pytest_twisted.ensureDeferred
async def test_empty_oversized_or_odd_host_ids_are_refused(engine, host_id):
    response = await engine.request("PUT", "/v1/sensors/update",
                                    json=update({"28-a": {"type": "DS18B20", "value": 20.0}}, host_id=host_id),
                                    key="write")
    await assert_refused_and_nothing_stored(engine, response, 422, "host_id must be")


@pytest.mark.parametrize("sensor_id", ["", "y" * 65, "has space", "-leading", "semi;colon"])
@pytest_twisted.ensureDeferred
async def test_empty_oversized_or_odd_sensor_ids_are_refused_with_no_partial_write(engine, sensor_id):
    body = update({"28-good": {"type": "DS18B20", "value": 20.0}, sensor_id: {"type": "DS18B20", "value": 20.0}})
    response = await engine.request("PUT", "/v1/sensors/update", json=body, key="write")
    await assert_refused_and_nothing_stored(engine, response, 422, "sensor ID")


@pytest_twisted.ensureDeferred
async def test_an_empty_sensors_object_is_refused(engine):
    response = await engine.request("PUT", "/v1/sensors/update", json=update({}), key="write")
    await assert_refused_and_nothing_stored(engine, response, 422, "at least one sensor")


@pytest.mark.parametrize("body, message", [
    ({"sensors": {"28-a": {"type": "DS18B20", "value": 1.0}}}, "host_id field is missing"),
    ({"host_id": "h"}, "sensors field is missing"),
    (update({"28-a": {"value": 1.0}}), "sensors.28-a.type field is missing"),
    (update({"28-a": {"type": "DS18B20"}}), "sensors.28-a.value field is missing"),
    (update({"28-a": "hot"}), "sensors.28-a must be an object"),
    (update({"28-a": {"type": "DS18B20", "value": 1.0, "colour": "red"}}), "unknown field(s): colour"),
    ({**update({"28-a": {"type": "DS18B20", "value": 1.0}}), "extra_top": 1}, "unknown field(s): extra_top"),
    (update({"28-a": {"type": "DS18B20", "value": 1.0, "at": "yesterday"}}), "sensors.28-a.at"),
    (update({"28-a": {"type": "DS18B20", "value": 1.0, "at": "2026-09-21T10:00:00"}}), "no time zone"),
    (update({"28-a": {"type": "DS18B20", "value": 1.0, "at": to_iso(START + 3600)}}), "in the future"),
    (update({"28-a": {"type": "DS18B20", "value": 1.0, "idempotency_key": ""}}), "idempotency_key"),
    (update({"28-a": {"type": "DS18B20", "value": 1.0, "alias": 7}}), "sensors.28-a.alias must be a string"),
    (["not", "an", "object"], "must be a JSON object"),
])
@pytest_twisted.ensureDeferred
async def test_each_invalid_field_is_named(engine, body, message):
    response = await engine.request("PUT", "/v1/sensors/update", json=body, key="write")
    await assert_refused_and_nothing_stored(engine, response, 422, message)
