"""Refused rules: a 422 that names the field, and nothing stored or announced."""

from __future__ import annotations

import pytest
import pytest_twisted

from rpymostat.engine.schedules.cost import MAX_OVERRIDES, MAX_SCHEDULES

from .rules_support import MORNINGS, add_sensors, stored_state

AWAY = {"start": "2026-12-21T08:00:00Z", "end": "2026-12-28T18:00:00Z", "mode": "heat", "heat_setpoint": 12}

SCHEDULE_REFUSALS = [
    ({**MORNINGS, "cron": "61 6 * * *"}, "cron"),
    ({**MORNINGS, "cron": "0 6 * *"}, "cron"),
    ({**MORNINGS, "cron": "0 0 30 2 *"}, "cron"),
    ({**MORNINGS, "end_cron": "0 8 * * *"}, "duration"),
    ({**MORNINGS, "duration": "P8D"}, "duration"),
    ({**MORNINGS, "duration": "soon"}, "duration"),
    ({**MORNINGS, "heat_setpoint": 40}, "heat_setpoint"),
    ({**MORNINGS, "heat_setpoint": 2}, "heat_setpoint"),
    ({**MORNINGS, "mode": "auto", "cool_setpoint": 21.5}, "cool_setpoint"),
    ({**MORNINGS, "mode": "warm"}, "mode"),
    ({**MORNINGS, "sensors": {"28-unknown": 1}}, "unknown sensor"),
    ({**MORNINGS, "sensors": {"28-a": 0}}, "weight"),
    ({**MORNINGS, "colour": "red"}, "colour"),
    ({**MORNINGS, "cron": "* * * * *", "duration": "PT10H"}, "cron"),
    ({**MORNINGS, "cron": "*/2 * * * *", "end_cron": "0 6 * * *", "duration": None}, "cron"),
]

OVERRIDE_REFUSALS = [
    ({**AWAY, "end": "2026-12-20T08:00:00Z"}, "end must be after start"),
    ({**AWAY, "start": "tomorrow"}, "start"),
    ({**AWAY, "start": "2026-12-21T08:00:00"}, "time zone"),
    ({**AWAY, "duration": "PT1H"}, "only one of"),
    ({key: value for key, value in AWAY.items() if key != "end"}, "end"),
    ({**AWAY, "heat_setpoint": 36}, "heat_setpoint"),
    ({**AWAY, "sensors": {"nope": 1}}, "unknown sensor"),
    ({**AWAY, "until": "later", "end": None}, "until"),
    ({**AWAY, "start": "2026-01-01T00:00:00Z", "end": "2026-01-02T00:00:00Z"}, "already past"),
    ({"start": "now", "duration": "PT0S", "mode": "off"}, "duration"),
]


@pytest.mark.parametrize(("body", "named"), SCHEDULE_REFUSALS)
@pytest_twisted.ensureDeferred
async def test_an_invalid_schedule_is_refused_naming_the_field(engine, body, named):
    await add_sensors(engine, "28-a")
    before = await stored_state(engine)
    response = await engine.request("POST", "/v1/schedules", json=body, key="write")
    assert response.code == 422, response.text
    assert response.json["status"] == "error"
    assert named in response.json["error"]
    assert await stored_state(engine) == before


@pytest.mark.parametrize(("body", "named"), OVERRIDE_REFUSALS)
@pytest_twisted.ensureDeferred
async def test_an_invalid_override_is_refused_naming_the_field(engine, body, named):
    before = await stored_state(engine)
    response = await engine.request("POST", "/v1/overrides", json=body, key="write")
    assert response.code == 422, response.text
    assert named in response.json["error"]
    assert await stored_state(engine) == before


@pytest_twisted.ensureDeferred
async def test_an_invalid_replacement_leaves_the_stored_rule_as_it_was(engine):
    created = (await engine.request("POST", "/v1/schedules", json=MORNINGS, key="write")).json
    before = await stored_state(engine)
    response = await engine.request("PUT", f"/v1/schedules/{created['id']}", json={**MORNINGS, "cron": "bad"},
                                    key="write")
    assert response.code == 422 and "cron" in response.json["error"]
    assert await stored_state(engine) == before
    assert (await engine.request("GET", f"/v1/schedules/{created['id']}", key="read")).json == created


@pytest_twisted.ensureDeferred
async def test_bodies_that_are_not_json_objects_are_refused(engine):
    before = await stored_state(engine)
    assert (await engine.request("POST", "/v1/schedules", json=[MORNINGS], key="write")).code == 422
    assert (await engine.request("POST", "/v1/overrides", body=b"{", key="write")).code == 400
    assert (await engine.request("POST", "/v1/schedules", json=MORNINGS, key="write",
                                 content_type="text/plain")).code == 415
    assert await stored_state(engine) == before


@pytest_twisted.ensureDeferred
async def test_frequent_schedules_are_refused_once_together_they_cost_too_much(engine):
    # Every 10 minutes with a 2-hour occurrence is fine alone (144 a day).
    body = {**MORNINGS, "cron": "*/10 * * * *", "duration": "PT2H"}
    accepted = 0
    while (response := await engine.request("POST", "/v1/schedules", json=body, key="write")).code == 201:
        accepted += 1
    assert response.code == 422 and "together with the other schedules" in response.json["error"]
    assert 1 < accepted < MAX_SCHEDULES
    assert len(await engine.store.list_documents("schedules")) == accepted


@pytest_twisted.ensureDeferred
async def test_the_number_of_rules_is_bounded(engine):
    body = {**MORNINGS, "cron": "0 6 1 1 *"}
    for _ in range(MAX_SCHEDULES):
        assert (await engine.request("POST", "/v1/schedules", json=body, key="write")).code == 201
    refused = await engine.request("POST", "/v1/schedules", json=body, key="write")
    assert refused.code == 422 and f"at most {MAX_SCHEDULES} schedules" in refused.json["error"]
    away = {**AWAY, "start": "2027-01-01T00:00:00Z", "end": "2027-01-02T00:00:00Z"}
    for _ in range(MAX_OVERRIDES):
        assert (await engine.request("POST", "/v1/overrides", json=away, key="write")).code == 201
    refused = await engine.request("POST", "/v1/overrides", json=away, key="write")
    assert refused.code == 422 and f"at most {MAX_OVERRIDES} overrides" in refused.json["error"]
    assert len(await engine.store.list_documents("overrides")) == MAX_OVERRIDES
