"""A small JSON client for signed requests between devices and the engine.

The sensor and control daemons use it to talk to the engine, and the engine
uses it to command control daemons. The HTTP client and the clock are
passed in, so tests can point it at a real peer's resource through
``treq.testing.StubTreq`` or at a real socket. The daemons pass an
:class:`AgentClient`, plain Twisted: treq would bring Twisted's TLS extra
(pyOpenSSL and cryptography, some 13 MB resident and a package a Pi Zero
may have to compile) to speak plain HTTP on the LAN.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from io import BytesIO
from typing import Any, cast

from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IPushProducer, IReactorTime
from twisted.internet.protocol import Protocol, connectionDone
from twisted.python.failure import Failure
from twisted.web.client import FileBodyProducer, ResponseDone
from twisted.web.http import PotentialDataLoss
from twisted.web.http_headers import Headers
from twisted.web.iweb import IAgent, IResponse

from rpymostat.common.signing import sign_request
from rpymostat.common.timeutil import time_scale

DEFAULT_TIMEOUT = 10.0


@dataclass(frozen=True)
class JsonResponse:
    """A peer's answer: status code and decoded JSON (None when the body was not JSON)."""

    code: int
    body: Any

    @property
    def error(self) -> str:
        if isinstance(self.body, dict) and isinstance(self.body.get("error"), str):
            return self.body["error"]
        return f"HTTP {self.code}"


class _BodyCollector(Protocol):
    """Gathers a response body; ``done`` fires with it, or fails if the connection broke."""

    def __init__(self, done: Deferred[bytes]) -> None:
        self._done = done
        self._parts: list[bytes] = []

    def dataReceived(self, data: bytes) -> None:
        self._parts.append(data)

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        if self._done.called:
            return
        if reason.check(ResponseDone, PotentialDataLoss):
            self._done.callback(b"".join(self._parts))
        else:
            self._done.errback(reason)


class AgentResponse:
    """The part of a treq response :class:`SignedJsonClient` reads: the status code and the body."""

    def __init__(self, response: IResponse) -> None:
        self._response = response
        self.code: int = response.code

    def content(self) -> Deferred[bytes]:
        """The whole body; cancelling it (the client's timeout) drops the connection."""
        collector: _BodyCollector | None = None

        def cancel(_: Deferred[bytes]) -> None:
            if collector is not None and collector.transport is not None:
                cast(IPushProducer, collector.transport).stopProducing()  # what deliverBody gives

        done: Deferred[bytes] = Deferred(cancel)
        collector = _BodyCollector(done)
        self._response.deliverBody(collector)
        return done


class AgentClient:
    """The one call of treq's ``HTTPClient`` the signed client makes, on a plain Twisted ``Agent``."""

    def __init__(self, agent: IAgent) -> None:
        self._agent = agent

    def request(self, method: str, url: str, data: bytes | None = None,
                headers: dict[str, list[str]] | None = None) -> Deferred[AgentResponse]:
        body = None if data is None else FileBodyProducer(BytesIO(data))
        sent = self._agent.request(method.encode("ascii"), url.encode("utf-8"), Headers(headers or {}), body)
        return sent.addCallback(AgentResponse)


class SignedJsonClient:
    """Signs every request as one device (or as the engine) with its secret."""

    def __init__(self, http: Any, clock: IReactorTime, device_id: str, secret: str,
                 timeout: float = DEFAULT_TIMEOUT) -> None:
        self.http = http
        self.clock = clock
        self.device_id = device_id
        self.secret = secret
        self.timeout = timeout

    async def request(self, method: str, base_url: str, path: str, body: Any = None,
                      extra_headers: dict[str, str] | None = None) -> JsonResponse:
        """Send one signed request; raises on connection failure or timeout."""
        data = b"" if body is None else json.dumps(body, allow_nan=False).encode("utf-8")
        headers = sign_request(self.device_id, self.secret, method, path, data, self.clock.seconds())
        if body is not None:
            headers["Content-Type"] = "application/json"
        headers.update(extra_headers or {})
        sent: Deferred = self.http.request(
            method, base_url.rstrip("/") + path, data=data or None,
            headers={k: [v] for k, v in headers.items()},
        )
        timeout = self.timeout * time_scale(self.clock)
        sent.addTimeout(timeout, self.clock)
        response = await sent
        read: Deferred = response.content()
        read.addTimeout(timeout, self.clock)
        raw = await read
        try:
            decoded = json.loads(raw.decode("utf-8")) if raw else None
        except ValueError:
            decoded = None
        return JsonResponse(response.code, decoded)
