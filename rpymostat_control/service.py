"""The control daemon as a Twisted service.

``make_service(config, reactor)`` builds it the same way for the console
script, the demo and tests. Starting opens the spool of relay events,
claims the relays (every one off), arms the failsafe, serves the daemon's
API, then finds the engine, registers and reports; stopping turns every
relay off first, whatever else then fails, and keeps in the spool what the
engine has not acknowledged.
"""

from __future__ import annotations

from typing import Any

from twisted.application.service import MultiService, Service
from twisted.internet.defer import Deferred, inlineCallbacks
from twisted.logger import Logger

from rpymostat.common.discovery import EngineLocator, StaticLocator, ZeroconfLocator, interface_addresses
from rpymostat.common.hostinfo import host_info
from rpymostat.common.http import AgentClient, SignedJsonClient
from rpymostat.common.secret_file import load_or_create_secret
from rpymostat.common.serving import guarded_site
from rpymostat.common.settings import interfaces_value
from rpymostat.common.signing import fingerprint
from rpymostat.common.spool import BlockingRunner, thread_runner
from rpymostat.version import VERSION
from rpymostat_control.api import MAX_BODY_BYTES, ControlAPI
from rpymostat_control.backends import open_relays
from rpymostat_control.config import ControlConfig
from rpymostat_control.controller import Controller
from rpymostat_control.enrolment import Enrolment
from rpymostat_control.relays.base import make_relay_id
from rpymostat_control.relays.sim import RelayListener
from rpymostat_control.reporter import Reporter
from rpymostat_control.spool import EventSpool

log = Logger()

WILDCARD_HOSTS = ("", "0.0.0.0", "::")
CONTROL_SERVICE_NAME = "control"


def advertised_url(config: ControlConfig, bound_port: int) -> str:
    """The URL the engine should use: the configured one, else this host's address and the bound port."""
    if config.url:
        return config.url
    if config.host not in WILDCARD_HOSTS:
        return f"http://{config.host}:{bound_port}"
    addresses = interface_addresses(interfaces_value(config.discovery_interfaces))  # type: ignore[arg-type]
    return f"http://{addresses[0] if addresses else '127.0.0.1'}:{bound_port}"


class ControlService(Service):
    """One running control daemon."""

    def __init__(self, config: ControlConfig, reactor: Any, pin_factory: Any = None, http: Any = None,
                 locator: EngineLocator | None = None, relay_listener: RelayListener | None = None,
                 clock: Any = None, runner: BlockingRunner | None = None) -> None:
        self.config = config
        self.reactor = reactor
        self.clock = clock if clock is not None else reactor
        self.runner = runner if runner is not None else thread_runner(reactor)
        self._pin_factory = pin_factory
        self._http = http
        self._relay_listener = relay_listener
        self.locator = locator
        self.controller: Controller | None = None
        self.api: ControlAPI | None = None
        self.enrolment: Enrolment | None = None
        self.reporter: Reporter | None = None
        self.spool: EventSpool | None = None
        self.port: Any = None
        self.started: Deferred[None] | None = None

    def startService(self) -> Deferred[None]:
        """Start; the same Deferred is kept as :attr:`started` for the runner to watch."""
        Service.startService(self)
        self.started = self._start()
        return self.started

    @inlineCallbacks
    def _start(self):  # type: ignore[no-untyped-def]
        config = self.config
        if not config.relays:
            raise ValueError("no relays declared; set RPYMOSTAT_CONTROL_RELAYS, e.g. heat=17,cool=27,fan=22!")
        try:
            self.spool = yield EventSpool.open(config.spool, config.spool_max, runner=self.runner)
        except Exception as exc:
            raise ValueError(f"cannot open the spool of relay events {config.spool} ({exc}); make its directory "
                             "writable by the daemon's user or set RPYMOSTAT_CONTROL_SPOOL") from exc
        waiting = yield self.spool.count()
        dropped = yield self.spool.dropped()
        opened = open_relays(config.backend, config.host_id, config.relays, self._pin_factory, self._relay_listener)
        functions = {make_relay_id(config.host_id, spec.name): spec.suggested_function
                     for spec in config.relays if spec.suggested_function is not None}
        _warn_unprotected(config)
        self.controller = Controller(opened.relays, functions, self.clock, config.failsafe, config.min_off,
                                     opened.pin_level)
        self.controller.start()
        if config.secret:
            secret, kind = config.secret, "pre-shared"
        else:
            secret, made = load_or_create_secret(config.secret_file, "RPYMOSTAT_CONTROL_SECRET_FILE")
            kind = f"{'made and ' if made else ''}kept in {config.secret_file}"
        log.info("Control daemon {version} for host {host_id}: {count} relays, all off; failsafe {failsafe:g} s; "
                 "secret {kind} (fingerprint {fingerprint})", version=VERSION, host_id=config.host_id,
                 count=len(opened.relays), failsafe=config.failsafe, kind=kind, fingerprint=fingerprint(secret))
        self.api = ControlAPI(self.controller, config.host_id, secret, self.clock, config.signature_window,
                              engine_state=self._engine_state)
        site = guarded_site(self.api.resource(), config.server_limits(MAX_BODY_BYTES), self.reactor)
        self.port = self.reactor.listenTCP(config.port, site, interface=config.host)
        own_url = advertised_url(config, self.port.getHost().port)
        log.info("Serving the control API on {url}", url=own_url)
        if self.locator is None:
            self.locator = (StaticLocator(config.engine_url) if config.engine_url
                            else ZeroconfLocator(self.reactor, interfaces_value(config.discovery_interfaces)))
        client = SignedJsonClient(self._http if self._http is not None else _http_client(self.reactor),
                                  self.clock, config.host_id, secret)
        self.enrolment = Enrolment(client, self.locator, self.clock, own_url, info=host_info())
        # Built before anything waits, so every event from the first command on is spooled.
        self.reporter = Reporter(client, self.enrolment, self.controller, self.clock, self.spool,
                                 interval=min(30.0, max(1.0, config.failsafe / 3)))
        log.info("{waiting} relay events wait in {spool} for the engine ({dropped} dropped so far)",
                 waiting=waiting, spool=config.spool, dropped=dropped)
        yield self.locator.start()
        self.reporter.start()

    def _engine_state(self) -> dict[str, Any]:
        if self.enrolment is None:
            return {"url": None, "enrolment": "starting"}
        return self.enrolment.describe()

    @inlineCallbacks
    def stopService(self):  # type: ignore[no-untyped-def]
        Service.stopService(self)
        if self.controller is not None:
            self.controller.close()
            log.info("Every relay is off and released")
        if self.reporter is not None:
            self.reporter.stop()
        if self.enrolment is not None:
            self.enrolment.stop()
        if self.port is not None:
            yield self.port.stopListening()
            self.port = None
        if self.locator is not None:
            yield self.locator.stop()
        if self.spool is not None:
            # After the last events (the relays turned off above): the spool runs calls in order.
            yield self.spool.close()
            self.spool = None


def _warn_unprotected(config: ControlConfig) -> None:
    """The safety rules go by a relay's name; say so at start for each relay a name does not cover."""
    for spec in config.relays:
        if spec.suggested_function is None:
            log.warn("Relay {relay_id} is named after no function, so the interlock and the minimum off time do "
                     "not apply to it (and the engine will not give it heat or cool); if it switches heating, "
                     "cooling, the fan or auxiliary heat, declare it as heat={pin}, cool={pin}, fan={pin} or "
                     "aux={pin} in RPYMOSTAT_CONTROL_RELAYS", relay_id=make_relay_id(config.host_id, spec.name),
                     pin=spec.declared_pin)


def _http_client(reactor: Any) -> Any:
    from twisted.web.client import Agent

    return AgentClient(Agent(reactor))


def make_service(config: ControlConfig, reactor: Any, *, pin_factory: Any = None, http: Any = None,
                 locator: EngineLocator | None = None, relay_listener: RelayListener | None = None,
                 clock: Any = None, runner: BlockingRunner | None = None) -> MultiService:
    """The whole daemon; tests pass a pin factory, an HTTP client, a locator or a runner of their own.

    ``reactor`` does the networking and (unless ``runner`` is given) runs
    the spool's blocking calls on its thread pool; ``clock`` (the reactor
    unless given; a scaled clock in the demo) times the failsafe, reports
    and signatures.
    """
    top = MultiService()
    control = ControlService(config, reactor, pin_factory, http, locator, relay_listener, clock, runner)
    control.setName(CONTROL_SERVICE_NAME)
    control.setServiceParent(top)
    return top
