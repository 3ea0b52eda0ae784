"""/v1/clients: active clients, what each posted, and the events each subscribed to, pulled with after=."""

from __future__ import annotations

import pytest
import pytest_twisted

from rpymostat.common.signing import new_secret
from rpymostat.common.timeutil import to_iso
from rpymostat.store.records import DeviceRecord
from tests.support.engine import START

WINDOW = {"device": "window", "location": "Bedroom", "action": "contact", "value": "open"}
LIGHT = {"device": "light", "location": "Living room", "action": "toggled", "value": "on"}


async def me(engine, key):
    response = await engine.request("GET", "/v1/clients/me", key=key)
    assert response.code == 200, response.text
    return response.json


@pytest_twisted.ensureDeferred
async def test_clients_seen_within_the_ping_timeout_are_listed(engine):
    reader, writer = await me(engine, "read"), await me(engine, "write")
    assert (reader["kind"], reader["role"], reader["active"]) == ("key", "read", True)
    listed = (await engine.request("GET", "/v1/clients", key="read")).json["clients"]
    assert set(listed) == {reader["id"], writer["id"]}
    engine.clock.advance(engine.context.config.client_ping_timeout + 1)
    listed = (await engine.request("GET", "/v1/clients?full=true", key="read")).json["clients"]
    assert [c["id"] for c in listed] == [reader["id"]]  # only the key that just asked
    assert (await engine.request("GET", f"/v1/clients/{writer['id']}", key="read")).json["active"] is False
    seen = (await engine.request("GET", f"/v1/clients?full=true&after={to_iso(START)}", key="read")).json
    assert [c["id"] for c in seen["clients"]] == [reader["id"]]
    assert (await engine.request("GET", f"/v1/clients?before={to_iso(START)}", key="read")).json["clients"] == []


@pytest_twisted.ensureDeferred
async def test_a_clients_own_events_are_listed(engine):
    writer = await me(engine, "write")
    mine = (await engine.request("POST", "/v1/events", json=WINDOW, key="write")).json["id"]
    await engine.request("POST", "/v1/events", json=LIGHT, key="admin")
    response = await engine.request("GET", f"/v1/clients/{writer['id']}/events", key="read")
    assert response.json["events"] == [mine]


@pytest_twisted.ensureDeferred
async def test_a_subscriber_pulls_only_matching_events_after_the_newest_it_saw(engine):
    created = await engine.request("POST", "/v1/clients/me/subscriptions", json={"device": "WINDOW"}, key="write")
    assert created.code == 201, created.text
    assert (created.json["device"], created.json["location"], created.json["action"]) == ("WINDOW", "*", "*")
    first = (await engine.request("POST", "/v1/events", json=WINDOW, key="admin")).json["id"]
    await engine.request("POST", "/v1/events", json=LIGHT, key="admin")
    pulled = (await engine.request("GET", "/v1/clients/me/subscribedevents?after=0", key="write")).json["events"]
    assert pulled == [first]
    second = (await engine.request("POST", "/v1/events", json={**WINDOW, "value": "closed"}, key="admin")).json["id"]
    newer = await engine.request("GET", f"/v1/clients/me/subscribedevents?after={first}&full=true", key="write")
    assert [(e["id"], e["value"]) for e in newer.json["events"]] == [(second, "closed")]
    writer = await me(engine, "write")
    assert [s["id"] for s in writer["subscriptions"]] == [created.json["id"]]
    by_id = await engine.request("GET", f"/v1/clients/{writer['id']}/subscribedevents", key="read")
    assert by_id.json["events"] == [second, first]


@pytest_twisted.ensureDeferred
async def test_a_signed_device_subscribes_and_its_events_name_it_as_a_subscriber_on_the_bus(engine):
    secret = new_secret()
    await engine.store.put_device(DeviceRecord("pi-hall", "sensor", secret, "approved", START))
    answer = await engine.signed("POST", "/v1/clients/me/subscriptions", "pi-hall", secret,
                                 {"location": "bedroom", "action": "contact"})
    assert answer.code == 201, answer.text
    told = []
    engine.context.events.subscribe(lambda event: told.append(event) if event.type == "device_event" else None)
    await engine.request("POST", "/v1/events", json=WINDOW, key="write")
    assert [e.data["subscribers"] for e in told] == [["device:pi-hall"]]


@pytest_twisted.ensureDeferred
async def test_a_client_deletes_only_its_own_subscriptions(engine):
    created = (await engine.request("POST", "/v1/clients/me/subscriptions", json={}, key="write")).json
    path = f"/v1/clients/me/subscriptions/{created['id']}"
    assert (await engine.request("DELETE", path, key="admin")).code == 404
    deleted = await engine.request("DELETE", path, key="write")
    assert deleted.code == 200 and deleted.json["id"] == created["id"]
    assert (await engine.request("GET", "/v1/clients/me/subscriptions", key="write")).json["subscriptions"] == []


@pytest.mark.parametrize(("body", "field"), [({"device": ""}, "device"), ({"location": 5}, "location"),
                                             ({"value": "open"}, "value")])
@pytest_twisted.ensureDeferred
async def test_a_bad_subscription_is_refused_naming_the_field(engine, body, field):
    response = await engine.request("POST", "/v1/clients/me/subscriptions", json=body, key="write")
    assert response.code == 422 and field in response.json["error"]
    assert (await engine.request("GET", "/v1/clients/me/subscriptions", key="write")).json["subscriptions"] == []


@pytest_twisted.ensureDeferred
async def test_an_unknown_client_is_not_found(engine):
    assert (await engine.request("GET", "/v1/clients/key:nobody", key="read")).code == 404


@pytest_twisted.ensureDeferred
async def test_a_bad_filter_is_refused_naming_the_field_at_fault(engine):
    wrong = await engine.request("POST", "/v1/clients/me/subscriptions", json={"location": 7}, key="write")
    assert (wrong.code, wrong.json["field"]) == (422, "location")
    extra = await engine.request("POST", "/v1/clients/me/subscriptions", json={"room": "hall"}, key="write")
    assert (extra.code, extra.json["field"]) == (422, "room")
    assert (await engine.request("GET", "/v1/clients/me/subscriptions", key="read")).json["subscriptions"] == []
