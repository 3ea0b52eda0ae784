"""The sensor daemon as a tree of Twisted services, built the same way for the console script and tests.

The tree (children start top to bottom, each once the one above has
started, and stop bottom to top)::

    sensor              Opened: the spool of readings ... closed last, its count logged
    ├── connections     (nothing to start) ... kept-alive connections to the engine closed
    ├── locator         finding the engine (DNS-SD, or RPYMOSTAT_ENGINE_URL)
    ├── link            registering, then delivering the spool
    ├── readings        every source read on the primary interval
    └── host info       host information on the secondary interval

Every reading goes into the spool before anything is sent, and is taken
whether or not the engine is there or the value changed: the engine judges
staleness from regular reports.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from twisted.internet.defer import Deferred, ensureDeferred, gatherResults
from twisted.internet.task import LoopingCall
from twisted.logger import Logger
from twisted.python.failure import Failure
from twisted.web.client import Agent, HTTPConnectionPool

from rpymostat.common.backoff import Backoff
from rpymostat.common.discovery import EngineLocator, StaticLocator
from rpymostat.common.hostinfo import host_info
from rpymostat.common.http import AgentClient, SignedJsonClient
from rpymostat.common.secret_file import load_or_create_secret
from rpymostat.common.service_tree import InOrder, Opened, Step
from rpymostat.common.settings import interfaces_value
from rpymostat.common.signing import fingerprint
from rpymostat.common.spool import thread_runner
from rpymostat.common.timeutil import to_iso
from rpymostat.version import VERSION
from rpymostat_sensor import BlockingRunner
from rpymostat_sensor.config import SensorConfig
from rpymostat_sensor.deliveries import Deliveries
from rpymostat_sensor.enrolment import Enrolment
from rpymostat_sensor.event_pusher import EventPusher
from rpymostat_sensor.event_spool import EventSpool, event_spool_path
from rpymostat_sensor.inputs import InputEvent, InputWatcher, format_inputs
from rpymostat_sensor.link import Deliverer, EngineLink
from rpymostat_sensor.pusher import Pusher
from rpymostat_sensor.sources.base import SensorSample, TemperatureSource
from rpymostat_sensor.spool import Spool

log = Logger()

INITIAL_RETRY_SECONDS = 1.0


#: How long a kept-alive connection to the engine may stay idle; below the engine's 60 s.
IDLE_CONNECTION_SECONDS = 30


class Collaborators:
    """What the daemon works with: clock, HTTP client, locator, runner, host information, sources."""

    def __init__(self, reactor: Any, http_client: Any, locator: EngineLocator, runner: BlockingRunner,
                 host_info: Callable[[], dict[str, Any]], pool: HTTPConnectionPool | None,
                 sources: list[tuple[str, TemperatureSource]], pin_factory: Any = None) -> None:
        self.reactor = reactor
        self.pin_factory = pin_factory
        self.http_client = http_client
        self.locator = locator
        self.runner = runner
        self.host_info = host_info
        self.pool = pool
        self.sources = sources


class Running(InOrder):
    """The daemon once its spool is open."""

    def __init__(self, config: SensorConfig, parts: Collaborators, spool: Spool, secret: str,
                 dropped_seen: int, event_spool: EventSpool | None = None) -> None:
        super().__init__()
        self.config = config
        self.spool = spool
        self.event_spool = event_spool
        self.sources = parts.sources
        self.reactor = parts.reactor
        self._source_errors: dict[str, str] = {}
        #: Per source since start, for the metrics: failed reads of the source and unreadable sensors in it.
        self.read_errors: dict[str, int] = {}
        self._dropped_seen = dropped_seen
        client = SignedJsonClient(parts.http_client, parts.reactor, config.host_id, secret)
        self.pusher = Pusher(spool, client)
        deliverer: Deliverer = self.pusher
        if event_spool is not None:
            deliverer = Deliveries([self.pusher, EventPusher(event_spool, client)])
        self.link = EngineLink(
            parts.reactor, parts.locator, Enrolment(client, parts.host_info), deliverer,
            spool, config.host_id, secret, config.interval, config.info_interval,
            Backoff(INITIAL_RETRY_SECONDS, max(INITIAL_RETRY_SECONDS, config.retry_max)),
        )
        pool = parts.pool
        if pool is not None:
            Step("connections", None, pool.closeCachedConnections).setServiceParent(self)
        Step("locator", lambda: self._find_engine(parts.locator), parts.locator.stop).setServiceParent(self)
        Step("link", self.link.start, self.link.stop).setServiceParent(self)
        if config.inputs and event_spool is not None:
            call_from_thread = getattr(parts.reactor, "callFromThread", lambda work, *args: work(*args))
            inputs = InputWatcher(config.inputs, parts.reactor, self._spool_event, call_from_thread, parts.pin_factory)
            Step("inputs", lambda: self._watch(inputs), inputs.stop).setServiceParent(self)
        # A LoopingCall in a Step rather than TimerService, whose module (with automat) costs a Pi Zero 0.5 MB.
        self._readings = LoopingCall(self.take_readings)
        self._readings.clock = parts.reactor
        self._readings_stopped: Deferred[Any] | None = None
        Step("readings", self._start_readings, self._stop_readings).setServiceParent(self)
        # The first registration carries host information already: the next is due one interval later.
        self._info = LoopingCall(self.link.info_due)
        self._info.clock = parts.reactor
        Step("host info", self._start_info, self._info.stop).setServiceParent(self)
        if config.metrics_port is not None:
            from rpymostat_sensor.metrics import metrics_listener

            metrics_listener(self).setServiceParent(self)

    @property
    def dropped_readings(self) -> int:
        """Readings the full spool ever dropped (kept across restarts)."""
        return self._dropped_seen

    def _watch(self, inputs: InputWatcher) -> None:
        inputs.start()
        log.info("watching inputs {inputs}", inputs=format_inputs(self.config.inputs))

    def _spool_event(self, event: InputEvent) -> Deferred[Any]:
        """Keep an input's change, then let the link deliver it; never fails."""
        log.info("input {device} {location}: {value}", device=event.device, location=event.location,
                 value=event.value)
        assert self.event_spool is not None
        spooled = self.event_spool.append([event])
        spooled.addCallback(lambda _: self.link.kick())
        return spooled.addErrback(lambda failure: log.failure("keeping an input event failed", failure))

    def _start_readings(self) -> None:
        """The first reading now, then one every interval (each waits for the one before)."""
        self._readings_stopped = self._readings.start(self.config.interval, now=True)

    def _stop_readings(self) -> Deferred[Any] | None:
        """No more readings; fires once a reading under way is spooled."""
        if self._readings.running:
            self._readings.stop()
        return self._readings_stopped

    def _start_info(self) -> None:
        # Not the Deferred start() returns: it fires only when the loop stops.
        self._info.start(self.config.info_interval, now=False)

    def _find_engine(self, locator: EngineLocator) -> Deferred[None]:
        if self.config.engine_url is None:
            log.info("looking for the engine by DNS-SD (_rpymostat._tcp)")
        return locator.start()

    def take_readings(self) -> Deferred[None]:
        """Read every source, spool what came back, then let the link deliver it; never fails."""
        reads = [source.read().addErrback(self._source_failed, name) for name, source in self.sources]
        done = gatherResults(reads).addCallback(self._spool_samples)
        return done.addErrback(lambda failure: log.failure("taking readings failed", failure))

    def _source_failed(self, failure: Failure, name: str) -> None:
        """Log a failing source once per distinct error, not at every reading."""
        message = failure.getErrorMessage()
        self.read_errors[name] = self.read_errors.get(name, 0) + 1
        if self._source_errors.get(name) != message:
            self._source_errors[name] = message
            log.error("the {name} source cannot be read: {message}", name=name, message=message)

    def _spool_samples(self, results: Sequence[list[SensorSample] | None]) -> Deferred[None]:
        for (name, _), result in zip(self.sources, results, strict=True):
            if result is not None and self._source_errors.pop(name, None) is not None:
                log.info("the {name} source reads again", name=name)
            unreadable = sum(1 for sample in result or () if sample.value is None)
            if unreadable:
                self.read_errors[name] = self.read_errors.get(name, 0) + unreadable
        samples = [sample for result in results if result for sample in result]
        for sample in samples:
            log.debug("took reading {sensor_id}={value} at {at}", sensor_id=sample.sensor_id, value=sample.value,
                      at=to_iso(sample.at))
        spooled = self.spool.append(samples).addCallback(self._count_dropped)
        spooled.addCallback(lambda _: self.link.kick())
        return spooled

    def _count_dropped(self, dropped: int) -> None:
        if dropped:
            self._dropped_seen += dropped
            log.warn("the spool is full ({limit} readings): dropped the oldest; {total} dropped so far",  # noqa: G010
                     limit=self.config.spool_max, total=self._dropped_seen)


@dataclass(frozen=True)
class OpenSpool:
    """What starting opens: the spool, with the secret to deliver it and the readings dropped so far."""

    spool: Spool
    secret: str
    dropped: int
    event_spool: EventSpool | None = None


class SensorService(Opened[OpenSpool]):
    """One running sensor daemon: the spool, and once it is open, everything that uses it."""

    def __init__(self, config: SensorConfig, parts: Collaborators) -> None:
        self.config = config
        self.parts = parts
        # Named after its host: one process (the demo) may run several.
        super().__init__(f"sensor {config.host_id}", lambda: ensureDeferred(_open(config, parts.runner)),
                         lambda opened: Running(config, parts, opened.spool, opened.secret, opened.dropped,
                                                opened.event_spool),
                         lambda opened: ensureDeferred(_close_spool(opened.spool, opened.event_spool)))

    @property
    def pool(self) -> HTTPConnectionPool | None:
        return self.parts.pool

    @property
    def spool(self) -> Spool | None:
        return self.opened.spool if self.opened is not None else None

    @property
    def event_spool(self) -> EventSpool | None:
        return self.opened.event_spool if self.opened is not None else None

    @property
    def working(self) -> Running | None:
        """The daemon's parts once its spool is open (``None`` before and after)."""
        return self.built if isinstance(self.built, Running) else None

    @property
    def link(self) -> EngineLink | None:
        working = self.working
        return working.link if working is not None else None


async def _open(config: SensorConfig, runner: BlockingRunner) -> OpenSpool:
    secret = _secret(config)
    spool = await Spool.open(config.spool, config.host_id, config.spool_max, runner=runner)
    log.info("rpymostat-sensor {version} on host {host_id}: reading {sources} every {interval:g} s; "
             "{waiting} readings waiting in {spool}",
             version=VERSION, host_id=config.host_id, sources=",".join(config.sources),
             interval=config.interval, waiting=await spool.count(), spool=config.spool)
    events = await EventSpool.open(event_spool_path(config.spool), runner=runner) if config.inputs else None
    return OpenSpool(spool, secret, await spool.dropped(), events)


def _secret(config: SensorConfig) -> str:
    """The pre-shared secret, or the one kept in (or first written to) the secret file."""
    if config.secret:
        log.info("using the pre-shared device secret (fingerprint {fingerprint})", fingerprint=fingerprint(config.secret))
        return config.secret
    secret, made = load_or_create_secret(config.secret_file, "RPYMOSTAT_SENSOR_SECRET_FILE")
    log.info("{what} device secret in {path} (fingerprint {fingerprint})",
             what="made a new" if made else "using the", path=config.secret_file, fingerprint=fingerprint(secret))
    return secret


async def _close_spool(spool: Spool, event_spool: EventSpool | None) -> None:
    waiting = await spool.count()
    await spool.close()
    log.info("stopped; {waiting} readings kept in the spool for next time", waiting=waiting)
    if event_spool is not None:
        await event_spool.close()


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
) -> SensorService:
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
        http_client = AgentClient(Agent(reactor, pool=pool))
    runner = runner if runner is not None else thread_runner(reactor)
    return SensorService(config, Collaborators(
        reactor, http_client, locator if locator is not None else default_locator(config, reactor), runner,
        host_info, pool, sources or make_sources(config, reactor, runner), pin_factory))
