"""A sensor daemon wired to a real engine API, for the daemon's unit tests.

The engine (tests/support/engine.py) serves its real routes over a real
SQLite file on a loopback socket; the daemon runs on the engine's own
``Clock``, so signatures, reading times and timers all agree and the test
moves time with ``advance``. Spool and 1-wire reads run synchronously.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from treq.client import HTTPClient
from twisted.internet import reactor
from twisted.web.client import Agent, HTTPConnectionPool
from twisted.web.server import Site

from rpymostat.common.signing import new_secret
from rpymostat.store.records import DeviceRecord
from rpymostat.testing.w1 import FakeW1Bus
from rpymostat_sensor.config import SensorConfig
from rpymostat_sensor.service import SensorService, make_service
from tests.support.engine import EngineHarness
from tests.unit.sensor.deferreds import run_now

HOST = "sensor-host-1"
SLAVE = "28-00000a1b2c3d"
SENSOR = "00000a1b2c3d"
INTERVAL = 10


class MovableLocator:
    """An engine locator whose URL the test sets, as DNS-SD would on a move."""

    def __init__(self, url: str | None) -> None:
        self.url = url
        self.callbacks: list[Callable[[str | None], None]] = []

    def start(self) -> Any:
        from twisted.internet.defer import succeed

        return succeed(None)

    stop = start

    def current(self) -> str | None:
        return self.url

    def wait(self) -> Any:
        raise NotImplementedError("the daemon follows on_change instead")

    def on_change(self, callback: Callable[[str | None], None]) -> Callable[[], None]:
        self.callbacks.append(callback)
        return lambda: self.callbacks.remove(callback)

    def move(self, url: str | None) -> None:
        self.url = url
        for callback in list(self.callbacks):
            callback(url)


@dataclass
class Rig:
    engine: EngineHarness
    bus: FakeW1Bus
    service: SensorService
    config: SensorConfig
    pool: HTTPConnectionPool

    @property
    def clock(self) -> Any:
        return self.engine.clock

    async def settle(self) -> None:
        assert self.service.link is not None
        await self.service.link.settled()

    async def advance(self, seconds: float) -> None:
        """Move time on, then wait for whatever it started to finish."""
        self.clock.advance(seconds)
        await self.settle()

    async def readings(self, sensor_id: str = SENSOR) -> list[tuple[float, float | None, str | None]]:
        """(at, value, extra) of every stored reading of the sensor, in the order the engine stored them."""
        rows = await self.engine.store.list_readings(sensor_id, 10_000)
        return [(r.at, r.value, r.extra) for r in sorted(rows, key=lambda r: r.reading_id)]

    async def spooled(self) -> int:
        assert self.service.spool is not None
        return await self.service.spool.count()

    async def stop(self) -> None:
        await self.service.stopService()
        await self.pool.closeCachedConnections()


async def approve_beforehand(engine: EngineHarness, host_id: str = HOST) -> str:
    """A pre-shared secret the engine already holds as approved (``rpymostat-keys device``)."""
    secret = new_secret()
    await engine.store.put_device(DeviceRecord(host_id, "sensor", secret, "approved", engine.clock.seconds()))
    return secret


def sensor_config(tmp_path: Path, bus: FakeW1Bus, url: str, **env: str) -> SensorConfig:
    return SensorConfig.load({
        "RPYMOSTAT_ENGINE_URL": url,
        "RPYMOSTAT_SENSOR_HOST_ID": HOST,
        "RPYMOSTAT_SENSOR_SECRET_FILE": str(tmp_path / "sensor" / "device-secret"),
        "RPYMOSTAT_SENSOR_SPOOL": str(tmp_path / "sensor" / "spool.sqlite"),
        "RPYMOSTAT_SENSOR_W1_PATH": str(bus.devices_path),
        "RPYMOSTAT_SENSOR_INTERVAL": str(INTERVAL),
        "RPYMOSTAT_SENSOR_INFO_INTERVAL": "600",
        **env,
    })


async def start_daemon(
    engine: EngineHarness,
    tmp_path: Path,
    bus: FakeW1Bus,
    locator: Any = None,
    http: Callable[[HTTPClient], Any] = lambda client: client,
    host_info: Callable[[], dict[str, Any]] = lambda: {"hostname": "test-room"},
    **env: str,
) -> Rig:
    """Start a daemon against ``engine``; its first readings are taken (and sent) at once."""
    config = sensor_config(tmp_path, bus, engine.url, **env)
    pool = HTTPConnectionPool(reactor, persistent=False)
    client = http(HTTPClient(Agent(reactor, pool=pool)))
    service = make_service(config, engine.clock, client, locator, runner=run_now, host_info=host_info)
    assert isinstance(service, SensorService)
    await service.startService()
    rig = Rig(engine, bus, service, config, pool)
    await rig.settle()
    return rig


async def serve_again(engine: EngineHarness, port: int) -> None:
    """Bring a stopped engine back on the same port, with the same store and clock."""
    engine.port = reactor.listenTCP(port, Site(engine.api.resource()), interface="127.0.0.1")
