"""The fake engine of rpymostat.testing: a real sensor daemon delivers to it in memory, and it refuses what the engine refuses."""

from __future__ import annotations

import json

import pytest_twisted
from treq.testing import StubTreq
from twisted.internet.task import Clock

from rpymostat.common.discovery import StaticLocator
from rpymostat.common.signing import new_secret, sign_request
from rpymostat.testing.engine import FakeEngine
from rpymostat.testing.w1 import FakeW1Bus
from rpymostat_sensor.service import make_service
from tests.unit.sensor.daemon_support import HOST, SLAVE, sensor_config
from tests.unit.sensor.deferreds import run_now

URL = "http://engine.test"


def fake_engine() -> tuple[Clock, FakeEngine]:
    clock = Clock()
    clock.advance(1_790_000_000)
    return clock, FakeEngine(clock)


@pytest_twisted.ensureDeferred
async def test_a_sensor_daemon_delivers_its_readings_to_the_fake_engine_without_a_socket(tmp_path):
    clock, engine = fake_engine()
    secret = new_secret()
    engine.pre_share(HOST, "sensor", secret)
    bus = FakeW1Bus(tmp_path / "w1")
    bus.add_sensor(SLAVE, 21.5)
    config = sensor_config(tmp_path, bus, URL, RPYMOSTAT_SENSOR_SECRET=secret)
    daemon = make_service(config, clock, StubTreq(engine), StaticLocator(URL), runner=run_now)
    await daemon.startService()
    try:
        await daemon.link.settled()
        clock.advance(config.interval)
        await daemon.link.settled()
    finally:
        await daemon.stopService()

    assert [(r["host_id"], r["sensor_id"], r["value"]) for r in engine.readings][:2] == [
        (HOST, SLAVE.split("-", 1)[1], 21.5)] * 2
    assert engine.refusals == []


@pytest_twisted.ensureDeferred
async def test_a_replayed_or_unknown_device_request_is_refused_in_the_api_error_shape():
    clock, engine = fake_engine()
    secret = new_secret()
    engine.pre_share("den-pi", "sensor", secret)
    client = StubTreq(engine)
    body = json.dumps({"host_id": "den-pi", "sensors": {"28-a": {"type": "DS18B20", "value": 20.0}}}).encode()
    headers = {"Content-Type": "application/json",
               **sign_request("den-pi", secret, "PUT", "/v1/sensors/update", body, clock.seconds())}

    first = await client.put(URL + "/v1/sensors/update", data=body, headers=headers)
    again = await client.put(URL + "/v1/sensors/update", data=body, headers=headers)
    stranger = await client.put(URL + "/v1/sensors/update", data=body,
                                headers={**headers, "X-RPyMostat-Device": "attic-pi"})

    assert (first.code, again.code, stranger.code) == (201, 401, 401)
    refusal = await again.json()
    assert (refusal["status"], refusal["code"], refusal["field"]) == ("error", "signature_refused", None)
    assert len(engine.readings) == 1


@pytest_twisted.ensureDeferred
async def test_a_self_registered_device_waits_until_approved():
    clock, engine = fake_engine()
    engine.approve_new = False
    secret = new_secret()
    body = json.dumps({"host_id": "den-pi", "kind": "sensor", "secret": secret}).encode()

    async def register() -> int:
        headers = {"Content-Type": "application/json",
                   **sign_request("den-pi", secret, "POST", "/v1/devices/register", body, clock.seconds())}
        return (await StubTreq(engine).post(URL + "/v1/devices/register", data=body, headers=headers)).code

    pending = await register()
    engine.approve("den-pi")
    assert (pending, await register()) == (202, 200)
