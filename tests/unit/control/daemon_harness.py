"""A control daemon's API over mock GPIO pins and a test clock, asked in memory through ``StubTreq``.

The daemon's clock (signature window, failsafe, minimum off times) is a
``Clock`` the test advances. Its API answers the test in memory; only when
a real client (the engine's commander) needs its ``url`` does it also
listen on a loopback port.
"""

from __future__ import annotations

import json as jsonlib
from dataclasses import dataclass
from typing import Any

from treq.testing import StubTreq
from twisted.internet import reactor
from twisted.internet.task import Clock
from twisted.web.server import Site

from rpymostat.common.signing import sign_request
from rpymostat.testing.pins import pin_is_high
from rpymostat_control.api import ENGINE_SIGNER, ControlAPI
from rpymostat_control.backends import open_relays
from rpymostat_control.controller import Controller
from rpymostat_control.relay_config import parse_relays
from rpymostat_control.relays.base import make_relay_id

SECRET = "the-engine-and-this-daemon-share-this-secret"
START = 1_790_000_000.0


@dataclass
class Answer:
    code: int
    body: Any


@dataclass
class Daemon:
    host_id: str
    api: ControlAPI
    controller: Controller
    clock: Clock
    pin_factory: Any
    client: StubTreq
    port: Any = None

    @property
    def lan_host(self) -> str:
        """Its name on an in-memory LAN (tests.support.lan)."""
        return f"{self.host_id}.test"

    @property
    def url(self) -> str:
        """The daemon's loopback URL, listening from the first time a real client asks for it."""
        if self.port is None:
            self.port = reactor.listenTCP(0, Site(self.api.resource()), interface="127.0.0.1")
        return f"http://127.0.0.1:{self.port.getHost().port}"

    def pin(self, number: int) -> bool:
        return pin_is_high(self.pin_factory, number)

    def sign(self, method: str, path: str, body: bytes, secret: str = SECRET, signer: str = ENGINE_SIGNER,
             now: float | None = None) -> dict[str, str]:
        return sign_request(signer, secret, method, path, body, self.clock.seconds() if now is None else now)

    async def send(self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None) -> Answer:
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        response = await self.client.request(method, "http://control.test" + path, data=body or None,
                                             headers=all_headers)
        text = (await self.client.content(response)).decode("utf-8")
        return Answer(response.code, jsonlib.loads(text) if text else None)

    async def signed(self, method: str, path: str, json: Any = None, **signing: Any) -> Answer:
        body = b"" if json is None else jsonlib.dumps(json).encode()
        return await self.send(method, path, body, self.sign(method, path, body, **signing))

    async def close(self) -> None:
        if self.port is not None and self.port.connected:
            await self.port.stopListening()
        self.controller.close()


def start_daemon(pin_factory: Any, host_id: str = "boiler-pi", relays: str = "heat=17,cool=27,fan=22!",
                 failsafe: float = 180.0, min_off: dict[str, float] | None = None, secret: str = SECRET,
                 clock: Clock | None = None) -> Daemon:
    if clock is None:
        clock = Clock()
        clock.advance(START)
    specs = parse_relays(relays)
    opened = open_relays("gpio", host_id, specs, pin_factory)
    functions = {make_relay_id(host_id, s.name): s.suggested_function for s in specs if s.suggested_function}
    controller = Controller(opened.relays, functions, clock, failsafe, min_off, opened.pin_level)  # type: ignore[arg-type]
    controller.start()
    api = ControlAPI(controller, host_id, secret, clock, 120)
    return Daemon(host_id, api, controller, clock, pin_factory, StubTreq(api.resource()))


async def eventually(condition: Any, timeout: float = 5.0, what: str = "condition") -> Any:
    """Let real I/O run until ``condition()`` holds; fail at the deadline (never a fixed wait)."""
    from twisted.internet.task import deferLater

    deadline = reactor.seconds() + timeout
    while True:
        value = condition()
        if value:
            return value
        if reactor.seconds() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await deferLater(reactor, 0.01, lambda: None)


async def eventually_async(check: Any, timeout: float = 5.0, what: str = "condition") -> Any:
    """Like :func:`eventually` for a condition that must itself wait (an HTTP request)."""
    from twisted.internet.task import deferLater

    deadline = reactor.seconds() + timeout
    while True:
        value = await check()
        if value:
            return value
        if reactor.seconds() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await deferLater(reactor, 0.02, lambda: None)
