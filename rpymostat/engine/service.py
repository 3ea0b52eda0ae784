"""The engine as a tree of Twisted services: storage, timeline, decisions, HTTP API and DNS-SD.

``make_service(config, reactor)`` builds it the same way for the console
script, the demo and end-to-end tests. The tree (children start top to
bottom, each once the one above has started, and stop bottom to top)::

    engine                      Opened: open (and migrate) the database ... close it
    ├── history maintenance     raw readings rolled up and pruned on a timer
    ├── first admin key         made on an empty database, or a mismatched key file reported
    ├── timeline                schedules resolved before anything is served
    └── deciding                Opened: the equipment's state restored from the relays' reports
        ├── http                listening on RPYMOSTAT_HOST:RPYMOSTAT_PORT
        ├── relay commands      keep-alives to the control daemons
        ├── decision loop       stopped only once its turn in progress has settled
        └── dns-sd              advertised last, withdrawn first

So a SIGTERM withdraws the DNS-SD record, lets the last decision settle,
stops serving, cancels every timer and then closes the database; a part
that fails to start stops the parts already started.
"""

from __future__ import annotations

from typing import Any

from twisted.application.service import Service
from twisted.internet.defer import Deferred, ensureDeferred
from twisted.internet.interfaces import IReactorTime
from twisted.logger import Logger

from rpymostat.common.guarded_site import guarded_site
from rpymostat.common.service_tree import InOrder, Listening, Opened, Step
from rpymostat.common.settings import interfaces_value
from rpymostat.config import EngineConfig
from rpymostat.decisions.equipment import EquipmentState
from rpymostat.engine.api.build import build_api
from rpymostat.engine.context import EngineContext
from rpymostat.engine.loop.decision_loop import DecisionLoop
from rpymostat.engine.plugin_settings import PluginSettings
from rpymostat.engine.reactions import Reactions
from rpymostat.engine.relays.commander import RelayCommander
from rpymostat.engine.relays.registry import RelayRegistry
from rpymostat.engine.relays.restore import restored_equipment
from rpymostat.engine.schedules.book import RuleBook
from rpymostat.engine.schedules.cache import TimelineCache
from rpymostat.history.levels import configured_levels
from rpymostat.history.maintenance import HistoryMaintenance
from rpymostat.integrations.exports import Exports, start_exports
from rpymostat.integrations.mqtt_engine import mqtt_bridge
from rpymostat.security.keys import admin_key_file_problem, ensure_first_admin_key
from rpymostat.security.on_disk import open_secret_files
from rpymostat.store.interface import Store
from rpymostat.store.opening import open_store
from rpymostat.version import VERSION

log = Logger()


class Running(InOrder):
    """The parts that need an open database; built from it, with nothing filled in later."""

    def __init__(self, config: EngineConfig, reactor: Any, clock: IReactorTime, decision_interval: float,
                 store: Store) -> None:
        super().__init__()
        self.context = EngineContext(store, clock, config)
        self.plugins = PluginSettings(store)
        self.timeline = TimelineCache(store, clock, self.context.zone, plugins=self.plugins,
                                      events=self.context.events)
        self.relays = RelayCommander(RelayRegistry(store), store, clock, _http_client(reactor))
        maintenance = HistoryMaintenance(store, configured_levels(config), clock)
        Step("history maintenance", maintenance.start, maintenance.stop).setServiceParent(self)
        Step("first admin key", lambda: ensureDeferred(_first_admin_key(store, config, clock))).setServiceParent(self)
        # Optional exports (InfluxDB, AMQP) only listen to the event bus.
        self.exports: Exports | None = None
        Step("exports", lambda: self._start_exports(config, reactor), self._stop_exports).setServiceParent(self)
        Step("timeline", lambda: ensureDeferred(self.timeline.start()), self.timeline.stop).setServiceParent(self)
        timeline = self.timeline
        self.reactions = Reactions(self.context, lambda: timeline.limits.presets)
        Step("reactions", self._start_reactions, self.reactions.stop).setServiceParent(self)
        self.deciding: Opened[EquipmentState] = Opened(
            "deciding", lambda: ensureDeferred(restored_equipment(self.relays, clock.seconds())),
            lambda equipment: Deciding(self, reactor, decision_interval, equipment))
        self.deciding.setServiceParent(self)


    async def _start_reactions(self) -> None:
        await self.reactions.load()
        self.reactions.start()

    async def _start_exports(self, config: EngineConfig, reactor: Any) -> None:
        self.exports = await start_exports(config, self.context.events, reactor)
        self.context.integrations.update({key: courier.stats for key, courier in self.exports.couriers.items()})

    async def _stop_exports(self) -> None:
        exports, self.exports = self.exports, None
        if exports is not None:
            await exports.stop()


class Deciding(InOrder):
    """Serving, commanding and deciding, from the equipment's state as the relays last reported it."""

    def __init__(self, running: Running, reactor: Any, decision_interval: float, equipment: EquipmentState) -> None:
        super().__init__()
        config = running.context.config
        self.decision_loop = DecisionLoop(running.context, running.timeline, running.relays, running.plugins,
                                          interval=decision_interval, equipment=equipment,
                                          reactions=running.reactions)
        book = RuleBook(running.timeline)
        api = build_api(running.context, running.timeline, running.relays, self.decision_loop, book=book,
                        reacting=running.reactions)
        # Home Assistant over MQTT: optional, off while RPYMOSTAT_MQTT_URL is unset; made before listening, so a
        # missing paho-mqtt stops the start before anything runs.
        mqtt = mqtt_bridge(config, reactor, running.context.clock, running.context, running.timeline,
                           running.relays, self.decision_loop, book)
        self.listener = Listening(reactor, config.port, guarded_site(api.resource(), config.server_limits, reactor),
                                 config.host)
        self.listener.setServiceParent(self)
        Step("serving", lambda: log.info("RPyMostat engine {version} serving on http://{host}:{port}/ with {backend}",
                                         version=VERSION, host=config.host, port=self.listener.port,
                                         backend=running.context.store.backend_name)).setServiceParent(self)
        Step("relay commands", running.relays.start, running.relays.stop).setServiceParent(self)
        Step("decision loop", self.decision_loop.start, self._stop_deciding).setServiceParent(self)
        if mqtt is not None:
            mqtt.setServiceParent(self)
        if config.discovery:
            Advertising(reactor, self.listener, interfaces_value(config.discovery_interfaces)).setServiceParent(self)

    def _stop_deciding(self) -> Deferred[None]:
        self.decision_loop.stop()
        return self.decision_loop.settled()


class Advertising(Service):
    """The engine's DNS-SD record, for the port ``listener`` is bound to (known once it listens)."""

    def __init__(self, reactor: Any, listener: Listening, interfaces: Any) -> None:
        self.setName("dns-sd")
        self.reactor, self.listener, self.interfaces = reactor, listener, interfaces
        self.advertiser: Any = None

    def startService(self) -> Deferred[None]:  # type: ignore[override]
        from rpymostat.common.discovery import ServiceAdvertiser

        self.advertiser = ServiceAdvertiser(self.reactor, name=None, port=self.listener.port, addresses=None,
                                            interfaces=self.interfaces)
        return self.advertiser.start().addCallback(self._advertised)

    def _advertised(self, _: object) -> None:
        Service.startService(self)
        log.info("Advertised by DNS-SD as _rpymostat._tcp")

    def stopService(self) -> Deferred[None]:  # type: ignore[override]
        Service.stopService(self)
        advertiser, self.advertiser = self.advertiser, None
        return advertiser.stop()  # type: ignore[no-any-return]


class EngineService(Opened[Store]):
    """One running engine: the database, and once it is open, everything that uses it.

    ``reactor`` does the networking; ``clock`` (the reactor itself unless
    given, a scaled clock in the demo) is the engine's "now" and runs every
    timer, so simulated time can run faster than real time.
    """

    def __init__(self, config: EngineConfig, reactor: Any, clock: IReactorTime | None = None,
                 decision_interval: float = 5.0) -> None:
        self.config = config
        self.clock: IReactorTime = clock if clock is not None else reactor
        super().__init__("engine", lambda: _open_database(config, reactor),
                         lambda store: Running(config, reactor, self.clock, decision_interval, store), _close_database)

    @property
    def running_parts(self) -> Running | None:
        """The parts of a started engine (``None`` before the database is open and after it is closed)."""
        return self.built if isinstance(self.built, Running) else None

    @property
    def context(self) -> EngineContext | None:
        parts = self.running_parts
        return parts.context if parts is not None else None

    @property
    def timeline(self) -> TimelineCache | None:
        parts = self.running_parts
        return parts.timeline if parts is not None else None

    @property
    def deciding(self) -> Deciding | None:
        parts = self.running_parts
        built = parts.deciding.built if parts is not None else None
        return built if isinstance(built, Deciding) else None

    @property
    def decision_loop(self) -> DecisionLoop | None:
        deciding = self.deciding
        return deciding.decision_loop if deciding is not None else None

    @property
    def port_number(self) -> int:
        deciding = self.deciding
        if deciding is None or deciding.listener.listening is None:
            raise RuntimeError("the engine is not listening")
        return deciding.listener.port


async def _open_database(config: EngineConfig, reactor: Any) -> Store:
    store = await open_store(config.db_uri, reactor)
    for wide in open_secret_files(config):
        log.warn("{advice}; it holds secrets (device secrets, API keys) that only the engine's user should "
                 "read", advice=wide.advice())
    return store


async def _close_database(store: Store) -> None:
    await store.close()
    log.info("Database closed")


async def _first_admin_key(store: Store, config: EngineConfig, clock: IReactorTime) -> None:
    key_file = await ensure_first_admin_key(store, config.data_dir, clock.seconds())
    if key_file is not None:
        log.warn("First start: an admin API key was written to {path} (readable only by you). "
                 "Use it to sign in and to create other keys.", path=key_file)
        return
    problem = await admin_key_file_problem(store, config.data_dir)
    if problem is not None:
        log.warn("{problem}", problem=problem)


def _http_client(reactor: Any) -> Any:
    """treq over an Agent on this reactor, for the engine's commands to the control daemons."""
    from treq.client import HTTPClient
    from twisted.web.client import Agent

    return HTTPClient(Agent(reactor))


def make_service(config: EngineConfig, reactor: Any, clock: IReactorTime | None = None,
                 decision_interval: float = 5.0) -> EngineService:
    """The whole engine; its ``startService`` fires once it serves, or fails having stopped what started."""
    return EngineService(config, reactor, clock, decision_interval)
