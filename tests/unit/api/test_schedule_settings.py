"""``/v1/schedules/settings``: pause everything, the default instruction, the default weights."""

from __future__ import annotations

import pytest
import pytest_twisted

from .rules_support import MORNINGS, add_sensors, events, stored_state, timeline

SETTINGS = "/v1/schedules/settings"


@pytest_twisted.ensureDeferred
async def test_fresh_settings_are_off_by_default_weighting_every_visible_sensor(engine):
    await add_sensors(engine, "28-a", "28-b", "28-c")
    await engine.request("PATCH", "/v1/sensors/28-c", json={"hidden": True}, key="write")
    response = await engine.request("GET", SETTINGS, key="read")
    assert response.code == 200
    assert response.json["paused"] is False
    assert response.json["default_instruction"]["mode"] == "off"
    assert response.json["default_sensors"] == {}
    assert response.json["effective_sensors"] == {"28-a": 1.0, "28-b": 1.0}


@pytest_twisted.ensureDeferred
async def test_pausing_sets_schedules_aside_without_deleting_them(engine):
    schedule = (await engine.request("POST", "/v1/schedules", json=MORNINGS, key="write")).json
    paused = await engine.request("PATCH", SETTINGS, json={"paused": True}, key="write")
    assert paused.code == 200 and paused.json["paused"] is True
    assert {s["source"] for s in await timeline(engine)} == {"default"}
    assert (await engine.request("GET", "/v1/timeline", key="read")).json["paused"] is True
    assert (await engine.request("GET", "/v1/schedules", key="read")).json == {"schedules": [schedule]}
    adjustment = (await engine.request("POST", "/v1/overrides", json={"start": "now", "duration": "PT1H",
                                                                       "mode": "heat", "heat_setpoint": 19},
                                       key="write")).json
    assert (await timeline(engine))[0]["source"] == f"adjustment:{adjustment['id']}"
    await engine.request("PATCH", SETTINGS, json={"paused": False}, key="write")
    assert f"schedule:{schedule['id']}" in {s["source"] for s in await timeline(engine)}
    changes = [e for e in await events(engine) if e["type"] == "schedule_settings.changed"]
    assert [e["data"]["paused"] for e in changes] == [True, False]


@pytest_twisted.ensureDeferred
async def test_the_default_instruction_and_weights_apply_where_no_rule_does(engine):
    await add_sensors(engine, "28-a", "28-b")
    body = {"default_instruction": {"mode": "heat", "heat_setpoint": 16}, "default_sensors": {"28-a": 3, "28-b": 1}}
    response = await engine.request("PATCH", SETTINGS, json=body, key="write")
    assert response.json["effective_sensors"] == {"28-a": 3.0, "28-b": 1.0}
    mornings = (await engine.request("POST", "/v1/schedules", json=MORNINGS, key="write")).json
    evenings = (await engine.request("POST", "/v1/schedules", json={**MORNINGS, "cron": "0 18 * * *",
                                                                     "sensors": {"28-b": 1}}, key="write")).json
    sensors_by_source: dict[str, list[dict[str, float]]] = {}
    for segment in await timeline(engine):
        sensors_by_source.setdefault(segment["source"], []).append(segment["sensors"])
    assert sensors_by_source == {
        "default": [{"28-a": 3.0, "28-b": 1.0}] * 3,
        f"schedule:{mornings['id']}": [{"28-a": 3.0, "28-b": 1.0}],
        f"schedule:{evenings['id']}": [{"28-b": 1.0}],
    }
    assert {s["heat_setpoint"] for s in await timeline(engine) if s["source"] == "default"} == {16.0}


@pytest_twisted.ensureDeferred
async def test_put_replaces_the_whole_settings_and_what_was_read_can_be_put_back(engine):
    await add_sensors(engine, "28-a")
    await engine.request("PATCH", SETTINGS, json={"paused": True, "default_sensors": {"28-a": 2}}, key="write")
    current = (await engine.request("GET", SETTINGS, key="read")).json
    assert (await engine.request("PUT", SETTINGS, json=current, key="write")).json == current
    reset = await engine.request("PUT", SETTINGS, json={"default_instruction": {"mode": "cool", "cool_setpoint": 26}},
                                 key="write")
    assert reset.json["paused"] is False and reset.json["default_sensors"] == {}
    assert reset.json["default_instruction"]["cool_setpoint"] == 26.0


@pytest.mark.parametrize(("body", "named"), [
    ({"paused": "yes"}, "paused"),
    ({"default_sensors": {"28-a": 0}}, "default_sensors"),
    ({"default_sensors": {"28-a": -1}}, "default_sensors"),
    ({"default_sensors": {"28-nope": 1}}, "unknown sensor"),
    ({"default_sensors": [1]}, "default_sensors"),
    ({"default_instruction": {"mode": "heat"}}, "default_instruction: heat_setpoint"),
    ({"default_instruction": {"mode": "heat", "heat_setpoint": 50}}, "heat_setpoint"),
    ({"default_instruction": {"mode": "off", "cron": "* * * * *"}}, "cron"),
    ({"default_instruction": "off"}, "default_instruction"),
    ({"holiday": True}, "holiday"),
])
@pytest_twisted.ensureDeferred
async def test_invalid_settings_are_refused_and_nothing_changes(engine, body, named):
    await add_sensors(engine, "28-a")
    before = await stored_state(engine)
    for method in ("PUT", "PATCH"):
        response = await engine.request(method, SETTINGS, json=body, key="write")
        assert response.code == 422, response.text
        assert named in response.json["error"]
    assert await stored_state(engine) == before
