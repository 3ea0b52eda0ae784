"""What the sensor daemon's tests share: an engine to talk to, a fake 1-wire bus and the daemon's log lines."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import pytest_twisted
from twisted.logger import LogEvent, formatEvent, globalLogPublisher

from rpymostat.testing.w1 import FakeW1Bus
from tests.support.engine import start_engine
from tests.unit.sensor.daemon_support import SLAVE


@pytest_twisted.async_yield_fixture
async def engine(tmp_path: Path):
    harness = await start_engine(tmp_path / "engine", listen=True)
    yield harness
    await harness.close()


@pytest.fixture
def bus(tmp_path: Path) -> FakeW1Bus:
    bus = FakeW1Bus(tmp_path / "w1")
    bus.add_sensor(SLAVE, 21.5)
    return bus


@pytest.fixture
def log_lines() -> Iterator[list[str]]:
    lines: list[str] = []

    def observe(event: LogEvent) -> None:
        if str(event.get("log_namespace", "")).startswith("rpymostat_sensor"):
            lines.append(formatEvent(event))

    globalLogPublisher.addObserver(observe)
    yield lines
    globalLogPublisher.removeObserver(observe)
