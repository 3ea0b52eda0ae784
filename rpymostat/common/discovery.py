"""DNS-SD for RPyMostat: the engine advertises itself, daemons find it.

Shared by the engine and the daemons, so it imports only zeroconf (and its
own dependency ifaddr), Twisted and the standard library; zeroconf (some
3 MB resident) only once DNS-SD is used, so a daemon given the engine's URL
does without it.

python-zeroconf runs its own asyncio loop in a thread and blocks the caller
for registration (~1.6 s of probing and announcing), resolution and shutdown;
every such call is made with ``deferToThread``. Its browser calls back on yet
another thread; those callbacks hop onto the reactor with
``reactor.callFromThread`` before touching any state here.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

import ifaddr
from twisted.internet.defer import CancelledError, Deferred, DeferredLock, succeed
from twisted.internet.threads import deferToThreadPool
from twisted.logger import Logger
from twisted.python.failure import Failure

if TYPE_CHECKING:
    from types import ModuleType

    from zeroconf import InterfaceChoice, ServiceBrowser, ServiceInfo, ServiceStateChange, Zeroconf

from rpymostat.version import VERSION

SERVICE_TYPE = "_rpymostat._tcp.local."
API_VERSION = "v1"
API_PATH = "/v1"
RESOLVE_TIMEOUT_MS = 3000
MAX_INSTANCE_NAME_BYTES = 63

Interfaces = Literal["all"] | list[str]
ChangeCallback = Callable[[str | None], None]

log = Logger()


def _zeroconf() -> ModuleType:
    """python-zeroconf, imported when DNS-SD is first used."""
    import zeroconf

    return zeroconf


class LocatorStopped(Exception):
    """The locator was stopped before any engine was found."""


def _short_hostname(hostname: str | None) -> str:
    return (hostname if hostname is not None else socket.gethostname()).split(".")[0]


def default_service_name(hostname: str | None = None) -> str:
    """An instance name that differs from host to host, within DNS-SD's 63 bytes."""
    printable = " ".join(re.sub(r"[\x00-\x1f\x7f]", " ", _short_hostname(hostname)).split())
    name = f"RPyMostat engine on {printable or 'an unnamed host'}"
    return name.encode("utf-8")[:MAX_INSTANCE_NAME_BYTES].decode("utf-8", "ignore").rstrip()


def default_server_name(hostname: str | None = None) -> str:
    """A host name of our own, so we never contend with avahi for ``<host>.local.``.

    Reduced to letters, digits and hyphens so any host name gives a valid label.
    """
    label = re.sub(r"[^A-Za-z0-9-]+", "-", _short_hostname(hostname).encode("ascii", "ignore").decode())
    label = label.strip("-")[:MAX_INSTANCE_NAME_BYTES - len("-rpymostat")].strip("-") or "host"
    return f"{label}-rpymostat.local."


def engine_properties(extra: Mapping[str, str] | None = None, version: str = VERSION) -> dict[str, str]:
    """TXT properties of an engine; ``api`` and ``path`` are fixed and always win."""
    return {"version": version, **(extra or {}), "api": API_VERSION, "path": API_PATH}


def _explicit_interfaces(interfaces: list[str]) -> list[str]:
    if not interfaces:
        raise ValueError('interfaces must be "all" or a non-empty list of IPv4 addresses')
    return list(interfaces)


def zeroconf_interfaces(interfaces: Interfaces) -> InterfaceChoice | list[str]:
    """Translate our interface choice into zeroconf's."""
    return _zeroconf().InterfaceChoice.All if interfaces == "all" else _explicit_interfaces(interfaces)


def interface_addresses(interfaces: Interfaces) -> list[str]:
    """IPv4 addresses to advertise for an interface choice.

    With ``"all"``, loopback is left out unless it is all there is: a
    daemon on another machine can do nothing with 127.0.0.1.
    """
    if interfaces != "all":
        return _explicit_interfaces(interfaces)
    found = [
        str(ip.ip)
        for adapter in ifaddr.get_adapters()
        for ip in adapter.ips
        if ip.is_IPv4
    ]
    routable = [address for address in found if not ipaddress.ip_address(address).is_loopback]
    return sorted(set(routable or found))


def _new_zeroconf(interfaces: Interfaces) -> Zeroconf:
    return _zeroconf().Zeroconf(interfaces=zeroconf_interfaces(interfaces), ip_version=_zeroconf().IPVersion.V4Only)


def _defer_to_thread(reactor: Any, function: Callable[..., Any], *args: Any) -> Deferred:
    """``deferToThread`` on the given reactor rather than the global one."""
    return deferToThreadPool(reactor, reactor.getThreadPool(), function, *args)


class ServiceAdvertiser:
    """Keeps one ``_rpymostat._tcp`` service registered while the engine runs."""

    def __init__(
        self,
        reactor: Any,
        name: str | None,
        port: int,
        addresses: list[str] | None,
        interfaces: Interfaces,
        properties: Mapping[str, str] | None = None,
        *,
        server: str | None = None,
        service_type: str = SERVICE_TYPE,
    ) -> None:
        self._reactor = reactor
        self._service_type = service_type
        self._instance = name or default_service_name()
        self._port = port
        self._addresses = addresses
        self._interfaces = interfaces
        self._properties = engine_properties(properties)
        self._server = server or default_server_name()
        self._zeroconf: Zeroconf | None = None
        self._info: ServiceInfo | None = None
        # start, update and stop each span a thread hop; queueing them keeps a
        # SIGTERM during start-up from leaving a registration behind.
        self._lock = DeferredLock()

    @property
    def service_name(self) -> str:
        """The full service name; after ``start()`` it is the one actually registered."""
        return self._info.name if self._info else f"{self._instance}.{self._service_type}"

    def _build_info(self, name: str) -> ServiceInfo:
        return _zeroconf().ServiceInfo(
            self._service_type,
            name,
            port=self._port,
            properties=self._properties,
            server=self._server,
            parsed_addresses=self._addresses or interface_addresses(self._interfaces),
        )

    def start(self) -> Deferred:
        """Register the service; fires with the registered name.

        Another engine may already hold the name: zeroconf then picks a
        free variant, so two engines on one LAN both stay reachable.
        """
        return self._lock.run(self._start)

    def _start(self) -> Deferred:
        if self._zeroconf is not None:
            raise RuntimeError("advertiser already started")
        info = self._build_info(self.service_name)

        def register() -> Zeroconf:
            zc = _new_zeroconf(self._interfaces)
            try:
                zc.register_service(info, allow_name_change=True)
            except BaseException:
                zc.close()
                raise
            return zc

        def registered(zc: Zeroconf) -> str:
            self._zeroconf, self._info = zc, info
            log.info("advertising {name} on port {port} at {addresses}", name=info.name, port=self._port,
                     addresses=info.parsed_addresses())
            return info.name

        return _defer_to_thread(self._reactor, register).addCallback(registered)

    def update(self, port: int | None = None, addresses: list[str] | None = None) -> Deferred:
        """Re-announce a new port and/or address set under the same name.

        A port change is announced in place; an address change withdraws the
        service first, so browsers drop the old addresses from their caches
        instead of holding them until the TTL runs out.
        """
        return self._lock.run(self._update, port, addresses)

    def _update(self, port: int | None, addresses: list[str] | None) -> Deferred:
        if self._zeroconf is None or self._info is None:
            raise RuntimeError("advertiser not started")
        zc, old = self._zeroconf, self._info
        if port is not None:
            self._port = port
        moved = addresses is not None and sorted(addresses) != sorted(old.parsed_addresses())
        if addresses is not None:
            self._addresses = addresses
        info = self._build_info(old.name)

        def announce() -> None:
            if moved:
                zc.unregister_service(old)
                zc.register_service(info, allow_name_change=True)
            else:
                zc.update_service(info)

        def announced(_: None) -> None:
            self._info = info
            log.info("re-advertised {name} on port {port} at {addresses}", name=info.name,
                     port=self._port, addresses=info.parsed_addresses())

        return _defer_to_thread(self._reactor, announce).addCallback(announced)

    def stop(self) -> Deferred:
        """Withdraw the service (goodbye packets) and close zeroconf."""
        return self._lock.run(self._stop)

    def _stop(self) -> Deferred:
        zc, info = self._zeroconf, self._info
        self._zeroconf = self._info = None
        if zc is None:
            return succeed(None)

        def withdraw() -> None:
            try:
                if info is not None:
                    zc.unregister_service(info)
            finally:
                zc.close()

        return _defer_to_thread(self._reactor, withdraw).addCallback(
            lambda _: log.info("stopped advertising {name}", name=info.name if info else None)
        )


@dataclass(frozen=True)
class DiscoveredEngine:
    """One engine seen on the network."""

    name: str
    url: str
    properties: dict[str, str | None] = field(default_factory=dict)


class EngineLocator(Protocol):
    """How a daemon learns the engine's base URL, e.g. ``http://10.200.0.1:8088``."""

    def start(self) -> Deferred[None]:
        """Begin looking; fires once looking has begun (not when found)."""

    def stop(self) -> Deferred[None]:
        """Stop looking and release sockets and threads."""

    def current(self) -> str | None:
        """The engine's base URL as known now, or None."""

    def wait(self) -> Deferred[str]:
        """Fire with the base URL as soon as an engine is known."""

    def on_change(self, callback: ChangeCallback) -> Callable[[], None]:
        """Call ``callback(url_or_None)`` on every change; return an unsubscriber."""


class _UrlSubscriptions:
    """The part every locator shares: the current URL, its waiters and subscribers."""

    def __init__(self) -> None:
        self._url: str | None = None
        self._waiters: list[Deferred[str]] = []
        self._callbacks: list[ChangeCallback] = []

    def current(self) -> str | None:
        return self._url

    def wait(self) -> Deferred[str]:
        if self._url is not None:
            return succeed(self._url)
        waiter: Deferred[str] = Deferred(lambda d: self._waiters.remove(d))
        self._waiters.append(waiter)
        return waiter

    def on_change(self, callback: ChangeCallback) -> Callable[[], None]:
        self._callbacks.append(callback)
        return lambda: self._callbacks.remove(callback) if callback in self._callbacks else None

    def _set_url(self, url: str | None) -> None:
        if url == self._url:
            return
        self._url = url
        log.info("engine is now at {url}", url=url)
        for callback in list(self._callbacks):
            try:
                callback(url)
            except Exception:  # noqa: BLE001 - one broken subscriber must not starve the rest
                log.failure("engine change subscriber failed")
        if url is not None:
            waiters, self._waiters = self._waiters, []
            for waiter in waiters:
                waiter.callback(url)

    def _fail_waiters(self) -> None:
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            waiter.errback(LocatorStopped("engine locator stopped before an engine was found"))


class StaticLocator(_UrlSubscriptions):
    """A fixed engine URL (``RPYMOSTAT_ENGINE_URL``): no discovery at all."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self._set_url(url.rstrip("/"))

    def start(self) -> Deferred:
        return succeed(None)

    def stop(self) -> Deferred:
        return succeed(None)


def engine_url(info: ServiceInfo) -> str | None:
    """Base URL of a resolved service, preferring an IPv4 address."""
    if info.port is None:
        return None
    v4 = info.parsed_addresses(_zeroconf().IPVersion.V4Only)
    if v4:
        return f"http://{v4[0]}:{info.port}"
    v6 = info.parsed_addresses(_zeroconf().IPVersion.V6Only)
    if v6:
        return f"http://[{v6[0]}]:{info.port}"
    return None


class ZeroconfLocator(_UrlSubscriptions):
    """Finds engines by browsing ``_rpymostat._tcp`` and follows the chosen one.

    The chosen engine is kept while it is advertised (its URL is updated when
    its address or port changes); when it goes away the locator falls back to
    another engine speaking ``api=v1``, or to None.
    """

    def __init__(self, reactor: Any, interfaces: Interfaces, service_type: str = SERVICE_TYPE) -> None:
        super().__init__()
        self._reactor = reactor
        self._interfaces = interfaces
        self._service_type = service_type
        self._zeroconf: Zeroconf | None = None
        self._browser: ServiceBrowser | None = None
        self._engines: dict[str, DiscoveredEngine] = {}
        self._chosen: str | None = None
        self._generation: dict[str, int] = {}
        self._lock = DeferredLock()

    def current_engine(self) -> DiscoveredEngine | None:
        """The chosen engine with its name and TXT properties, or None."""
        return self._engines.get(self._chosen) if self._chosen else None

    def start(self) -> Deferred:
        return self._lock.run(self._start)

    def stop(self) -> Deferred:
        return self._lock.run(self._stop)

    def _start(self) -> Deferred:
        if self._zeroconf is not None:
            raise RuntimeError("locator already started")
        # Built here, not in a thread: it takes a few milliseconds, and browser
        # events can then be matched to this instance from the very first one.
        self._zeroconf = zc = _new_zeroconf(self._interfaces)

        def browse() -> None:
            self._browser = _zeroconf().ServiceBrowser(zc, self._service_type, handlers=[self._from_zeroconf_thread])

        return _defer_to_thread(self._reactor, browse)

    def _stop(self) -> Deferred:
        zc, browser = self._zeroconf, self._browser
        self._zeroconf = self._browser = None
        self._engines.clear()
        self._generation.clear()
        self._chosen = None
        self._set_url(None)
        self._fail_waiters()
        if zc is None:
            return succeed(None)

        def close() -> None:
            if browser is not None:
                browser.cancel()
            zc.close()

        return _defer_to_thread(self._reactor, close)

    def _from_zeroconf_thread(
        self, zeroconf: Zeroconf, service_type: str, name: str, state_change: ServiceStateChange
    ) -> None:
        self._reactor.callFromThread(self._service_changed, zeroconf, name, state_change)

    def _service_changed(self, zeroconf: Zeroconf, name: str, state_change: ServiceStateChange) -> None:
        if zeroconf is not self._zeroconf:
            return
        generation = self._generation.get(name, 0) + 1
        self._generation[name] = generation
        log.debug("{name}: {change}", name=name, change=state_change.name)
        if state_change is _zeroconf().ServiceStateChange.Removed:
            self._engines.pop(name, None)
            self._choose()
            return
        resolving = _defer_to_thread(
            self._reactor, zeroconf.get_service_info, self._service_type, name, RESOLVE_TIMEOUT_MS
        )
        resolving.addCallback(self._resolved, zeroconf, name, generation)
        resolving.addErrback(self._resolve_failed, zeroconf, name)

    def _resolved(self, info: ServiceInfo | None, zeroconf: Zeroconf, name: str, generation: int) -> None:
        if zeroconf is not self._zeroconf or self._generation.get(name) != generation:
            return
        url = engine_url(info) if info is not None else None
        if info is None or url is None:
            log.warn("{name} did not resolve to an address and port", name=name)  # noqa: G010 - twisted Logger
            return
        if info.decoded_properties.get("api") != API_VERSION:
            log.warn("ignoring {name}: it does not speak api={api}", name=name, api=API_VERSION)  # noqa: G010
            self._engines.pop(name, None)
        else:
            self._engines[name] = DiscoveredEngine(name, url, dict(info.decoded_properties))
        self._choose()

    def _resolve_failed(self, failure: Failure, zeroconf: Zeroconf, name: str) -> None:
        if zeroconf is self._zeroconf and not failure.check(CancelledError):
            log.failure("could not resolve {name}", failure, name=name)

    def _choose(self) -> None:
        if self._chosen not in self._engines:
            self._chosen = min(self._engines) if self._engines else None
        self._set_url(self._engines[self._chosen].url if self._chosen else None)
