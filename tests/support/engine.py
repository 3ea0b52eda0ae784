"""An engine API over a real SQLite file, asked in memory through ``StubTreq``.

Requests go through ``treq.testing.StubTreq`` to the real resource (the
same Klein routes, authentication and JSON errors as in production), with
no socket. The engine's own clock is a ``Clock`` the test controls
(signature windows, staleness); the SQLite store answers from its thread
through the real reactor, and each answer is handed to the client as soon
as the engine finishes writing it. Its relay commander reaches control
daemons on an in-memory LAN (``lan``, see tests.support.lan), or with
``listen=True`` real daemons on loopback. Keys of every
role, and a revoked one, are ready to use.

Tests of real daemons, WebSockets and the server's socket-level guards ask
for ``listen=True`` (the ``listening`` mark on a test): the same engine then
also serves on a loopback port, at ``url``.
"""

from __future__ import annotations

import json as jsonlib
from dataclasses import dataclass, field, replace
from typing import Any

import treq
from treq.testing import StubTreq
from twisted.internet import reactor
from twisted.internet.task import Clock
from twisted.web.iweb import IRequest
from twisted.web.resource import Resource

from rpymostat.common.guarded_site import guarded_site
from rpymostat.common.signing import sign_request
from rpymostat.config import EngineConfig
from rpymostat.engine.api.app import EngineAPI
from rpymostat.engine.api.build import build_api
from rpymostat.engine.context import EngineContext
from rpymostat.engine.relays.commander import RelayCommander
from rpymostat.engine.relays.registry import RelayRegistry
from rpymostat.security.keys import new_api_key
from rpymostat.store.opening import open_store
from tests.support.lan import InMemoryLan

START = 1_790_000_000.0  # 2026-09-21, a fixed "now" for the engine's clock


@dataclass
class Response:
    code: int
    headers: dict[str, str]
    text: str

    @property
    def json(self) -> Any:
        return jsonlib.loads(self.text)


IN_MEMORY_URL = "http://engine.test"


class _HandsOverWhenFinished(Resource):
    """Wraps the engine's root so that an answer written later (after a database call) reaches StubTreq's client.

    StubTreq moves bytes between its in-memory client and server only when
    flushed; an answer finished from a database thread is flushed once it
    is complete, on the next reactor turn.
    """

    isLeaf = True

    def __init__(self, inner: Resource) -> None:
        super().__init__()
        self.inner = inner
        self.stub: StubTreq | None = None

    def render(self, request: IRequest) -> Any:
        request.notifyFinish().addBoth(lambda _: reactor.callLater(0, self._flush))  # type: ignore[attr-defined]
        return self.inner.render(request)

    def _flush(self) -> None:
        if self.stub is not None:
            self.stub.flush()


def in_memory_client(resource: Resource) -> StubTreq:
    """A treq client whose requests go to ``resource`` in memory, answered whenever the resource finishes."""
    handover = _HandsOverWhenFinished(resource)
    handover.stub = StubTreq(handover)
    return handover.stub


@dataclass
class EngineHarness:
    context: EngineContext
    api: EngineAPI
    clock: Clock
    client: StubTreq
    lan: InMemoryLan
    port: Any = None
    keys: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        """The loopback URL of an engine started with ``listen=True``, for real daemons and raw sockets."""
        if self.port is None:
            raise AssertionError("this engine answers in memory only: start it with listen=True "
                                 "(mark the test @pytest.mark.listening) to give real clients a URL")
        return f"http://127.0.0.1:{self.port.getHost().port}"

    @property
    def store(self):  # type: ignore[no-untyped-def]
        return self.context.store

    async def request(
        self,
        method: str,
        path: str,
        json: Any = None,
        body: bytes | None = None,
        key: str | None = None,
        headers: dict[str, str] | None = None,
        content_type: str | None = "application/json",
    ) -> Response:
        """``key`` is a role name from ``keys`` ("admin", "write", "read", "revoked") or raw key text."""
        all_headers = dict(headers or {})
        if key is not None:
            all_headers["Authorization"] = f"Bearer {self.keys.get(key, key)}"
        if json is not None:
            body = jsonlib.dumps(json).encode()
        if body is not None and content_type is not None:
            all_headers.setdefault("Content-Type", content_type)
        response = await self.client.request(method, IN_MEMORY_URL + path, data=body, headers=all_headers)
        text = (await self.client.content(response)).decode("utf-8")
        flat = {k.decode().lower(): v[-1].decode() for k, v in response.headers.getAllRawHeaders()}
        return Response(response.code, flat, text)

    async def signed(self, method: str, path: str, device_id: str, secret: str, json: Any,
                     now: float | None = None) -> Response:
        body = jsonlib.dumps(json).encode()
        headers = sign_request(device_id, secret, method, path, body, self.clock.seconds() if now is None else now)
        return await self.request(method, path, body=body, headers=headers)

    async def close(self) -> None:
        if self.port is not None and self.port.connected:
            await self.port.stopListening()
        await self.store.close()


def engine_config(tmp_path, **overrides: Any) -> EngineConfig:
    base = EngineConfig.from_environ(
        {
            "RPYMOSTAT_DB_URI": f"sqlite:///{tmp_path}/engine.sqlite",
            "RPYMOSTAT_DATA_DIR": str(tmp_path),
            "RPYMOSTAT_DISCOVERY": "off",
            "RPYMOSTAT_TIMEZONE": "Europe/London",
        }
    )
    return replace(base, **overrides)


async def start_engine(tmp_path, listen: bool = False, wrap_store: Any = None, **overrides: Any) -> EngineHarness:
    """``wrap_store``, when given, wraps the opened store (to count or slow its calls)."""
    config = engine_config(tmp_path, **overrides)
    store = await open_store(config.db_uri)
    if wrap_store is not None:
        store = wrap_store(store)
    clock = Clock()
    clock.advance(START)
    context = EngineContext(store, clock, config)
    keys = {}
    for role in ("read", "write", "admin", "revoked"):
        text, record = new_api_key(f"test {role}", "admin" if role == "revoked" else role, clock.seconds())
        await store.add_api_key(record)
        keys[role] = text
        if role == "revoked":
            await store.revoke_api_key(record.key_id, clock.seconds())
    lan = InMemoryLan()
    # In memory, the engine commands control daemons on the in-memory LAN (and reaches none elsewhere);
    # listening, it commands real daemons at their loopback URLs.
    api = build_api(context, relays=RelayCommander(RelayRegistry(store), store, clock, treq if listen else lan))
    port = (reactor.listenTCP(0, guarded_site(api.resource(), config.server_limits, reactor), interface="127.0.0.1")
            if listen else None)
    return EngineHarness(context, api, clock, in_memory_client(api.resource()), lan, port, keys)
