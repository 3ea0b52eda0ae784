"""The control daemon as a tree of Twisted services.

``make_service(config, reactor)`` builds it the same way for the console
script, the demo and tests. The tree (children start top to bottom, each
once the one above has started, and stop bottom to top)::

    control                 Opened: the spool of relay events ... closed last, after the relays' last events
    ├── relays              claimed, every one off, failsafe armed ... every relay off and released
    ├── http                the daemon's API, served to the engine
    └── engine link         Opened: the URL the engine should call us on (known once listening)
        ├── locator         finding the engine (DNS-SD, or RPYMOSTAT_ENGINE_URL)
        └── reporter        registering, then reporting relay events and states

So a stop first stops talking to the engine, then stops taking commands,
then turns every relay off (whatever failed before), and keeps in the
spool what the engine has not acknowledged; a part that fails to start
stops the parts already started (a spool that cannot be opened claims no
relay).
"""

from __future__ import annotations

from typing import Any

from twisted.internet.defer import ensureDeferred
from twisted.logger import Logger

from rpymostat.common.discovery import EngineLocator, StaticLocator, ZeroconfLocator, interface_addresses
from rpymostat.common.hostinfo import host_info
from rpymostat.common.http import AgentClient, SignedJsonClient
from rpymostat.common.secret_file import load_or_create_secret
from rpymostat.common.service_tree import InOrder, Listening, Opened, Step
from rpymostat.common.serving import guarded_factory
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


class Parts:
    """What the caller gives (or the defaults): pins, HTTP client, locator, relay listener, clock, runner."""

    def __init__(self, reactor: Any, pin_factory: Any, http: Any, locator: EngineLocator | None,
                 relay_listener: RelayListener | None, clock: Any, runner: BlockingRunner | None) -> None:
        self.reactor = reactor
        self.pin_factory = pin_factory
        self.http = http
        self.locator = locator
        self.relay_listener = relay_listener
        self.clock = clock if clock is not None else reactor
        self.runner = runner if runner is not None else thread_runner(reactor)


class Running(InOrder):
    """The daemon once its spool is open: relays, API and the link to the engine."""

    def __init__(self, config: ControlConfig, parts: Parts, spool: EventSpool) -> None:
        super().__init__()
        opened = open_relays(config.backend, config.host_id, config.relays, parts.pin_factory, parts.relay_listener)
        functions = {make_relay_id(config.host_id, spec.name): spec.suggested_function
                     for spec in config.relays if spec.suggested_function is not None}
        self.controller = Controller(opened.relays, functions, parts.clock, config.failsafe, config.min_off,
                                     opened.pin_level)
        if config.secret:
            secret, kind = config.secret, "pre-shared"
        else:
            secret, made = load_or_create_secret(config.secret_file, "RPYMOSTAT_CONTROL_SECRET_FILE")
            kind = f"{'made and ' if made else ''}kept in {config.secret_file}"
        Step("relays", lambda: self._claim(config, len(opened.relays), kind, secret),
             self._release).setServiceParent(self)
        self.api = ControlAPI(self.controller, config.host_id, secret, parts.clock, config.signature_window,
                              engine_state=self._engine_state)
        serving = guarded_factory(self.api.resource(), config.server_limits(MAX_BODY_BYTES), parts.reactor)
        self.listener = Listening(parts.reactor, config.port, serving, config.host)
        self.listener.setServiceParent(self)
        self.link: Opened[str] = Opened("engine link", lambda: self._own_url(config),
                                        lambda url: Link(config, parts, self.controller, spool, secret, url))
        self.link.setServiceParent(self)

    def _claim(self, config: ControlConfig, count: int, kind: str, secret: str) -> None:
        _warn_unprotected(config)
        self.controller.start()
        log.info("Control daemon {version} for host {host_id}: {count} relays, all off; failsafe {failsafe:g} s; "
                 "secret {kind} (fingerprint {fingerprint})", version=VERSION, host_id=config.host_id,
                 count=count, failsafe=config.failsafe, kind=kind, fingerprint=fingerprint(secret))

    def _release(self) -> None:
        self.controller.close()
        log.info("Every relay is off and released")

    async def _own_url(self, config: ControlConfig) -> str:
        url = advertised_url(config, self.listener.port)
        log.info("Serving the control API on {url}", url=url)
        return url

    def _engine_state(self) -> dict[str, Any]:
        link = self.link.built
        if not isinstance(link, Link):
            return {"url": None, "enrolment": "starting"}
        return link.enrolment.describe()


class Link(InOrder):
    """Finding the engine, registering with it and reporting to it, as the daemon at ``own_url``."""

    def __init__(self, config: ControlConfig, parts: Parts, controller: Controller, spool: EventSpool, secret: str,
                 own_url: str) -> None:
        super().__init__()
        locator = parts.locator if parts.locator is not None else (
            StaticLocator(config.engine_url) if config.engine_url
            else ZeroconfLocator(parts.reactor, interfaces_value(config.discovery_interfaces)))  # type: ignore[arg-type]
        client = SignedJsonClient(parts.http if parts.http is not None else _http_client(parts.reactor),
                                  parts.clock, config.host_id, secret)
        self.enrolment = Enrolment(client, locator, parts.clock, own_url, info=host_info())
        # Built before anything waits, so every event from the first command on is spooled.
        self.reporter = Reporter(client, self.enrolment, controller, parts.clock, spool,
                                 interval=min(30.0, max(1.0, config.failsafe / 3)))
        Step("locator", locator.start, locator.stop).setServiceParent(self)
        Step("reporter", self.reporter.start, self._stop_reporting).setServiceParent(self)
        if config.metrics_port is not None:
            from rpymostat_control.metrics import metrics_listener

            metrics_listener(parts.reactor, config.metrics_host, config.metrics_port, controller, self.reporter,
                             spool).setServiceParent(self)

    def _stop_reporting(self) -> None:
        self.reporter.stop()
        self.enrolment.stop()


class ControlService(Opened[EventSpool]):
    """One running control daemon: the spool, and once it is open, everything that uses it."""

    def __init__(self, config: ControlConfig, parts: Parts) -> None:
        if not config.relays:
            raise ValueError("no relays declared; set RPYMOSTAT_CONTROL_RELAYS, e.g. heat=17,cool=27,fan=22!")
        self.config = config
        super().__init__(CONTROL_SERVICE_NAME, lambda: ensureDeferred(_open_spool(config, parts.runner)),
                         lambda spool: Running(config, parts, spool), _close_spool)

    @property
    def controller(self) -> Controller | None:
        return self.built.controller if isinstance(self.built, Running) else None

    @property
    def api(self) -> ControlAPI | None:
        return self.built.api if isinstance(self.built, Running) else None

    @property
    def reporter(self) -> Reporter | None:
        link = self.built.link.built if isinstance(self.built, Running) else None
        return link.reporter if isinstance(link, Link) else None

    @property
    def spool(self) -> EventSpool | None:
        return self.opened


async def _open_spool(config: ControlConfig, runner: BlockingRunner) -> EventSpool:
    try:
        spool = await EventSpool.open(config.spool, config.spool_max, runner=runner)
    except Exception as exc:
        raise ValueError(f"cannot open the spool of relay events {config.spool} ({exc}); make its directory "
                         "writable by the daemon's user or set RPYMOSTAT_CONTROL_SPOOL") from exc
    log.info("{waiting} relay events wait in {spool} for the engine ({dropped} dropped so far)",
             waiting=await spool.count(), spool=config.spool, dropped=await spool.dropped())
    return spool


async def _close_spool(spool: EventSpool) -> None:
    # After the last events (the relays turned off before): the spool runs calls in order.
    await spool.close()


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
                 clock: Any = None, runner: BlockingRunner | None = None) -> ControlService:
    """The whole daemon; tests pass a pin factory, an HTTP client, a locator or a runner of their own.

    ``reactor`` does the networking and (unless ``runner`` is given) runs
    the spool's blocking calls on its thread pool; ``clock`` (the reactor
    unless given; a scaled clock in the demo) times the failsafe, reports
    and signatures. Its ``startService`` fires once the daemon serves, or
    fails having stopped what had started.
    """
    return ControlService(config, Parts(reactor, pin_factory, http, locator, relay_listener, clock, runner))
