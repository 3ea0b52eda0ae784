"""``/v1/overrides``: one-time rules, instant adjustments, and their end."""

from __future__ import annotations

import pytest_twisted

from rpymostat.common.timeutil import from_iso, to_iso

from .rules_support import MORNINGS, events, local, move_clock_to, starts, timeline

AWAY = {"name": "Away", "start": "2026-12-21T08:00:00Z", "end": "2026-12-28T18:00:00Z",
        "mode": "heat", "heat_setpoint": 12}


@pytest_twisted.ensureDeferred
async def test_an_away_override_is_stored_and_wins_over_the_schedule_while_it_lasts(engine):
    schedule = (await engine.request("POST", "/v1/schedules", json=MORNINGS, key="write")).json
    created = await engine.request("POST", "/v1/overrides", json=AWAY, key="write")
    assert created.code == 201
    away = created.json
    assert away["kind"] == "override" and away["end"] == "2026-12-28T18:00:00.000Z"
    assert created.headers["location"] == f"/v1/overrides/{away['id']}"
    assert (await engine.request("GET", f"/v1/overrides/{away['id']}", key="read")).json == away
    move_clock_to(engine, from_iso("2026-12-21T00:00:00Z"))
    segments = await timeline(engine, hours=48)
    assert starts(segments, f"override:{away['id']}") == [from_iso(AWAY["start"])]
    mornings = f"schedule:{schedule['id']}"
    assert starts(segments, mornings) == [local(2026, 12, 21, 6, 30)]
    assert all(s["heat_setpoint"] == 12.0 for s in segments if s["start"] >= "2026-12-21T08")


@pytest_twisted.ensureDeferred
async def test_an_instant_adjustment_lasts_until_the_next_scheduled_change(engine):
    schedule = (await engine.request("POST", "/v1/schedules", json=MORNINGS, key="write")).json
    now = engine.clock.seconds()
    created = await engine.request("POST", "/v1/overrides", json={"start": "now", "mode": "heat", "heat_setpoint": 22},
                                   key="write")
    assert created.code == 201
    body = created.json
    assert body["kind"] == "adjustment" and body["start"] == to_iso(now) and body["until"] == "next_change"
    segments = await timeline(engine)
    next_morning = local(2026, 9, 22, 6, 30)
    assert segments[0]["source"] == f"adjustment:{body['id']}" and segments[0]["heat_setpoint"] == 22.0
    assert from_iso(segments[0]["end"]) == next_morning
    assert segments[1]["source"] == f"schedule:{schedule['id']}"


@pytest_twisted.ensureDeferred
async def test_an_adjustment_for_a_duration_ends_after_it_and_is_then_deleted(engine):
    created = (await engine.request("POST", "/v1/overrides",
                                    json={"start": "now", "duration": "PT1H", "mode": "cool", "cool_setpoint": 23,
                                          "fan": "on"}, key="write")).json
    segments = await timeline(engine)
    assert from_iso(segments[0]["end"]) == engine.clock.seconds() + 3600
    assert segments[0]["fan"] == "on" and segments[1]["source"] == "default"
    engine.clock.advance(3600)
    assert (await engine.request("GET", "/v1/overrides", key="read")).json == {"overrides": []}
    assert await engine.store.list_documents("overrides") == []
    assert {s["source"] for s in await timeline(engine)} == {"default"}
    assert [(e["action"], e["id"]) for e in await events(engine)] == [("created", created["id"]),
                                                                      ("expired", created["id"])]


@pytest_twisted.ensureDeferred
async def test_an_override_until_the_next_change_is_deleted_once_that_change_has_come(engine):
    await engine.request("POST", "/v1/schedules", json=MORNINGS, key="write")
    body = {"start": to_iso(engine.clock.seconds() + 3600), "until": "next_change", "mode": "heat",
            "heat_setpoint": 23}
    created = (await engine.request("POST", "/v1/overrides", json=body, key="write")).json
    move_clock_to(engine, local(2026, 9, 22, 6, 29))
    assert [o["id"] for o in (await engine.request("GET", "/v1/overrides", key="read")).json["overrides"]] == [
        created["id"]]
    engine.clock.advance(60)
    assert (await engine.request("GET", "/v1/overrides", key="read")).json == {"overrides": []}
    assert await engine.store.list_documents("overrides") == []


@pytest_twisted.ensureDeferred
async def test_replacing_an_override_keeps_its_id_and_a_read_body_puts_back_unchanged(engine):
    created = (await engine.request("POST", "/v1/overrides", json=AWAY, key="write")).json
    same = await engine.request("PUT", f"/v1/overrides/{created['id']}", json=created, key="write")
    assert same.code == 200 and same.json == created
    later = {**created, "end": "2026-12-29T18:00:00Z", "heat_setpoint": 10}
    changed = (await engine.request("PUT", f"/v1/overrides/{created['id']}", json=later, key="write")).json
    assert changed["id"] == created["id"] and changed["created_at"] == created["created_at"]
    assert changed["end"] == "2026-12-29T18:00:00.000Z" and changed["heat_setpoint"] == 10.0


@pytest_twisted.ensureDeferred
async def test_deleting_an_override_ends_it_now(engine):
    created = (await engine.request("POST", "/v1/overrides", json={"start": "now", "mode": "off"}, key="write")).json
    assert (await timeline(engine))[0]["source"] == f"adjustment:{created['id']}"
    deleted = await engine.request("DELETE", f"/v1/overrides/{created['id']}", key="write")
    assert deleted.code == 200 and deleted.json == created
    assert {s["source"] for s in await timeline(engine)} == {"default"}
    assert (await engine.request("GET", f"/v1/overrides/{created['id']}", key="read")).code == 404
    assert (await engine.request("DELETE", f"/v1/overrides/{created['id']}", key="write")).code == 404
    assert [(e["type"], e["action"]) for e in await events(engine)] == [("override.changed", "created"),
                                                                        ("override.changed", "deleted")]


@pytest_twisted.ensureDeferred
async def test_the_latest_adjustment_wins_and_the_list_is_ordered_by_start(engine):
    first = (await engine.request("POST", "/v1/overrides", json={"start": "now", "mode": "heat", "heat_setpoint": 20},
                                  key="write")).json
    engine.clock.advance(10)
    second = (await engine.request("POST", "/v1/overrides", json={"start": "now", "mode": "heat", "heat_setpoint": 22},
                                   key="write")).json
    assert (await timeline(engine))[0]["source"] == f"adjustment:{second['id']}"
    listed = await engine.request("GET", "/v1/overrides?full=false", key="read")
    assert listed.json == {"overrides": [first["id"], second["id"]]}
