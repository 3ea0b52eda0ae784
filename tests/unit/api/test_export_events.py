"""Relay switches and host information reach the engine's event bus, for the exports to send on.

Both come from the devices: the control daemon's report carries its
relay events, a sensor or control daemon's registration its host
information. Only an approved device's host information is published.
"""

from __future__ import annotations

import pytest_twisted

from rpymostat.common.signing import new_secret
from rpymostat.common.timeutil import to_iso
from rpymostat.engine.events import Event
from rpymostat.store.records import DeviceRecord

CONTROL = "boiler-pi"
SECRET = "pre-shared-secret-for-the-boiler-pi"
RELAYS = [{"id": f"{CONTROL}:heat", "name": "heat", "pin": 17, "active_high": True, "function": "heat", "on": True}]


def listen(engine) -> list[Event]:
    seen: list[Event] = []
    engine.context.events.subscribe(seen.append)
    return seen


@pytest_twisted.ensureDeferred
async def test_a_reported_relay_switch_is_published_with_its_own_time_and_function(engine):
    await engine.store.put_device(DeviceRecord(CONTROL, "control", SECRET, "approved", engine.clock.seconds()))
    seen = listen(engine)
    at = to_iso(engine.clock.seconds() - 42)
    event = {"kind": "change", "relay_id": f"{CONTROL}:heat", "on": True, "at": at, "reason": "too cold"}
    answer = await engine.signed("PUT", "/v1/relays/report", CONTROL, SECRET,
                                 {"host_id": CONTROL, "relays": RELAYS, "events": [event]})
    assert answer.code == 200
    assert [(e.type, e.data) for e in seen] == [("relay_events", {"host_id": CONTROL, "events": [
        {"relay_id": f"{CONTROL}:heat", "function": "heat", "kind": "change", "on": True, "at": at,
         "reason": "too cold"}]})]


@pytest_twisted.ensureDeferred
async def test_a_report_without_events_publishes_nothing(engine):
    await engine.store.put_device(DeviceRecord(CONTROL, "control", SECRET, "approved", engine.clock.seconds()))
    seen = listen(engine)
    await engine.signed("PUT", "/v1/relays/report", CONTROL, SECRET, {"host_id": CONTROL, "relays": RELAYS})
    assert seen == []


@pytest_twisted.ensureDeferred
async def test_an_approved_devices_host_information_is_published_and_a_pending_ones_is_not(engine):
    seen = listen(engine)
    body = {"host_id": "pi-hall", "kind": "sensor", "secret": new_secret(), "info": {"hostname": "hall"}}
    assert (await engine.signed("POST", "/v1/devices/register", "pi-hall", body["secret"], body)).code == 202
    assert (await engine.request("POST", "/v1/devices/pi-hall/approve", key="admin")).code == 200
    assert (await engine.signed("POST", "/v1/devices/register", "pi-hall", body["secret"], body)).code == 200
    assert [(e.type, e.data) for e in seen] == [
        ("device_info", {"host_id": "pi-hall", "kind": "sensor", "info": {"hostname": "hall"}})]


@pytest_twisted.ensureDeferred
async def test_status_shows_no_integrations_while_every_export_is_off(engine):
    answer = await engine.request("GET", "/v1/status")
    assert answer.code == 200 and "integrations" not in answer.json
