"""The engine as a Twisted service: storage, HTTP API and DNS-SD advertisement.

``make_service(config, reactor)`` builds it the same way for the console
script, the demo and end-to-end tests. Starting opens (and migrates) the
database, creates the first admin key on an empty database, listens, then
advertises; stopping does the reverse, so a SIGTERM leaves no stale DNS-SD
record and a cleanly closed database.
"""

from __future__ import annotations

from typing import Any

from twisted.application.service import Service
from twisted.internet.defer import inlineCallbacks
from twisted.logger import Logger
from twisted.web.server import Site

from rpymostat.common.settings import interfaces_value
from rpymostat.config import EngineConfig
from rpymostat.engine.api.build import build_api
from rpymostat.engine.context import EngineContext
from rpymostat.engine.relays.commander import RelayCommander
from rpymostat.engine.relays.registry import RelayRegistry
from rpymostat.security.keys import ensure_first_admin_key
from rpymostat.store.opening import open_store
from rpymostat.version import VERSION

log = Logger()


class EngineService(Service):
    """One running engine."""

    def __init__(self, config: EngineConfig, reactor: Any) -> None:
        self.config = config
        self.reactor = reactor
        self.context: EngineContext | None = None
        self.port: Any = None
        self.advertiser: Any = None
        self.relays: RelayCommander | None = None

    @inlineCallbacks
    def startService(self):  # type: ignore[no-untyped-def]
        Service.startService(self)
        config = self.config
        store = yield open_store(config.db_uri, self.reactor)
        self.context = EngineContext(store, self.reactor, config)
        key_file = yield ensure_first_admin_key(store, config.data_dir, self.reactor.seconds())
        if key_file is not None:
            log.warn("First start: an admin API key was written to {path} (readable only by you). "
                     "Use it to sign in and to create other keys.", path=key_file)
        self.relays = RelayCommander(RelayRegistry(store), store, self.reactor, _http_client(self.reactor))
        api = build_api(self.context, relays=self.relays)
        site = Site(api.resource())
        site.displayTracebacks = False
        self.port = self.reactor.listenTCP(config.port, site, interface=config.host)
        bound = self.port.getHost().port
        log.info("RPyMostat engine {version} serving on http://{host}:{port}/ with {backend}",
                 version=VERSION, host=config.host, port=bound, backend=store.backend_name)
        if config.discovery:
            from rpymostat.common.discovery import ServiceAdvertiser

            interfaces = interfaces_value(config.discovery_interfaces)
            self.advertiser = ServiceAdvertiser(self.reactor, name=None, port=bound, addresses=None,
                                                interfaces=interfaces)
            yield self.advertiser.start()
            log.info("Advertised by DNS-SD as _rpymostat._tcp")
        self.relays.start()

    @inlineCallbacks
    def stopService(self):  # type: ignore[no-untyped-def]
        Service.stopService(self)
        if self.relays is not None:
            self.relays.stop()
            self.relays = None
        if self.advertiser is not None:
            yield self.advertiser.stop()
            self.advertiser = None
        if self.port is not None:
            yield self.port.stopListening()
            self.port = None
        if self.context is not None:
            yield self.context.store.close()
            log.info("Database closed")


def _http_client(reactor: Any) -> Any:
    """treq over an Agent on this reactor, for the engine's commands to the control daemons."""
    from treq.client import HTTPClient
    from twisted.web.client import Agent

    return HTTPClient(Agent(reactor))


def make_service(config: EngineConfig, reactor: Any) -> EngineService:
    return EngineService(config, reactor)
