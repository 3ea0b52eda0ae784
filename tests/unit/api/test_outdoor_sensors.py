"""An outdoor sensor: marked through the API, never counted as the indoor temperature."""

from __future__ import annotations

import pytest_twisted

from .rules_support import MORNINGS, add_sensors, stored_state

SETTINGS = "/v1/schedules/settings"


async def mark(engine, sensor_id: str, outdoor: bool):
    return await engine.request("PATCH", f"/v1/sensors/{sensor_id}", json={"outdoor": outdoor}, key="write")


@pytest_twisted.ensureDeferred
async def test_a_sensor_is_marked_outdoor_and_back(engine):
    await add_sensors(engine, "28-in", "28-out")
    assert (await engine.request("GET", "/v1/sensors/28-out", key="read")).json["outdoor"] is False
    marked = await mark(engine, "28-out", True)
    assert (marked.code, marked.json["outdoor"]) == (200, True), marked.text
    listed = (await engine.request("GET", "/v1/sensors", key="read")).json["sensors"]
    assert {s["id"]: s["outdoor"] for s in listed} == {"28-in": False, "28-out": True}
    refused = await engine.request("PATCH", "/v1/sensors/28-out", json={"outdoor": "yes"}, key="write")
    assert (refused.code, refused.json["error"]) == (422, "outdoor must be true or false")
    assert (await mark(engine, "28-out", False)).json["outdoor"] is False


@pytest_twisted.ensureDeferred
async def test_an_outdoor_sensor_does_not_count_by_default(engine):
    await add_sensors(engine, "28-a", "28-b", "28-garden")
    await mark(engine, "28-garden", True)
    settings = (await engine.request("GET", SETTINGS, key="read")).json
    assert settings["effective_sensors"] == {"28-a": 1.0, "28-b": 1.0}


@pytest_twisted.ensureDeferred
async def test_rules_and_settings_naming_an_outdoor_sensor_are_refused_and_change_nothing(engine):
    await add_sensors(engine, "28-a", "28-garden")
    await mark(engine, "28-garden", True)
    before = await stored_state(engine)
    weighed = {"28-a": 1, "28-garden": 1}
    for method, path, body, field in [
        ("POST", "/v1/schedules", {**MORNINGS, "sensors": weighed}, "sensors"),
        ("POST", "/v1/overrides", {"start": "now", "duration": "PT1H", "mode": "off", "sensors": weighed}, "sensors"),
        ("PATCH", SETTINGS, {"default_sensors": weighed}, "default_sensors"),
        ("PATCH", SETTINGS, {"default_instruction": {"mode": "off", "sensors": weighed}},
         "default_instruction.sensors"),
    ]:
        refused = await engine.request(method, path, json=body, key="write")
        assert refused.code == 422, (path, refused.text)
        assert refused.json["error"] == (f"{field}: '28-garden' is an outdoor sensor, which cannot count as the "
                                         "indoor temperature")
    assert await stored_state(engine) == before


@pytest_twisted.ensureDeferred
async def test_a_sensor_a_rule_weighs_cannot_be_marked_outdoor(engine):
    await add_sensors(engine, "28-a", "28-b")
    created = await engine.request("POST", "/v1/schedules", json={**MORNINGS, "sensors": {"28-b": 1}}, key="write")
    assert created.code == 201, created.text
    await engine.request("PATCH", SETTINGS, json={"default_sensors": {"28-a": 1, "28-b": 2}}, key="write")
    refused = await mark(engine, "28-b", True)
    assert refused.code == 409
    assert refused.json["error"].startswith(
        "outdoor: sensor '28-b' is weighed by schedule 'Mornings', the default sensors; take it out there first")
    assert (await engine.request("GET", "/v1/sensors/28-b", key="read")).json["outdoor"] is False
    await engine.request("DELETE", f"/v1/schedules/{created.json['id']}", key="write")
    await engine.request("PATCH", SETTINGS, json={"default_sensors": {"28-a": 1}}, key="write")
    assert (await mark(engine, "28-b", True)).code == 200
