"""Raw TCP clients for HTTP servers: send bytes as slowly as a test likes, from any loopback address.

A client bound to ``127.0.0.2`` is a second host as far as the server's
per-address accounting goes; Linux answers on all of 127.0.0.0/8 without
setup.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from twisted.internet import reactor
from twisted.internet.defer import Deferred
from twisted.internet.endpoints import TCP4ClientEndpoint, connectProtocol
from twisted.internet.protocol import Protocol
from twisted.internet.task import deferLater

OTHER_HOST = "127.0.0.2"


class RawClient(Protocol):
    """Keeps every byte the server sends and knows when it hung up."""

    def __init__(self) -> None:
        self.received = b""
        self.closed = False

    def dataReceived(self, data: bytes) -> None:
        self.received += data

    def connectionLost(self, reason: Any = None) -> None:
        self.closed = True

    def send(self, data: bytes) -> None:
        assert self.transport is not None
        self.transport.write(data)

    def hang_up(self) -> None:
        assert self.transport is not None
        self.transport.loseConnection()

    @property
    def status(self) -> int | None:
        """The status code of the first answer, once its status line is in."""
        line = self.received.split(b"\r\n", 1)[0]
        parts = line.split(b" ")
        return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() and b"\r\n" in self.received else None

    @property
    def error(self) -> str:
        """The ``error`` of the first answer's JSON body."""
        body = self.received.split(b"\r\n\r\n", 1)[1]
        return str(json.loads(body)["error"])


async def connect(port: int, source: str = OTHER_HOST) -> RawClient:
    """A connection to ``127.0.0.1:port`` from ``source``."""
    endpoint = TCP4ClientEndpoint(reactor, "127.0.0.1", port, bindAddress=(source, 0))
    client: RawClient = await connectProtocol(endpoint, RawClient())
    return client


async def wait_until(condition: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> None:
    """Let the real reactor run until ``condition()`` holds; fail at the deadline."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        pause: Deferred[None] = deferLater(reactor, 0.01, lambda: None)
        await pause
