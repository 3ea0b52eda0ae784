"""The whole daemon from make_service: enrols, reports, obeys the engine, and leaves every relay off when stopped."""

from __future__ import annotations

import json

import pytest
import pytest_twisted
import treq
from twisted.internet import reactor

from rpymostat.store.records import DeviceRecord
from rpymostat.testing.processes import free_port
from rpymostat_control.config import ControlConfig
from rpymostat_control.service import make_service
from tests.support.engine import start_engine
from tests.unit.control.daemon_harness import eventually_async

SECRET = "pre-shared-secret-for-the-boiler-pi"
HEAT = "boiler-pi:heat"


@pytest_twisted.async_yield_fixture
async def engine(tmp_path):
    harness = await start_engine(tmp_path, listen=True)
    harness.clock.advance(reactor.seconds() - harness.clock.seconds())  # the daemon signs with real time
    await harness.store.put_device(DeviceRecord("boiler-pi", "control", SECRET, "approved", harness.clock.seconds()))
    yield harness
    await harness.close()


def config(engine, tmp_path, **extra: str) -> ControlConfig:
    return ControlConfig.load({
        "RPYMOSTAT_ENGINE_URL": engine.url,
        "RPYMOSTAT_CONTROL_HOST_ID": "boiler-pi",
        "RPYMOSTAT_CONTROL_SECRET": SECRET,
        "RPYMOSTAT_CONTROL_SPOOL": str(tmp_path / "control" / "spool.sqlite"),
        "RPYMOSTAT_CONTROL_HOST": "127.0.0.1",
        "RPYMOSTAT_CONTROL_PORT": str(free_port()),
        "RPYMOSTAT_CONTROL_RELAYS": "heat=17,cool=27,fan=22!",
        **extra,
    })


async def get_json(url: str):
    response = await treq.get(url)
    return json.loads((await response.content()).decode())


@pytest_twisted.ensureDeferred
async def test_the_daemon_enrols_reports_obeys_and_stops_safe(engine, pin_factory, tmp_path):
    settings = config(engine, tmp_path)
    service = make_service(settings, reactor, pin_factory=pin_factory)
    try:
        await service.startService()
        # The engine's test clock stands still; its commands must be dated after the daemon's start.
        engine.clock.advance(reactor.seconds() - engine.clock.seconds())

        async def listed():
            relays = (await engine.request("GET", "/v1/relays", key="read")).json["relays"]
            return relays if len(relays) == 3 else None

        relays = await eventually_async(listed, what="the engine to list the relays")
        switched = await engine.request("PUT", f"/v1/relays/{HEAT}/state", json={"on": True}, key="admin")
        status = await get_json(f"http://127.0.0.1:{settings.port}/v1/status")
        heat_on_while_running = pin_factory.pin(17).state
    finally:
        await service.stopService()

    assert sorted(r["id"] for r in relays) == ["boiler-pi:cool", "boiler-pi:fan", HEAT]
    assert switched.code == 200
    assert heat_on_while_running is True
    assert status["engine"]["enrolment"] == "approved"
    assert status["engine"]["url"] == engine.url
    assert pin_factory.pin(17).state is False
    assert pin_factory.pin(22).state is True  # active-low fan: a high pin is off


@pytest_twisted.ensureDeferred
async def test_every_relay_starts_off_and_the_failsafe_trips_with_no_engine(engine, pin_factory, tmp_path):
    settings = config(engine, tmp_path, RPYMOSTAT_ENGINE_URL="http://127.0.0.1:9", RPYMOSTAT_CONTROL_FAILSAFE="1")
    service = make_service(settings, reactor, pin_factory=pin_factory)
    try:
        await service.startService()
        status = await get_json(f"http://127.0.0.1:{settings.port}/v1/status")

        async def tripped_status():
            answer = await get_json(f"http://127.0.0.1:{settings.port}/v1/status")
            return answer if answer["failsafe"]["tripped"] else None

        tripped = await eventually_async(tripped_status, what="the failsafe to trip")
    finally:
        await service.stopService()

    assert [(r["on"], r["pin_level"]) for r in status["relays"]] == [(False, 0), (False, 0), (False, 1)]
    assert tripped["status"] == "failsafe"



@pytest_twisted.ensureDeferred
async def test_a_spool_it_cannot_open_stops_the_start_and_says_which_setting(engine, pin_factory, tmp_path):
    (tmp_path / "not-a-directory").write_text("")
    spool = tmp_path / "not-a-directory" / "spool.sqlite"
    service = make_service(config(engine, tmp_path, RPYMOSTAT_CONTROL_SPOOL=str(spool)), reactor,
                           pin_factory=pin_factory)
    try:
        with pytest.raises(ValueError) as refused:
            await service.startService()
    finally:
        await service.stopService()

    assert f"cannot open the spool of relay events {spool}" in str(refused.value)
    assert "RPYMOSTAT_CONTROL_SPOOL" in str(refused.value)
    assert service.controller is None  # no relay was claimed


@pytest_twisted.ensureDeferred
async def test_a_port_in_use_stops_the_start_and_releases_every_relay_and_the_spool(engine, pin_factory, tmp_path):
    from gpiozero import OutputDevice
    from twisted.internet.error import CannotListenError
    from twisted.internet.protocol import Factory

    taken = reactor.listenTCP(0, Factory(), interface="127.0.0.1")
    settings = config(engine, tmp_path, RPYMOSTAT_CONTROL_PORT=str(taken.getHost().port))
    service = make_service(settings, reactor, pin_factory=pin_factory)
    try:
        with pytest.raises(CannotListenError):
            await service.startService()
    finally:
        await taken.stopListening()

    # At once, not only when the process is told to stop: the relays were released and the spool closed.
    assert not service.running and service.controller is None and service.spool is None
    OutputDevice(17, pin_factory=pin_factory).close()  # the pin is free again
    await service.stopService()  # what the runner does at shutdown: nothing is stopped twice
