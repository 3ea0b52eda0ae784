"""A sensor daemon given a control daemon's secret says so once, with the fix, and keeps its readings."""

from __future__ import annotations

from pathlib import Path

import pytest_twisted

from rpymostat.common.signing import new_secret
from rpymostat.store.records import DeviceRecord
from rpymostat.testing.w1 import FakeW1Bus
from tests.support.engine import START
from tests.unit.sensor.daemon_support import HOST, INTERVAL, start_daemon


@pytest_twisted.ensureDeferred
async def test_a_control_secret_on_a_sensor_daemon_is_reported_once_and_readings_wait(
    engine, tmp_path: Path, bus: FakeW1Bus, log_lines: list[str]
) -> None:
    secret = new_secret()  # as `rpymostat-keys device HOST --kind control` makes it
    await engine.store.put_device(DeviceRecord(HOST, "control", secret, "approved", START))
    rig = await start_daemon(engine, tmp_path, bus, RPYMOSTAT_SENSOR_SECRET=secret)
    for _ in range(3):
        await rig.advance(INTERVAL)

    told = [line for line in log_lines if "made for a control daemon" in line]
    assert len(told) == 1
    assert f"rpymostat-keys device {HOST} --kind sensor --replace" in told[0]
    assert not [line for line in log_lines if "approved by the engine" in line]
    assert await rig.readings() == []
    assert await rig.spooled() == 4
    await rig.stop()
