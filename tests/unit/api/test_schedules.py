"""``/v1/schedules``: create, list, read, replace and delete recurring rules."""

from __future__ import annotations

import pytest_twisted

from rpymostat.common.timeutil import from_iso

from .rules_support import MORNINGS, add_sensors, events, timeline


@pytest_twisted.ensureDeferred
async def test_a_created_schedule_is_stored_with_an_engine_id_and_served_back(engine):
    created = await engine.request("POST", "/v1/schedules", json=MORNINGS, key="write")
    assert created.code == 201
    body = created.json
    assert body["id"] and body["cron"] == "30 6 * * *" and body["heat_setpoint"] == 21.0
    assert from_iso(body["created_at"]) == engine.clock.seconds()
    assert created.headers["location"] == f"/v1/schedules/{body['id']}"
    fetched = await engine.request("GET", f"/v1/schedules/{body['id']}", key="read")
    assert fetched.json == body
    listed = await engine.request("GET", "/v1/schedules", key="read")
    assert listed.json == {"schedules": [body]}


@pytest_twisted.ensureDeferred
async def test_ids_in_a_body_are_ignored_and_each_schedule_gets_its_own(engine):
    first = (await engine.request("POST", "/v1/schedules", json={**MORNINGS, "id": "mine"}, key="write")).json
    second = (await engine.request("POST", "/v1/schedules", json={**MORNINGS, "id": "mine"}, key="write")).json
    assert first["id"] != second["id"]
    assert "mine" not in (first["id"], second["id"])


@pytest_twisted.ensureDeferred
async def test_the_list_pages_oldest_first_and_can_give_ids_only(engine):
    ids = []
    for hour in range(5):
        body = {**MORNINGS, "cron": f"0 {hour} * * *"}
        ids.append((await engine.request("POST", "/v1/schedules", json=body, key="write")).json["id"])
        engine.clock.advance(1)
    everything = (await engine.request("GET", "/v1/schedules", key="read")).json["schedules"]
    assert [rule["id"] for rule in everything] == ids
    window = await engine.request("GET", "/v1/schedules?limit=2&offset=1&full=false", key="read")
    assert window.json == {"schedules": ids[1:3]}
    refused = await engine.request("GET", "/v1/schedules?limit=0", key="read")
    assert refused.code == 400 and "limit" in refused.json["error"]


@pytest_twisted.ensureDeferred
async def test_replacing_keeps_id_and_creation_time_and_changes_the_timeline(engine):
    created = (await engine.request("POST", "/v1/schedules", json=MORNINGS, key="write")).json
    engine.clock.advance(60)
    replaced = await engine.request("PUT", f"/v1/schedules/{created['id']}",
                                    json={**created, "heat_setpoint": 19.5}, key="write")
    assert replaced.code == 200
    assert replaced.json == {**created, "heat_setpoint": 19.5}
    segments = [s for s in await timeline(engine) if s["source"] == f"schedule:{created['id']}"]
    assert [s["heat_setpoint"] for s in segments] == [19.5]


@pytest_twisted.ensureDeferred
async def test_deleting_removes_the_schedule_from_list_and_timeline(engine):
    created = (await engine.request("POST", "/v1/schedules", json=MORNINGS, key="write")).json
    deleted = await engine.request("DELETE", f"/v1/schedules/{created['id']}", key="write")
    assert deleted.code == 200 and deleted.json == created
    assert (await engine.request("GET", f"/v1/schedules/{created['id']}", key="read")).code == 404
    assert (await engine.request("GET", "/v1/schedules", key="read")).json == {"schedules": []}
    assert {s["source"] for s in await timeline(engine)} == {"default"}
    again = await engine.request("DELETE", f"/v1/schedules/{created['id']}", key="write")
    assert again.code == 404 and created["id"] in again.json["error"]


@pytest_twisted.ensureDeferred
async def test_replacing_an_unknown_schedule_is_404_and_creates_nothing(engine):
    response = await engine.request("PUT", "/v1/schedules/nope", json=MORNINGS, key="write")
    assert response.code == 404
    assert await engine.store.list_documents("schedules") == []


@pytest_twisted.ensureDeferred
async def test_every_change_is_announced_in_the_events_log(engine):
    await add_sensors(engine, "28-a")
    created = (await engine.request("POST", "/v1/schedules", json=MORNINGS, key="write")).json
    await engine.request("PUT", f"/v1/schedules/{created['id']}", json={**MORNINGS, "sensors": {"28-a": 1}},
                         key="write")
    await engine.request("DELETE", f"/v1/schedules/{created['id']}", key="write")
    logged = await events(engine)
    assert [(e["type"], e["action"], e["id"]) for e in logged] == [
        ("schedule.changed", "created", created["id"]),
        ("schedule.changed", "replaced", created["id"]),
        ("schedule.changed", "deleted", created["id"]),
    ]
    assert logged[1]["data"]["sensors"] == {"28-a": 1.0}


@pytest_twisted.ensureDeferred
async def test_a_read_key_cannot_create_and_nothing_is_stored(engine):
    response = await engine.request("POST", "/v1/schedules", json=MORNINGS, key="read")
    assert response.code == 403
    assert await engine.store.list_documents("schedules") == []
    assert await events(engine) == []
