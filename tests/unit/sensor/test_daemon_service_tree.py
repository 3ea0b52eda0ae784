"""The sensor daemon is a service tree: a failed start leaves no timer running and the spool closed."""

from __future__ import annotations

import pytest
import pytest_twisted
from twisted.internet.defer import fail

from rpymostat_sensor.service import make_service
from tests.unit.sensor.daemon_support import MovableLocator, sensor_config
from tests.unit.sensor.deferreds import run_now


class BrokenLocator(MovableLocator):
    """Cannot start, as DNS-SD cannot on a host without a usable interface."""

    def start(self):  # type: ignore[no-untyped-def]
        return fail(OSError("no interface to browse on"))


@pytest_twisted.ensureDeferred
async def test_a_locator_that_cannot_start_leaves_nothing_running(engine, tmp_path, bus):
    config = sensor_config(tmp_path, bus, engine.url)
    service = make_service(config, engine.clock, object(), BrokenLocator(engine.url), runner=run_now)
    with pytest.raises(OSError):
        await service.startService()
    assert engine.clock.getDelayedCalls() == []
    assert service.spool is None and service.link is None and not service.running
    await service.stopService()  # what the runner does at shutdown: nothing is stopped twice


@pytest_twisted.ensureDeferred
async def test_the_parts_start_in_order_and_stop_in_reverse(engine, tmp_path, bus):
    config = sensor_config(tmp_path, bus, engine.url)
    service = make_service(config, engine.clock, object(), MovableLocator(None), runner=run_now)
    await service.startService()
    running = service.built
    assert [child.name for child in running] == ["locator", "link", "readings", "host info"]
    await service.stopService()
    assert not any(child.running for child in running)
    assert engine.clock.getDelayedCalls() == []
