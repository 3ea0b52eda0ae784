"""GPIO inputs: each change on a mock pin reaches the real engine as a signed event, spooled while it is away."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import pytest_twisted
from gpiozero.pins.mock import MockFactory
from treq.client import HTTPClient
from twisted.internet import reactor
from twisted.web.client import Agent, HTTPConnectionPool

from rpymostat_sensor.config import ConfigError, SensorConfig
from rpymostat_sensor.inputs import InputSpec, parse_inputs
from rpymostat_sensor.service import SensorService, make_service
from tests.unit.sensor.daemon_support import HOST, Rig, approve_beforehand, sensor_config, serve_again
from tests.unit.sensor.deferreds import run_now

WINDOW_PIN, MOTION_PIN = 17, 22


@pytest.fixture
def pins() -> Iterator[MockFactory]:
    factory = MockFactory()
    yield factory
    factory.reset()


async def start_with_inputs(engine, tmp_path, bus, pins, inputs: str) -> Rig:
    secret = await approve_beforehand(engine)
    config = sensor_config(tmp_path, bus, engine.url, RPYMOSTAT_SENSOR_SECRET=secret,
                           RPYMOSTAT_SENSOR_INPUTS=inputs)
    pool = HTTPConnectionPool(reactor, persistent=False)
    service = make_service(config, engine.clock, HTTPClient(Agent(reactor, pool=pool)), None, runner=run_now,
                           host_info=lambda: {"hostname": "hall"}, pin_factory=pins)
    assert isinstance(service, SensorService)
    await service.startService()
    rig = Rig(engine, bus, service, config, pool)
    await rig.settle()
    return rig


async def events(engine) -> list[tuple[str, str, str, str, str]]:
    response = await engine.request("GET", "/v1/events?full=true", key="read")
    return [(e["device"], e["location"], e["action"], e["value"], e["client"]) for e in reversed(response.json["events"])]


@pytest_twisted.ensureDeferred
async def test_a_window_contact_reports_its_state_at_start_and_every_change(engine, tmp_path: Path, bus,
                                                                             pins) -> None:
    rig = await start_with_inputs(engine, tmp_path, bus, pins, f"window:Bedroom={WINDOW_PIN}")
    pin = pins.pin(WINDOW_PIN)
    pin.drive_low()  # the magnet is back beside the switch: shut
    await rig.settle()
    pin.drive_high()
    await rig.settle()
    client = f"device:{HOST}"
    assert await events(engine) == [("window", "Bedroom", "contact", "open", client),
                                    ("window", "Bedroom", "contact", "closed", client),
                                    ("window", "Bedroom", "contact", "open", client)]
    await rig.stop()


@pytest_twisted.ensureDeferred
async def test_motion_is_reported_and_events_wait_in_the_spool_while_the_engine_is_away(engine, tmp_path: Path,
                                                                                        bus, pins) -> None:
    rig = await start_with_inputs(engine, tmp_path, bus, pins, f"motion:hall={MOTION_PIN}")
    port = engine.port.getHost().port
    await engine.port.stopListening()
    pin = pins.pin(MOTION_PIN)
    pin.drive_high()
    await rig.settle()
    pin.drive_low()
    await rig.settle()
    assert rig.service.event_spool is not None and await rig.service.event_spool.count() == 2
    await serve_again(engine, port)
    await rig.advance(120)
    client = f"device:{HOST}"
    assert await events(engine) == [("motion", "hall", "motion", "detected", client),
                                    ("motion", "hall", "motion", "clear", client)]
    assert await rig.service.event_spool.count() == 0
    await rig.stop()


def test_the_inputs_setting_reads_like_the_relays():
    assert parse_inputs("window:bedroom=17, door:front hall=27!,motion:hall=GPIO22") == (
        InputSpec("window", "bedroom", 17), InputSpec("door", "front hall", 27, inverted=True),
        InputSpec("motion", "hall", "GPIO22"))
    assert parse_inputs("") == ()


@pytest.mark.parametrize("text", ["window=17", "lamp:hall=3", "window:bedroom=17,door:hall=17", "window:=4",
                                  "window:bedroom"])
def test_a_bad_inputs_setting_is_refused_with_what_to_write(text):
    with pytest.raises(ConfigError, match="INPUTS"):
        SensorConfig.load({"RPYMOSTAT_SENSOR_HOST_ID": "h", "RPYMOSTAT_SENSOR_INPUTS": text})
