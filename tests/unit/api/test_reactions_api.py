"""/v1/reactions: the window reaction's switch and times, changed through the API and refused when bad."""

from __future__ import annotations

import pytest
import pytest_twisted


@pytest_twisted.ensureDeferred
async def test_the_window_reaction_is_off_until_switched_on(engine):
    listed = (await engine.request("GET", "/v1/reactions", key="read")).json["reactions"]
    assert [(r["name"], r["enabled"]) for r in listed] == [("window", False), ("presence", False)]
    assert (listed[0]["delay"], listed[0]["max_pause"], listed[1]["preset"]) == (60.0, 3600.0, "away")
    changed = await engine.request("PATCH", "/v1/reactions/window", json={"enabled": True, "delay": 30}, key="write")
    assert changed.code == 200
    assert (changed.json["enabled"], changed.json["delay"]) == (True, 30.0)
    again = (await engine.request("GET", "/v1/reactions/window", key="read")).json
    assert (again["enabled"], again["delay"], again["max_pause"]) == (True, 30.0, 3600.0)


@pytest_twisted.ensureDeferred
async def test_an_open_window_is_listed(engine):
    body = {"device": "window", "location": "Bedroom", "action": "contact", "value": "open"}
    await engine.request("POST", "/v1/events", json=body, key="write")
    window = (await engine.request("GET", "/v1/reactions/window", key="read")).json
    assert [w["location"] for w in window["open"]] == ["Bedroom"]


@pytest.mark.parametrize(("body", "field"), [
    ({"enabled": "yes"}, "enabled"),
    ({"delay": -1}, "delay"),
    ({"max_pause": 10}, "max_pause"),
    ({"colour": 1}, "colour"),
])
@pytest_twisted.ensureDeferred
async def test_bad_changes_are_refused_naming_the_field_and_change_nothing(engine, body, field):
    response = await engine.request("PATCH", "/v1/reactions/window", json={"enabled": True, **body}, key="write")
    assert response.code == 422 and field in response.json["error"]
    assert (await engine.request("GET", "/v1/reactions/window", key="read")).json["enabled"] is False


@pytest_twisted.ensureDeferred
async def test_the_presence_reaction_takes_an_existing_preset_and_lists_people(engine):
    changed = await engine.request("PATCH", "/v1/reactions/presence", json={"enabled": True, "preset": "eco"},
                                   key="write")
    assert changed.code == 200 and (changed.json["enabled"], changed.json["preset"]) == (True, "eco")
    refused = await engine.request("PATCH", "/v1/reactions/presence", json={"preset": "party"}, key="write")
    assert refused.code == 422 and "preset" in refused.json["error"]
    assert (await engine.request("PATCH", "/v1/reactions/presence", json={"delay": 5}, key="write")).code == 422
    body = {"device": "alice-phone", "location": "home", "action": "presence", "value": "away"}
    await engine.request("POST", "/v1/events", json=body, key="write")
    presence = (await engine.request("GET", "/v1/reactions/presence", key="read")).json
    assert [(p["name"], p["home"]) for p in presence["people"]] == [("alice-phone", False)]


@pytest_twisted.ensureDeferred
async def test_an_unknown_reaction_is_not_found(engine):
    assert (await engine.request("GET", "/v1/reactions/doorbell", key="read")).code == 404
    assert (await engine.request("PATCH", "/v1/reactions/doorbell", json={}, key="write")).code == 404
