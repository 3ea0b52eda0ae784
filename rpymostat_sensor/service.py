"""The sensor daemon as a Twisted service, built the same way for the console script and tests.

Starting loads (or makes) the device secret, opens the spool, starts
looking for the engine, then runs two timers: readings on the primary
interval, host information on the secondary one. Every reading goes into
the spool before anything is sent, and is taken whether or not the engine
is there or the value changed: the engine judges staleness from regular
reports.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from treq.client import HTTPClient
from twisted.application.internet import TimerService
from twisted.application.service import MultiService
from twisted.internet.defer import Deferred, ensureDeferred, gatherResults
from twisted.internet.task import LoopingCall
from twisted.logger import Logger
from twisted.python.failure import Failure
from twisted.web.client import Agent, HTTPConnectionPool

from rpymostat.common.discovery import EngineLocator, StaticLocator
from rpymostat.common.http import SignedJsonClient
from rpymostat.common.settings import interfaces_value
from rpymostat.common.signing import fingerprint
from rpymostat.common.spool import thread_runner
from rpymostat.common.timeutil import to_iso
from rpymostat.version import VERSION
from rpymostat_sensor import BlockingRunner
from rpymostat_sensor.backoff import Backoff
from rpymostat_sensor.config import SensorConfig
from rpymostat_sensor.deliveries import Deliveries
from rpymostat_sensor.enrolment import Enrolment, load_or_create_secret
from rpymostat_sensor.event_pusher import EventPusher
from rpymostat_sensor.event_spool import EventSpool, event_spool_path
from rpymostat_sensor.hostinfo import host_info
from rpymostat_sensor.inputs import InputEvent, InputWatcher, format_inputs
from rpymostat_sensor.link import Deliverer, EngineLink
from rpymostat_sensor.pusher import Pusher
from rpymostat_sensor.sources.base import SensorSample, TemperatureSource
from rpymostat_sensor.spool import Spool

log = Logger()

INITIAL_RETRY_SECONDS = 1.0


#: How long a kept-alive connection to the engine may stay idle; below the engine's 60 s.
IDLE_CONNECTION_SECONDS = 30


class SensorService(MultiService):
    """One running sensor daemon; its timers are child services once the spool is open."""

    def __init__(
        self,
        config: SensorConfig,
        reactor: Any,
        http_client: Any,
        locator: EngineLocator,
        runner: BlockingRunner,
        host_info: Callable[[], dict[str, Any]],
        pool: HTTPConnectionPool | None = None,
        sources: list[tuple[str, TemperatureSource]] | None = None,
        pin_factory: Any = None,
    ) -> None:
        super().__init__()
        self.pin_factory = pin_factory
        self.event_spool: EventSpool | None = None
        self.inputs: InputWatcher | None = None
        self.pool = pool
        self.config = config
        self.reactor = reactor
        self.http_client = http_client
        self.locator = locator
        self.runner = runner
        self.host_info = host_info
        self.spool: Spool | None = None
        self.link: EngineLink | None = None
        self.sources: list[tuple[str, TemperatureSource]] = []
        self._given_sources = sources
        self._source_errors: dict[str, str] = {}
        self._dropped_seen = 0
        self._info_timer: LoopingCall | None = None

    def startService(self) -> Deferred[None]:  # type: ignore[override]
        """Fires once the daemon runs; fails (and the console script exits) when it cannot start."""
        MultiService.startService(self)
        return ensureDeferred(self._start())

    async def _start(self) -> None:
        config = self.config
        if config.secret is not None:
            secret = config.secret
            log.info("using the pre-shared device secret (fingerprint {fingerprint})",
                     fingerprint=fingerprint(secret))
        else:
            secret, made = load_or_create_secret(config.secret_file)
            log.info("{what} device secret in {path} (fingerprint {fingerprint})",
                     what="made a new" if made else "using the", path=config.secret_file,
                     fingerprint=fingerprint(secret))
        self.spool = await Spool.open(config.spool, config.host_id, config.spool_max, runner=self.runner)
        self._dropped_seen = await self.spool.dropped()
        waiting = await self.spool.count()
        client = SignedJsonClient(self.http_client, self.reactor, config.host_id, secret)
        self.sources = self._given_sources or make_sources(config, self.reactor, self.runner)
        pusher: Deliverer = Pusher(self.spool, client)
        if config.inputs:
            self.event_spool = await EventSpool.open(event_spool_path(config.spool), runner=self.runner)
            pusher = Deliveries([pusher, EventPusher(self.event_spool, client)])
        self.link = EngineLink(
            self.reactor, self.locator, Enrolment(client, self.host_info), pusher,
            self.spool, config.host_id, secret, config.interval, config.info_interval,
            Backoff(INITIAL_RETRY_SECONDS, max(INITIAL_RETRY_SECONDS, config.retry_max)),
        )
        log.info("rpymostat-sensor {version} on host {host_id}: reading {sources} every {interval:g} s; "
                 "{waiting} readings waiting in {spool}",
                 version=VERSION, host_id=config.host_id, sources=",".join(config.sources),
                 interval=config.interval, waiting=waiting, spool=config.spool)
        await self.locator.start()
        if config.engine_url is None:
            log.info("looking for the engine by DNS-SD (_rpymostat._tcp)")
        self.link.start()
        if config.inputs:
            call_from_thread = getattr(self.reactor, "callFromThread", lambda work, *args: work(*args))
            self.inputs = InputWatcher(config.inputs, self.reactor, self._spool_event, call_from_thread,
                                       self.pin_factory)
            self.inputs.start()
            log.info("watching inputs {inputs}", inputs=format_inputs(config.inputs))
        readings = TimerService(config.interval, self.take_readings)
        readings.clock = self.reactor
        readings.setServiceParent(self)
        # The first registration carries host information already: the next is due one interval later.
        self._info_timer = LoopingCall(self.link.info_due)
        self._info_timer.clock = self.reactor
        self._info_timer.start(config.info_interval, now=False)

    def stopService(self) -> Deferred[None]:  # type: ignore[override]
        return ensureDeferred(self._stop())

    async def _stop(self) -> None:
        await MultiService.stopService(self)
        if self._info_timer is not None and self._info_timer.running:
            self._info_timer.stop()
        if self.inputs is not None:
            self.inputs.stop()
            self.inputs = None
        if self.link is not None:
            await self.link.stop()
        await self.locator.stop()
        if self.spool is not None:
            waiting = await self.spool.count()
            await self.spool.close()
            log.info("stopped; {waiting} readings kept in the spool for next time", waiting=waiting)
        if self.event_spool is not None:
            await self.event_spool.close()
        if self.pool is not None:
            await self.pool.closeCachedConnections()

    def take_readings(self) -> Deferred[None]:
        """Read every source, spool what came back, then let the link deliver it; never fails."""
        reads = [source.read().addErrback(self._source_failed, name) for name, source in self.sources]
        done = gatherResults(reads).addCallback(self._spool_samples)
        return done.addErrback(lambda failure: log.failure("taking readings failed", failure))

    def _source_failed(self, failure: Failure, name: str) -> None:
        """Log a failing source once per distinct error, not at every reading."""
        message = failure.getErrorMessage()
        if self._source_errors.get(name) != message:
            self._source_errors[name] = message
            log.error("the {name} source cannot be read: {message}", name=name, message=message)

    def _spool_samples(self, results: Sequence[list[SensorSample] | None]) -> Deferred[None]:
        for (name, _), result in zip(self.sources, results, strict=True):
            if result is not None and self._source_errors.pop(name, None) is not None:
                log.info("the {name} source reads again", name=name)
        samples = [sample for result in results if result for sample in result]
        for sample in samples:
            log.debug("took reading {sensor_id}={value} at {at}", sensor_id=sample.sensor_id, value=sample.value,
                      at=to_iso(sample.at))
        assert self.spool is not None and self.link is not None
        spooled = self.spool.append(samples).addCallback(self._count_dropped)
        spooled.addCallback(lambda _: self.link.kick() if self.link is not None else None)
        return spooled

    def _spool_event(self, event: InputEvent) -> Deferred[Any]:
        """Keep an input's change, then let the link deliver it; never fails."""
        log.info("input {device} {location}: {value}", device=event.device, location=event.location,
                 value=event.value)
        assert self.event_spool is not None
        spooled = self.event_spool.append([event])
        spooled.addCallback(lambda _: self.link.kick() if self.link is not None else None)
        return spooled.addErrback(lambda failure: log.failure("keeping an input event failed", failure))

    def _count_dropped(self, dropped: int) -> None:
        if dropped:
            self._dropped_seen += dropped
            log.warn("the spool is full ({limit} readings): dropped the oldest; {total} dropped so far",  # noqa: G010
                     limit=self.config.spool_max, total=self._dropped_seen)


def make_sources(config: SensorConfig, reactor: Any, runner: BlockingRunner) -> list[tuple[str, TemperatureSource]]:
    """The configured sources, by name; the 1-wire one imports w1thermsensor only when asked for."""
    sources: list[tuple[str, TemperatureSource]] = []
    for name in config.sources:
        if name == "w1":
            from rpymostat_sensor.sources.w1 import W1Source

            sources.append((name, W1Source(reactor, config.w1_path, runner=runner)))
        elif name == "cpu":
            from rpymostat_sensor.sources.cpu import CpuTemperatureSource

            sources.append((name, CpuTemperatureSource(reactor, config.host_id)))
        else:
            from rpymostat_sensor.sources.simulated import DailyWave, SimulatedSource

            wave = DailyWave(seed=sum(config.host_id.encode()))
            sources.append((name, SimulatedSource(reactor, {f"{config.host_id}-sim": wave})))
    return sources




def default_locator(config: SensorConfig, reactor: Any) -> EngineLocator:
    """``RPYMOSTAT_ENGINE_URL`` when set, else DNS-SD on the configured interfaces."""
    if config.engine_url is not None:
        return StaticLocator(config.engine_url)
    from rpymostat.common.discovery import ZeroconfLocator

    return ZeroconfLocator(reactor, interfaces_value(config.discovery_interfaces))  # type: ignore[arg-type]


def make_service(
    config: SensorConfig,
    reactor: Any,
    http_client: Any = None,
    locator: EngineLocator | None = None,
    *,
    runner: BlockingRunner | None = None,
    host_info: Callable[[], dict[str, Any]] = host_info,
    sources: list[tuple[str, TemperatureSource]] | None = None,
    pin_factory: Any = None,
) -> MultiService:
    """The whole daemon; tests pass a ``Clock``, a synchronous runner, a client and a locator.

    ``reactor`` is the daemon's clock; give ``http_client`` and ``runner``
    built on a real reactor when it is a scaled clock (the demo), and
    ``sources`` to read something other than the configured sources.
    """
    pool = None
    if http_client is None:
        # One kept-alive connection to the engine is all a sensor needs.
        pool = HTTPConnectionPool(reactor, persistent=True)
        pool.maxPersistentPerHost = 1
        # The engine (a twisted.web Site) closes a connection idle for 60 s,
        # the default reading interval: a PUT sent on it just then is lost.
        # Dropping idle connections sooner costs a new one per minute.
        pool.cachedConnectionTimeout = IDLE_CONNECTION_SECONDS
        http_client = HTTPClient(Agent(reactor, pool=pool))
    return SensorService(
        config,
        reactor,
        http_client,
        locator if locator is not None else default_locator(config, reactor),
        runner if runner is not None else thread_runner(reactor),
        host_info,
        pool,
        sources,
        pin_factory,
    )
