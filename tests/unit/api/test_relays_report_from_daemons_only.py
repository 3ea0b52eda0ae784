"""Relay reports come only from approved control daemons, and an admin can delete a relay or a whole host.

A reported relay that is on holds the opposite function off (the engine's
interlock), so a report is a control daemon's word about its own host, never
an API key's. A phantom left behind (by an engine that still took keys, or a
host taken out of service) goes with ``DELETE``. The furnace here is a real
daemon API on mock pins, enrolled with the engine over loopback.
"""

from __future__ import annotations

import pytest
import pytest_twisted
from gpiozero.pins.mock import MockFactory

from rpymostat.engine.relays.registry import HOSTS, RELAYS, RelayRegistry
from rpymostat.store.records import DeviceRecord
from tests.unit.api.test_relays_api import Enrolled
from tests.unit.control.daemon_harness import start_daemon

FURNACE_HOST, GHOST = "boiler-pi", "ghost-pi"
HEAT = f"{FURNACE_HOST}:heat"
PHANTOM_COOL = f"{GHOST}:cool"
GHOST_SECRET = "a-control-daemon-that-an-admin-has-not-approved"


def phantom_report(host_id: str = GHOST) -> dict:
    """A cool relay that is on, on a host with no air conditioner at all."""
    return {"host_id": host_id, "relays": [{"id": f"{host_id}:cool", "name": "cool", "pin": 27,
                                            "active_high": True, "function": "cool", "on": True}],
            "failsafe": {"timeout": 60, "tripped": False}}


@pytest_twisted.async_yield_fixture
async def furnace(engine):
    factory = MockFactory()
    enrolled = Enrolled(engine, start_daemon(factory, host_id=FURNACE_HOST, relays="heat=17", failsafe=3600),
                        FURNACE_HOST)
    await enrolled.start()
    yield enrolled
    enrolled.stop()
    await enrolled.daemon.close()
    factory.reset()


async def relay_ids(engine) -> list[str]:
    return [relay["id"] for relay in (await engine.request("GET", "/v1/relays", key="read")).json["relays"]]


async def switch_heat_on(engine):
    return await engine.request("PUT", f"/v1/relays/{HEAT}/state", json={"on": True}, key="admin")


@pytest.mark.parametrize("role", ["write", "admin"])
@pytest_twisted.ensureDeferred
async def test_no_api_key_can_report_a_relay_and_the_furnace_still_starts(furnace, role):
    engine = furnace.engine

    answer = await engine.request("PUT", "/v1/relays/report", json=phantom_report(), key=role)
    heat = await switch_heat_on(engine)

    assert answer.code == 403
    assert "API key" in answer.json["error"]
    assert await relay_ids(engine) == [HEAT]
    assert heat.code == 200
    assert furnace.daemon.pin(17) is True


@pytest_twisted.ensureDeferred
async def test_an_unsigned_report_is_asked_for_a_device_signature(engine):
    answer = await engine.request("PUT", "/v1/relays/report", json=phantom_report())

    assert answer.code == 401
    assert "signed by an approved device" in answer.json["error"]


@pytest_twisted.ensureDeferred
async def test_a_control_daemon_not_yet_approved_cannot_report(engine):
    await engine.store.put_device(DeviceRecord(GHOST, "control", GHOST_SECRET, "pending", engine.clock.seconds()))

    answer = await engine.signed("PUT", "/v1/relays/report", GHOST, GHOST_SECRET, phantom_report())

    assert answer.code == 403
    assert await relay_ids(engine) == []


@pytest_twisted.ensureDeferred
async def test_an_approved_control_daemon_reports_its_own_host(engine):
    await engine.store.put_device(DeviceRecord(GHOST, "control", GHOST_SECRET, "approved", engine.clock.seconds()))

    own = await engine.signed("PUT", "/v1/relays/report", GHOST, GHOST_SECRET, phantom_report())
    other = await engine.signed("PUT", "/v1/relays/report", GHOST, GHOST_SECRET, phantom_report(FURNACE_HOST))

    assert own.code == 200
    assert other.code == 422
    assert await relay_ids(engine) == [PHANTOM_COOL]


async def leave_a_phantom(engine) -> None:
    """What an engine that still took write keys for reports kept: a cool relay, on, of a host that never was."""
    registry = RelayRegistry(engine.store)
    now = engine.clock.seconds()
    await engine.store.put_document(RELAYS, PHANTOM_COOL, {
        "id": PHANTOM_COOL, "host_id": GHOST, "name": "cool", "pin": 27, "active_high": True,
        "daemon_function": "cool", "function": "cool", "on": True, "reported_at": now, "failsafe_tripped": False})
    await engine.store.put_document(HOSTS, GHOST, {"host_id": GHOST, "failsafe_timeout": 60.0, "reported_at": now})
    assert [relay["id"] for relay in await registry.relays()] == [HEAT, PHANTOM_COOL]


@pytest_twisted.ensureDeferred
async def test_an_admin_deletes_a_phantom_relay_and_the_furnace_may_start_again(furnace):
    engine = furnace.engine
    await leave_a_phantom(engine)
    held = await switch_heat_on(engine)

    by_writer = await engine.request("DELETE", f"/v1/relays/{PHANTOM_COOL}", key="write")
    deleted = await engine.request("DELETE", f"/v1/relays/{PHANTOM_COOL}", key="admin")
    again = await engine.request("DELETE", f"/v1/relays/{PHANTOM_COOL}", key="admin")
    heat = await switch_heat_on(engine)

    assert (held.code, held.json["refusal"]) == (409, "interlock")
    assert by_writer.code == 403
    assert (deleted.code, deleted.json["id"], deleted.json["on"]) == (200, PHANTOM_COOL, True)
    assert again.code == 404
    assert await relay_ids(engine) == [HEAT]
    assert [host["host_id"] for host in await RelayRegistry(engine.store).hosts()] == [FURNACE_HOST]
    assert heat.code == 200
    assert furnace.daemon.pin(17) is True


@pytest_twisted.ensureDeferred
async def test_an_admin_deletes_every_relay_of_a_host_and_only_those(furnace):
    engine = furnace.engine
    await leave_a_phantom(engine)
    second = f"{GHOST}:fan"
    await engine.store.put_document(RELAYS, second, {
        **(await engine.store.get_document(RELAYS, PHANTOM_COOL)), "id": second, "name": "fan", "function": "fan"})

    by_writer = await engine.request("DELETE", f"/v1/relays/hosts/{GHOST}", key="write")
    deleted = await engine.request("DELETE", f"/v1/relays/hosts/{GHOST}", key="admin")
    again = await engine.request("DELETE", f"/v1/relays/hosts/{GHOST}", key="admin")

    assert by_writer.code == 403
    assert deleted.code == 200
    assert sorted(relay["id"] for relay in deleted.json["deleted"]) == [PHANTOM_COOL, second]
    assert again.code == 404
    assert await relay_ids(engine) == [HEAT]
    assert [host["host_id"] for host in await RelayRegistry(engine.store).hosts()] == [FURNACE_HOST]
    assert (await switch_heat_on(engine)).code == 200


@pytest_twisted.ensureDeferred
async def test_a_deleted_relay_of_a_working_daemon_comes_back_with_its_next_report(furnace):
    engine = furnace.engine

    deleted = await engine.request("DELETE", f"/v1/relays/{HEAT}", key="admin")
    gone = await relay_ids(engine)
    furnace.reporter.flush()
    await furnace.reported()

    assert deleted.code == 200
    assert gone == []
    assert await relay_ids(engine) == [HEAT]
