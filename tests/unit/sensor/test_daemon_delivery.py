"""Readings reach the real engine in order, once each, with their own time, whatever happens between."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest_twisted
from twisted.web.client import ResponseNeverReceived

from rpymostat.testing.w1 import FakeW1Bus
from rpymostat_sensor.sources.base import SensorSample
from rpymostat_sensor.sources.w1 import REASON_UNPLUGGED
from rpymostat_sensor.spool import Spool
from tests.support.engine import START
from tests.unit.sensor.daemon_support import (
    HOST,
    INTERVAL,
    SENSOR,
    SLAVE,
    approve_beforehand,
    serve_again,
    start_daemon,
)
from tests.unit.sensor.deferreds import result_of, run_now


@pytest_twisted.ensureDeferred
async def test_each_reading_arrives_with_the_time_it_was_taken(engine, tmp_path: Path, bus: FakeW1Bus) -> None:
    secret = await approve_beforehand(engine)
    rig = await start_daemon(engine, tmp_path, bus, RPYMOSTAT_SENSOR_SECRET=secret)
    bus.set_temperature(SLAVE, 22.0)
    await rig.advance(INTERVAL)
    await rig.advance(INTERVAL)  # unchanged value: reported all the same

    assert await rig.readings() == [(START, 21.5, None), (START + INTERVAL, 22.0, None),
                                    (START + 2 * INTERVAL, 22.0, None)]
    assert await rig.spooled() == 0
    await rig.stop()


@pytest_twisted.ensureDeferred
async def test_readings_taken_while_the_engine_is_down_arrive_later_in_order_once_each(
    engine, tmp_path: Path, bus: FakeW1Bus
) -> None:
    secret = await approve_beforehand(engine)
    rig = await start_daemon(engine, tmp_path, bus, RPYMOSTAT_SENSOR_SECRET=secret)
    port = engine.port.getHost().port
    await engine.port.stopListening()

    taken = [(START, 21.5, None)]
    for step in range(1, 8):
        celsius = 20.0 + step / 4
        bus.set_temperature(SLAVE, celsius)
        await rig.advance(INTERVAL)
        taken.append((START + step * INTERVAL, celsius, None))
    assert await rig.readings() == taken[:1]
    assert await rig.spooled() == 7

    await serve_again(engine, port)
    for step in range(8, 20):  # two minutes: past the longest back-off the test config allows
        await rig.advance(INTERVAL)
        taken.append((START + step * INTERVAL, 21.75, None))

    assert await rig.readings() == taken
    assert await rig.spooled() == 0
    await rig.stop()


class LosesFirstAnswer:
    """Lets the first readings request reach the engine, then loses the engine's answer."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.lost = 0

    async def _lose(self, method: str, url: str, **kwargs: Any) -> Any:
        response = await self._client.request(method, url, **kwargs)
        await response.content()
        self.lost += 1
        raise ResponseNeverReceived([])

    def request(self, method: str, url: str, **kwargs: Any) -> Any:
        from twisted.internet.defer import ensureDeferred

        if method == "PUT" and not self.lost:
            return ensureDeferred(self._lose(method, url, **kwargs))
        return self._client.request(method, url, **kwargs)


@pytest_twisted.ensureDeferred
async def test_a_retry_after_a_lost_answer_is_stored_once(engine, tmp_path: Path, bus: FakeW1Bus) -> None:
    secret = await approve_beforehand(engine)
    wrappers: list[LosesFirstAnswer] = []
    rig = await start_daemon(engine, tmp_path, bus, http=lambda c: wrappers.append(LosesFirstAnswer(c)) or wrappers[0],
                             RPYMOSTAT_SENSOR_SECRET=secret)
    assert wrappers[0].lost == 1
    assert await rig.spooled() == 1  # not acknowledged, so kept

    await rig.advance(INTERVAL)

    assert await rig.readings() == [(START, 21.5, None), (START + INTERVAL, 21.5, None)]
    assert await rig.spooled() == 0
    await rig.stop()


@pytest_twisted.ensureDeferred
async def test_a_reading_the_engine_refuses_is_dropped_alone_and_the_rest_delivered(
    engine, tmp_path: Path, bus: FakeW1Bus
) -> None:
    secret = await approve_beforehand(engine)
    spool: Spool = result_of(Spool.open(tmp_path / "sensor" / "spool.sqlite", HOST, runner=run_now))
    result_of(spool.append([
        SensorSample("early", "DS18B20", 19.0, START - 30),
        SensorSample("broken", "DS18B20", 900.0, START - 30),  # beyond any DS18B20: the engine says 422
        SensorSample("late", "DS18B20", 19.5, START - 30),
    ]))
    result_of(spool.close())

    rig = await start_daemon(engine, tmp_path, bus, RPYMOSTAT_SENSOR_SECRET=secret)

    assert await rig.readings("early") == [(START - 30, 19.0, None)]
    assert await rig.readings("late") == [(START - 30, 19.5, None)]
    assert await rig.engine.store.get_sensor("broken") is None
    assert await rig.readings() == [(START, 21.5, None)]
    assert await rig.spooled() == 0
    assert rig.service.link is not None
    await rig.advance(INTERVAL)
    assert len(await rig.readings()) == 2
    await rig.stop()


@pytest_twisted.ensureDeferred
async def test_an_unplugged_sensor_is_reported_as_null_with_the_reason(engine, tmp_path: Path, bus: FakeW1Bus) -> None:
    secret = await approve_beforehand(engine)
    rig = await start_daemon(engine, tmp_path, bus, RPYMOSTAT_SENSOR_SECRET=secret)
    bus.unplug(SLAVE)
    await rig.advance(INTERVAL)

    assert await rig.readings() == [(START, 21.5, None), (START + INTERVAL, None, REASON_UNPLUGGED)]
    sensor = (await engine.request("GET", f"/v1/sensors/{SENSOR}", key="read")).json
    assert (sensor["value"], sensor["extra"]) == (None, REASON_UNPLUGGED)
    await rig.stop()
