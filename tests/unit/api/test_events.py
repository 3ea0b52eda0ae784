"""POST/GET /v1/events: kept with an ID and a time, paged as in the cred seed, bad input refused by field."""

from __future__ import annotations

from dataclasses import replace

import pytest
import pytest_twisted

from rpymostat.common.signing import new_secret
from rpymostat.common.timeutil import to_iso
from rpymostat.store.records import DeviceRecord
from tests.support.engine import START

LIGHT = {"device": "Light", "location": "Living Room", "action": "Toggled", "value": "On"}


async def post(engine, body, key="write"):
    return await engine.request("POST", "/v1/events", json=body, key=key)


@pytest_twisted.ensureDeferred
async def test_an_event_is_kept_with_an_id_and_time_and_read_back(engine):
    response = await post(engine, {**LIGHT, "data": {"brightness": 80}})
    assert response.code == 201
    event = response.json["event"]
    assert event["id"] == response.json["id"]
    assert (event["device"], event["location"], event["action"], event["value"]) == ("Light", "Living Room",
                                                                                     "Toggled", "On")
    assert event["data"] == {"brightness": 80}
    assert event["at"] == to_iso(START)
    assert event["client"].startswith("key:")
    assert (await engine.request("GET", f"/v1/events/{event['id']}", key="read")).json == event


@pytest_twisted.ensureDeferred
async def test_lists_are_ids_newest_first_and_page_by_id(engine):
    ids = [(await post(engine, {**LIGHT, "value": str(n)})).json["id"] for n in range(5)]

    async def listed(query):
        response = await engine.request("GET", "/v1/events" + query, key="read")
        assert response.code == 200, response.text
        return response.json["events"]

    assert await listed("") == ids[::-1]
    assert await listed(f"?after={ids[2]}") == [ids[4], ids[3]]
    assert await listed(f"?before={ids[2]}") == [ids[1], ids[0]]
    assert await listed("?limit=2&offset=1") == [ids[3], ids[2]]
    full = await listed(f"?full=true&after={ids[3]}")
    assert [(e["id"], e["value"]) for e in full] == [(ids[4], "4")]
    assert await listed(f"?after={ids[4]}") == []


@pytest_twisted.ensureDeferred
async def test_lists_filter_by_device_location_and_action(engine):
    window = (await post(engine, {"device": "window", "location": "Bedroom", "action": "contact",
                                  "value": "open"})).json["id"]
    await post(engine, LIGHT)
    response = await engine.request("GET", "/v1/events?device=WINDOW&location=*", key="read")
    assert response.json["events"] == [window]


@pytest_twisted.ensureDeferred
async def test_a_signed_device_posts_events_under_its_own_name(engine):
    secret = new_secret()
    await engine.store.put_device(DeviceRecord("pi-hall", "sensor", secret, "approved", START))
    response = await engine.signed("POST", "/v1/events", "pi-hall", secret,
                                   {"device": "door", "location": "hall", "action": "contact", "value": "open"})
    assert response.code == 201, response.text
    assert response.json["event"]["client"] == "device:pi-hall"


@pytest_twisted.ensureDeferred
async def test_a_replayed_idempotency_key_is_kept_once_with_its_original_time(engine):
    body = {**LIGHT, "at": to_iso(START - 60), "idempotency_key": "k1"}
    first = await post(engine, body)
    again = await post(engine, body)
    assert (first.code, again.code) == (201, 200)
    assert again.json["id"] == first.json["id"]
    assert (await engine.request("GET", "/v1/events?full=true", key="read")).json["events"] == [first.json["event"]]
    assert first.json["event"]["at"] == to_iso(START - 60)


@pytest.mark.parametrize(("change", "field"), [
    ({"device": None}, "device"),
    ({"device": ""}, "device"),
    ({"location": "x" * 65}, "location"),
    ({"location": 3}, "location"),
    ({"action": "x" * 65}, "action"),
    ({"value": {"on": True}}, "value"),
    ({"data": [1]}, "data"),
    ({"data": {"big": "x" * 5000}}, "data"),
    ({"at": "yesterday"}, "at"),
    ({"at": to_iso(START + 3600)}, "at"),
    ({"idempotency_key": ""}, "idempotency_key"),
    ({"colour": "red"}, "colour"),
])
@pytest_twisted.ensureDeferred
async def test_a_bad_event_is_refused_naming_the_field_and_nothing_is_kept(engine, change, field):
    response = await post(engine, {key: value for key, value in {**LIGHT, **change}.items() if value is not None})
    assert response.code == 422
    assert field in response.json["error"]
    assert (await engine.request("GET", "/v1/events", key="read")).json["events"] == []


@pytest_twisted.ensureDeferred
async def test_a_missing_value_is_refused(engine):
    body = {k: v for k, v in LIGHT.items() if k != "value"}
    response = await post(engine, body)
    assert response.code == 422 and "value" in response.json["error"]


@pytest_twisted.ensureDeferred
async def test_an_unknown_or_malformed_event_id_is_not_found(engine):
    for path in ("/v1/events/999", "/v1/events/abc", "/v1/events/0"):
        response = await engine.request("GET", path, key="read")
        assert response.code == 404, path
        assert "no event" in response.json["error"]


@pytest_twisted.ensureDeferred
async def test_bad_paging_parameters_are_refused(engine):
    for query in ("after=x", "before=-1", "limit=0", "full=maybe", "device="):
        response = await engine.request("GET", "/v1/events?" + query, key="read")
        assert response.code == 400, query


@pytest_twisted.ensureDeferred
async def test_the_retention_limit_drops_the_oldest_events(engine):
    engine.context.config = replace(engine.context.config, events_keep=3)
    ids = [(await post(engine, {**LIGHT, "value": str(n)})).json["id"] for n in range(5)]
    assert (await engine.request("GET", "/v1/events", key="read")).json["events"] == ids[:1:-1]
    assert (await engine.request("GET", f"/v1/events/{ids[0]}", key="read")).code == 404
