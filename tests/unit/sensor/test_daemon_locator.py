"""The daemon follows the engine when discovery says it moved, and spools while none is known."""

from __future__ import annotations

from pathlib import Path

import pytest_twisted
from twisted.internet import reactor
from twisted.web.server import Site

from rpymostat.testing.w1 import FakeW1Bus
from tests.support.engine import START
from tests.unit.sensor.daemon_support import INTERVAL, MovableLocator, approve_beforehand, start_daemon


@pytest_twisted.ensureDeferred
async def test_readings_follow_the_engine_to_its_new_address(engine, tmp_path: Path, bus: FakeW1Bus) -> None:
    secret = await approve_beforehand(engine)
    locator = MovableLocator(engine.url)
    rig = await start_daemon(engine, tmp_path, bus, locator=locator, RPYMOSTAT_SENSOR_SECRET=secret)
    moved = reactor.listenTCP(0, Site(engine.api.resource()), interface="127.0.0.1")
    await engine.port.stopListening()
    engine.port = moved

    locator.move(None)  # the old advertisement is withdrawn
    await rig.advance(INTERVAL)
    assert await rig.spooled() == 1

    locator.move(f"http://127.0.0.1:{moved.getHost().port}")
    await rig.settle()
    await rig.advance(INTERVAL)

    assert await rig.readings() == [(START + n * INTERVAL, 21.5, None) for n in range(3)]
    assert await rig.spooled() == 0
    await rig.stop()
