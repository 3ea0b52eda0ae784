"""Serving HTTP to a LAN nobody vouches for: deadlines, body limits and a cap per client address.

Twisted's own idle timeout restarts on every byte, so a peer that trickles
a header byte now and then keeps its connection for ever, and about a
thousand such peers use up the process's file descriptors. The engine and
the control daemon therefore serve through a :class:`GuardedChannel`, which
gives each request a deadline for its request line and headers and another
for its body, refuses a body by its ``Content-Length`` before reading it
(and cuts off a body without one at the limit while it streams), behind a
cap on the connections one address may hold open at once. The control
daemon's API is one leaf resource, served by :func:`guarded_factory`
without ``twisted.web.server`` (whose sessions, remote objects and
templates cost a Pi some 1.6 MB for nothing); the engine's resource tree is
served by :func:`rpymostat.common.guarded_site.guarded_site`.

Refusals here happen before any resource sees the request, so they are
written directly as complete HTTP answers with the API's JSON error body.
Only the standard library and Twisted are used: the daemons import this.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from twisted.internet.interfaces import IAddress, IDelayedCall, IReactorTime
from twisted.internet.protocol import Protocol, connectionDone
from twisted.logger import Logger
from twisted.protocols.policies import ProtocolWrapper, WrappingFactory
from twisted.python.failure import Failure
from twisted.web.http import RESPONSES, HTTPChannel, HTTPFactory, Request
from twisted.web.resource import Resource

from rpymostat.common.json_api import body_too_large, encode_json, error_body
from rpymostat.common.settings import Setting, const, parse_float, parse_int
from rpymostat.common.verbosity import Verbosity

log = Logger()

DEFAULT_HEADER_TIMEOUT = 20.0
DEFAULT_BODY_TIMEOUT = 60.0
DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 64


@dataclass(frozen=True)
class ServerLimits:
    """What one client may ask of a server before it is cut off."""

    max_body_bytes: int
    header_timeout: float = DEFAULT_HEADER_TIMEOUT
    body_timeout: float = DEFAULT_BODY_TIMEOUT
    max_connections_per_address: int = DEFAULT_MAX_CONNECTIONS_PER_ADDRESS


def limit_settings(make: Callable[[str, Callable[[str], Any], Callable[[], str], str], Setting]
                   ) -> tuple[Setting, ...]:
    """The settings of :class:`ServerLimits` but the body size, worded once for the engine and the control daemon.

    ``make(attribute, parse, default, description)`` builds a row with the
    caller's prefix for its environment variables.
    """
    return (
        make("header_timeout", parse_float(1, 3600), const(f"{DEFAULT_HEADER_TIMEOUT:g}"),
             "Seconds a client has to send a request's line and headers, counted from when the server is ready "
             "for it (a silent keep-alive connection is closed then; a half-sent request gets 408)."),
        make("body_timeout", parse_float(1, 3600), const(f"{DEFAULT_BODY_TIMEOUT:g}"),
             "Seconds a client has to send a request's body once its headers are in; later, 408."),
        make("max_connections_per_address", parse_int(1, 100000), const(str(DEFAULT_MAX_CONNECTIONS_PER_ADDRESS)),
             "Connections one client IP address may hold open at once; more are answered 503 and closed."),
    )


def error_answer(code: int, message: str, extra_headers: dict[str, str] | None = None) -> bytes:
    """A whole HTTP/1.1 answer with a JSON error body, after which the server closes the connection."""
    body = encode_json(error_body(message, code))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "Content-Length": str(len(body)),
        "Cache-Control": "no-store",
        "Connection": "close",
        **(extra_headers or {}),
    }
    head = f"HTTP/1.1 {code} {RESPONSES.get(code, b'Error').decode('ascii')}\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return head.encode("ascii") + b"\r\n" + body


def body_chunk_accepted(request: Any, data: bytes) -> bool:
    """Whether a chunk of a request's body is within its channel's limit (counted here)."""
    channel = request.channel
    return not isinstance(channel, GuardedChannel) or channel.accept_body_bytes(len(data))


class RoutedRequest(Request):
    """A request answered by its factory's one leaf resource, with no traversal, sessions or error pages.

    The resource's ``render`` sets the status and headers and returns the
    whole body, whose length goes in ``Content-Length`` (as
    ``twisted.web.server`` would), so the answer is one write, not chunks.
    A HEAD answer keeps the length its resource gave and has no body.
    """

    def handleContentChunk(self, data: bytes) -> None:
        if body_chunk_accepted(self, data):
            super().handleContentChunk(data)

    def process(self) -> None:
        body = self.channel.factory.resource.render(self)  # type: ignore[union-attr]
        if not self.responseHeaders.hasHeader(b"content-length"):
            self.setHeader(b"content-length", b"%d" % len(body))
        self.write(body)
        self.finish()


class GuardedChannel(HTTPChannel):
    """An HTTP channel with a deadline per request phase and a body limit.

    The header deadline runs from the moment the channel is ready for a
    request (connection made, or the previous answer sent) until the blank
    line after the headers; the body deadline from there until the last
    body byte. Neither restarts when a byte arrives. A connection that
    stays silent past the header deadline is simply closed (an idle
    keep-alive connection); one caught half-way gets a 408.
    """

    limits: ServerLimits
    _deadline: IDelayedCall | None = None
    _awaiting_headers = False
    _heard = False
    _refused = False
    _body_bytes = 0

    _host: IAddress | None = None

    def connectionMade(self) -> None:
        super().connectionMade()
        self._await_request()

    def getHost(self) -> IAddress:
        """The local address, asked of the socket once per connection rather than once per request."""
        if self._host is None:
            self._host = super().getHost()
        return self._host

    def dataReceived(self, data: bytes) -> None:
        if self._refused:
            return
        if data and self._awaiting_headers:
            self._heard = True
        super().dataReceived(data)

    def allHeadersReceived(self) -> None:
        self._cancel_deadline()
        self._awaiting_headers = False
        if self.length is not None and self.length > self.limits.max_body_bytes:
            self._refuse(413, body_too_large(self.limits.max_body_bytes))
            return
        self._body_bytes = 0
        super().allHeadersReceived()
        if self.length != 0:
            self._set_deadline(self.limits.body_timeout, self._body_too_slow)

    def accept_body_bytes(self, count: int) -> bool:
        """Count body bytes as they arrive; False (and a 413) once past the limit."""
        if self._refused:
            return False
        self._body_bytes += count
        if self._body_bytes > self.limits.max_body_bytes:
            self._refuse(413, body_too_large(self.limits.max_body_bytes))
            return False
        return True

    def allContentReceived(self) -> None:
        if self._refused:
            return
        self._cancel_deadline()
        super().allContentReceived()

    def _respondToBadRequestAndDisconnect(self) -> None:
        # The rest of a refused request's bytes may be malformed; it has had its one answer.
        if not self._refused:
            super()._respondToBadRequestAndDisconnect()

    def requestDone(self, request: Any) -> None:
        # Before the parent replays pipelined bytes, which may be the next request.
        if self.persistent:
            self._await_request()
        super().requestDone(request)

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self._cancel_deadline()
        super().connectionLost(reason)

    def _await_request(self) -> None:
        self._awaiting_headers = True
        self._heard = False
        self._set_deadline(self.limits.header_timeout, self._headers_too_slow)

    def _headers_too_slow(self) -> None:
        self._deadline = None
        if not self._heard:
            self.loseConnection()
            return
        log.info("Closing {peer}: its request line and headers took over {seconds:g} s", peer=_peer(self),
                 seconds=self.limits.header_timeout)
        self._refuse(408, f"the request line and headers did not arrive within {self.limits.header_timeout:g} s")

    def _body_too_slow(self) -> None:
        self._deadline = None
        log.info("Closing {peer}: its request body took over {seconds:g} s", peer=_peer(self),
                 seconds=self.limits.body_timeout)
        self._refuse(408, f"the request body did not arrive within {self.limits.body_timeout:g} s")

    def _refuse(self, code: int, message: str) -> None:
        """Answer before any resource has seen the request, then close; abort if the peer does not let go."""
        self._refused = True
        self._cancel_deadline()
        assert self.transport is not None
        self.transport.write(error_answer(code, message))
        self.loseConnection()
        if self._abortingCall is None:
            self._abortingCall = self.callLater(self.abortTimeout, self.forceAbortClient)

    def _set_deadline(self, seconds: float, expire: Any) -> None:
        self._cancel_deadline()
        self._deadline = self.callLater(seconds, expire)

    def _cancel_deadline(self) -> None:
        if self._deadline is not None and self._deadline.active():
            self._deadline.cancel()
        self._deadline = None


def _peer(channel: HTTPChannel) -> str:
    transport = channel.transport
    return str(transport.getPeer()) if transport is not None else "a closed connection"


class GuardedHTTPFactory(HTTPFactory):
    """Guarded channels whose requests go straight to one leaf resource."""

    protocol = GuardedChannel  # type: ignore[assignment]  # a plain HTTP/1.1 channel: no TLS, so no HTTP/2

    def __init__(self, resource: Resource, limits: ServerLimits, reactor: IReactorTime) -> None:
        super().__init__(reactor=reactor)
        self.resource = resource
        self.limits = limits

    def buildProtocol(self, addr: IAddress | None) -> Any:
        channel: Any = super().buildProtocol(addr)
        channel.limits = self.limits
        channel.requestFactory = RoutedRequest
        return channel

    def log(self, request: Any) -> None:
        """Twisted's access-log line, only when it is shown (``-vv``)."""
        if Verbosity.level >= 2:
            super().log(request)


class _TooManyConnections(Protocol):
    """Says 503 to a connection over its address's cap, and closes it."""

    def __init__(self, limit: int) -> None:
        self.limit = limit

    def connectionMade(self) -> None:
        assert self.transport is not None
        self.transport.write(error_answer(
            503, f"this address already has {self.limit} connections open; close some and try again",
            {"Retry-After": "5"}))
        self.transport.loseConnection()


class PerAddressCap(WrappingFactory):
    """At most ``limit`` connections open at once from each client IP address.

    Counting lives in the wrapper, not in the HTTP channel, so a connection
    that a WebSocket takes over is still counted until it closes.
    """

    def __init__(self, wrapped: Any, limit: int) -> None:
        super().__init__(wrapped)
        self.limit = limit
        self.open: Counter[str] = Counter()
        self._hosts: dict[ProtocolWrapper, str] = {}
        self._warned: set[str] = set()

    def buildProtocol(self, addr: IAddress | None) -> Any:
        host = getattr(addr, "host", None)
        if isinstance(host, str) and self.open[host] >= self.limit:
            if host not in self._warned:
                self._warned.add(host)
                log.warn("{host} holds {limit} connections; refusing more from it until some close",
                         host=host, limit=self.limit)
            return _TooManyConnections(self.limit)
        wrapper = super().buildProtocol(addr)
        if isinstance(host, str):
            self.open[host] += 1
            self._hosts[wrapper] = host
        return wrapper

    def unregisterProtocol(self, p: Any) -> None:
        super().unregisterProtocol(p)
        host = self._hosts.pop(p, None)
        if host is not None:
            self.open[host] -= 1
            if self.open[host] < self.limit:
                self._warned.discard(host)
            if self.open[host] <= 0:
                del self.open[host]


def guarded_factory(resource: Resource, limits: ServerLimits, reactor: IReactorTime) -> PerAddressCap:
    """The factory a daemon listens with: ``resource`` (a leaf) behind every guard of this module.

    ``reactor`` times the deadlines; it is the real reactor in production
    (network deadlines are about real time, whatever the daemon's clock).
    """
    return PerAddressCap(GuardedHTTPFactory(resource, limits, reactor), limits.max_connections_per_address)
