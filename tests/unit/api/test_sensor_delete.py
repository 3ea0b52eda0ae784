"""``DELETE /v1/sensors/<id>``: a retired sensor is forgotten with its readings; one a rule weighs is not."""

from __future__ import annotations

import pytest_twisted

from .rules_support import MORNINGS, add_sensors, stored_state

SETTINGS = "/v1/schedules/settings"


@pytest_twisted.ensureDeferred
async def test_a_deleted_sensor_is_gone_with_its_readings_and_no_longer_counts(engine):
    await add_sensors(engine, "28-kept", "28-retired")
    assert (await engine.request("GET", SETTINGS, key="read")).json["effective_sensors"] == {
        "28-kept": 1.0, "28-retired": 1.0}
    deleted = await engine.request("DELETE", "/v1/sensors/28-retired", key="admin")
    assert (deleted.code, deleted.json["id"]) == (200, "28-retired"), deleted.text
    gone = await engine.request("GET", "/v1/sensors/28-retired", key="read")
    assert (gone.code, gone.json["error"]) == (404, "no sensor with ID '28-retired'")
    listed = (await engine.request("GET", "/v1/sensors", key="read")).json["sensors"]
    assert [s["id"] for s in listed] == ["28-kept"]
    assert await engine.store.list_readings("28-retired", 10) == []
    assert (await engine.request("GET", SETTINGS, key="read")).json["effective_sensors"] == {"28-kept": 1.0}
    again = await engine.request("DELETE", "/v1/sensors/28-retired", key="admin")
    assert (again.code, again.json["error"]) == (404, "no sensor with ID '28-retired'")


@pytest_twisted.ensureDeferred
async def test_a_sensor_a_rule_weighs_is_not_deleted_and_the_refusal_says_where(engine):
    await add_sensors(engine, "28-a", "28-b")
    created = await engine.request("POST", "/v1/schedules", json={**MORNINGS, "sensors": {"28-b": 1}}, key="write")
    assert created.code == 201, created.text
    before = await stored_state(engine)
    refused = await engine.request("DELETE", "/v1/sensors/28-b", key="admin")
    assert refused.code == 409
    assert refused.json["error"].startswith("sensor '28-b' is weighed by schedule 'Mornings'; take it out there first")
    assert await stored_state(engine) == before
    assert (await engine.request("GET", "/v1/sensors/28-b", key="read")).code == 200
    assert await engine.store.list_readings("28-b", 10) != []


@pytest_twisted.ensureDeferred
async def test_a_write_key_cannot_delete_a_sensor(engine):
    await add_sensors(engine, "28-a")
    refused = await engine.request("DELETE", "/v1/sensors/28-a", key="write")
    assert refused.code == 403
    assert (await engine.request("GET", "/v1/sensors/28-a", key="read")).code == 200
