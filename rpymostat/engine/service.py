"""The engine as a Twisted service: storage, timeline, decisions, HTTP API and DNS-SD.

``make_service(config, reactor)`` builds it the same way for the console
script, the demo and end-to-end tests. Starting opens (and migrates) the
database, warns of secret files other users can read, creates the first
admin key on an empty database (or warns of a key file that does not match
it), resolves the schedules into the timeline, listens, advertises, then
starts commanding the relays and deciding (from the equipment's state as the
relays' reports and history give it, so a restart does not short-cycle);
stopping does the reverse, so a SIGTERM leaves no stale DNS-SD record, no
timer and a cleanly closed database.
"""

from __future__ import annotations

from typing import Any

from twisted.application.service import Service
from twisted.internet.defer import ensureDeferred, inlineCallbacks
from twisted.internet.interfaces import IReactorTime
from twisted.logger import Logger

from rpymostat.common.serving import guarded_site
from rpymostat.common.settings import interfaces_value
from rpymostat.config import EngineConfig
from rpymostat.engine.api.build import build_api
from rpymostat.engine.context import EngineContext
from rpymostat.engine.loop.decision_loop import DecisionLoop
from rpymostat.engine.plugin_settings import PluginSettings
from rpymostat.engine.reactions import Reactions
from rpymostat.engine.relays.commander import RelayCommander
from rpymostat.engine.relays.registry import RelayRegistry
from rpymostat.engine.relays.restore import restored_equipment
from rpymostat.engine.schedules.cache import TimelineCache
from rpymostat.history.levels import configured_levels
from rpymostat.history.maintenance import HistoryMaintenance
from rpymostat.security.keys import admin_key_file_problem, ensure_first_admin_key
from rpymostat.security.on_disk import open_secret_files
from rpymostat.store.opening import open_store
from rpymostat.version import VERSION

log = Logger()


class EngineService(Service):
    """One running engine.

    ``reactor`` does the networking; ``clock`` (the reactor itself unless
    given, a scaled clock in the demo) is the engine's "now" and runs every
    timer, so simulated time can run faster than real time.
    """

    def __init__(self, config: EngineConfig, reactor: Any, clock: IReactorTime | None = None,
                 decision_interval: float = 5.0) -> None:
        self.config = config
        self.reactor = reactor
        self.clock: IReactorTime = clock if clock is not None else reactor
        self.decision_interval = decision_interval
        self.context: EngineContext | None = None
        self.port: Any = None
        self.advertiser: Any = None
        self.timeline: TimelineCache | None = None
        self.history_maintenance: HistoryMaintenance | None = None
        self.relays: RelayCommander | None = None
        self.decision_loop: DecisionLoop | None = None
        self.reactions: Reactions | None = None
        self._starting: Any = None

    def startService(self):  # type: ignore[no-untyped-def]
        """Start; a stop that arrives meanwhile waits for the start to finish first."""
        Service.startService(self)
        self._starting = self._start()
        return self._starting

    @inlineCallbacks
    def _start(self):  # type: ignore[no-untyped-def]
        config, clock = self.config, self.clock
        store = yield open_store(config.db_uri, self.reactor)
        for wide in open_secret_files(config):
            log.warn("{advice}; it holds secrets (device secrets, API keys) that only the engine's user should "
                     "read", advice=wide.advice())
        self.context = EngineContext(store, clock, config)
        self.history_maintenance = HistoryMaintenance(store, configured_levels(config), clock)
        self.history_maintenance.start()
        key_file = yield ensure_first_admin_key(store, config.data_dir, clock.seconds())
        if key_file is not None:
            log.warn("First start: an admin API key was written to {path} (readable only by you). "
                     "Use it to sign in and to create other keys.", path=key_file)
        else:
            problem = yield admin_key_file_problem(store, config.data_dir)
            if problem is not None:
                log.warn("{problem}", problem=problem)
        plugins = PluginSettings(store)
        self.timeline = TimelineCache(store, clock, self.context.zone, plugins=plugins, events=self.context.events)
        yield self.timeline.start()
        self.relays = RelayCommander(RelayRegistry(store), store, clock, _http_client(self.reactor))
        equipment = yield ensureDeferred(restored_equipment(self.relays, clock.seconds()))
        timeline = self.timeline
        assert timeline is not None
        self.reactions = Reactions(self.context, lambda: timeline.limits.presets)
        yield ensureDeferred(self.reactions.load())
        self.reactions.start()
        self.decision_loop = DecisionLoop(self.context, self.timeline, self.relays, plugins,
                                          interval=self.decision_interval, equipment=equipment,
                                          reactions=self.reactions)
        api = build_api(self.context, self.timeline, self.relays, self.decision_loop, self.reactions)
        site = guarded_site(api.resource(), config.server_limits, self.reactor)
        self.port = self.reactor.listenTCP(config.port, site, interface=config.host)
        bound = self.port.getHost().port
        log.info("RPyMostat engine {version} serving on http://{host}:{port}/ with {backend}",
                 version=VERSION, host=config.host, port=bound, backend=store.backend_name)
        self.relays.start()
        self.decision_loop.start()
        if config.discovery:
            from rpymostat.common.discovery import ServiceAdvertiser

            interfaces = interfaces_value(config.discovery_interfaces)
            self.advertiser = ServiceAdvertiser(self.reactor, name=None, port=bound, addresses=None,
                                                interfaces=interfaces)
            yield self.advertiser.start()
            log.info("Advertised by DNS-SD as _rpymostat._tcp")

    @property
    def port_number(self) -> int:
        return int(self.port.getHost().port)

    @inlineCallbacks
    def stopService(self):  # type: ignore[no-untyped-def]
        Service.stopService(self)
        if self._starting is not None:
            try:
                yield self._starting
            except Exception:
                pass  # the start's own failure was reported by whoever started it
        if self.decision_loop is not None:
            self.decision_loop.stop()
            yield self.decision_loop.settled()
            self.decision_loop = None
        if self.reactions is not None:
            self.reactions.stop()
            self.reactions = None
        if self.relays is not None:
            self.relays.stop()
            self.relays = None
        if self.advertiser is not None:
            yield self.advertiser.stop()
            self.advertiser = None
        if self.port is not None:
            yield self.port.stopListening()
            self.port = None
        if self.timeline is not None:
            self.timeline.stop()
            self.timeline = None
        if self.history_maintenance is not None:
            self.history_maintenance.stop()
            self.history_maintenance = None
        if self.context is not None:
            yield self.context.store.close()
            self.context = None
            log.info("Database closed")


def _http_client(reactor: Any) -> Any:
    """treq over an Agent on this reactor, for the engine's commands to the control daemons."""
    from treq.client import HTTPClient
    from twisted.web.client import Agent

    return HTTPClient(Agent(reactor))


def make_service(config: EngineConfig, reactor: Any, clock: IReactorTime | None = None,
                 decision_interval: float = 5.0) -> EngineService:
    return EngineService(config, reactor, clock, decision_interval)
