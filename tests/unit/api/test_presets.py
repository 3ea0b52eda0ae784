"""/v1/presets: rules that name a preset follow it when it changes, and the timeline says which preset holds."""

from __future__ import annotations

import pytest
import pytest_twisted

from .rules_support import events


@pytest_twisted.ensureDeferred
async def test_the_built_in_presets_are_there_from_the_start(engine):
    listed = (await engine.request("GET", "/v1/presets", key="read")).json["presets"]
    assert [(p["name"], p["built_in"]) for p in listed] == [("home", True), ("away", True), ("sleep", True),
                                                            ("eco", True)]
    assert all(p["heat_setpoint"] < p["cool_setpoint"] for p in listed)


@pytest_twisted.ensureDeferred
async def test_an_adjustment_naming_a_preset_follows_the_preset_and_the_timeline_names_it(engine):
    made = await engine.request("POST", "/v1/overrides", key="write",
                                json={"start": "now", "duration": "PT2H", "mode": "heat", "preset": "away"})
    assert made.code == 201, made.text
    assert (made.json["preset"], made.json["heat_setpoint"]) == ("away", 16.0)
    segment = (await engine.request("GET", "/v1/timeline?hours=1", key="read")).json["segments"][0]
    assert (segment["preset"], segment["heat_setpoint"]) == ("away", 16.0)

    changed = await engine.request("PUT", "/v1/presets/away", key="write",
                                   json={"heat_setpoint": 14.5, "cool_setpoint": 29})
    assert changed.code == 200, changed.text
    assert changed.json["used_by"] == [f"override:{made.json['id']}"]
    segment = (await engine.request("GET", "/v1/timeline?hours=1", key="read")).json["segments"][0]
    assert (segment["preset"], segment["heat_setpoint"]) == ("away", 14.5)
    rule = (await engine.request("GET", f"/v1/overrides/{made.json['id']}", key="read")).json
    assert rule["heat_setpoint"] == 14.5


@pytest_twisted.ensureDeferred
async def test_a_users_own_preset_is_made_used_and_deleted_only_when_unused(engine):
    created = await engine.request("PUT", "/v1/presets/movie-night", key="write",
                                   json={"heat_setpoint": 22, "cool_setpoint": 25})
    assert created.code == 201 and created.json["built_in"] is False
    schedule = await engine.request("POST", "/v1/schedules", key="write", json={
        "cron": "0 20 * * 5", "duration": "PT3H", "mode": "auto", "preset": "movie-night"})
    assert schedule.code == 201, schedule.text
    refused = await engine.request("DELETE", "/v1/presets/movie-night", key="write")
    assert refused.code == 409 and f"schedule:{schedule.json['id']}" in refused.json["error"]
    await engine.request("DELETE", f"/v1/schedules/{schedule.json['id']}", key="write")
    assert (await engine.request("DELETE", "/v1/presets/movie-night", key="write")).code == 200
    assert (await engine.request("GET", "/v1/presets/movie-night", key="read")).code == 404


@pytest_twisted.ensureDeferred
async def test_a_built_in_preset_is_not_deleted(engine):
    assert (await engine.request("DELETE", "/v1/presets/home", key="write")).code == 409


@pytest.mark.parametrize(("name", "body", "field"), [
    ("home", {"heat_setpoint": 22, "cool_setpoint": 22.5}, "cool_setpoint"),
    ("home", {"heat_setpoint": 50, "cool_setpoint": 60}, "heat_setpoint"),
    ("home", {"heat_setpoint": 20}, "cool_setpoint"),
    ("home", {"heat_setpoint": 20, "cool_setpoint": 25, "colour": "red"}, "colour"),
    ("Bad Name", {"heat_setpoint": 20, "cool_setpoint": 25}, "preset name"),
])
@pytest_twisted.ensureDeferred
async def test_a_bad_preset_is_refused_naming_the_field_and_changes_nothing(engine, name, body, field):
    response = await engine.request("PUT", f"/v1/presets/{name.replace(' ', '%20')}", key="write", json=body)
    assert response.code == 422 and field in response.json["error"]
    home = (await engine.request("GET", "/v1/presets/home", key="read")).json
    assert (home["heat_setpoint"], home["cool_setpoint"]) == (21.0, 24.0)


@pytest_twisted.ensureDeferred
async def test_a_rule_naming_an_unknown_preset_is_refused(engine):
    response = await engine.request("POST", "/v1/overrides", key="write",
                                    json={"start": "now", "duration": "PT1H", "mode": "heat", "preset": "party"})
    assert response.code == 422 and "preset must be one of" in response.json["error"]


@pytest_twisted.ensureDeferred
async def test_what_holds_outside_every_schedule_may_name_a_preset_and_follows_it(engine):
    changed = await engine.request("PATCH", "/v1/schedules/settings", key="write",
                                   json={"default_instruction": {"mode": "heat", "preset": "eco"}})
    assert changed.code == 200, changed.text
    segment = (await engine.request("GET", "/v1/timeline?hours=1", key="read")).json["segments"][0]
    assert segment["preset"] == "eco"
    eco = (await engine.request("GET", "/v1/presets/eco", key="read")).json
    assert segment["heat_setpoint"] == eco["heat_setpoint"]
    await engine.request("PUT", "/v1/presets/eco", key="write", json={"heat_setpoint": 17.5, "cool_setpoint": 28})
    segment = (await engine.request("GET", "/v1/timeline?hours=1", key="read")).json["segments"][0]
    assert (segment["preset"], segment["heat_setpoint"]) == ("eco", 17.5)


@pytest_twisted.ensureDeferred
async def test_every_preset_change_is_announced_for_the_live_feed(engine):
    await engine.request("PUT", "/v1/presets/movie-night", key="write", json={"heat_setpoint": 22, "cool_setpoint": 25})
    await engine.request("PUT", "/v1/presets/home", key="write", json={"heat_setpoint": 21.5, "cool_setpoint": 25})
    await engine.request("PUT", "/v1/presets/home", key="write", json={"heat_setpoint": 40, "cool_setpoint": 25})
    await engine.request("DELETE", "/v1/presets/movie-night", key="write")

    announced = [(e["type"], e["action"], e["id"], e["data"]["heat_setpoint"]) for e in await events(engine)]
    assert announced == [("preset.changed", "created", "movie-night", 22.0),
                         ("preset.changed", "replaced", "home", 21.5),
                         ("preset.changed", "deleted", "movie-night", 22.0)]
