"""An engine API on a real loopback socket, over a real SQLite file.

The engine's own clock is a ``Clock`` the test controls (signature windows,
staleness), while HTTP runs on the real reactor. Keys of every role, and a
revoked one, are ready to use.
"""

from __future__ import annotations

import json as jsonlib
from dataclasses import dataclass, field, replace
from typing import Any

import treq
from twisted.internet import reactor
from twisted.internet.task import Clock

from rpymostat.common.serving import guarded_site
from rpymostat.common.signing import sign_request
from rpymostat.config import EngineConfig
from rpymostat.engine.api.app import EngineAPI
from rpymostat.engine.api.build import build_api
from rpymostat.engine.context import EngineContext
from rpymostat.security.keys import new_api_key
from rpymostat.store.opening import open_store

START = 1_790_000_000.0  # 2026-09-21, a fixed "now" for the engine's clock


@dataclass
class Response:
    code: int
    headers: dict[str, str]
    text: str

    @property
    def json(self) -> Any:
        return jsonlib.loads(self.text)


@dataclass
class EngineHarness:
    url: str
    context: EngineContext
    api: EngineAPI
    clock: Clock
    port: Any
    keys: dict[str, str] = field(default_factory=dict)

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
        response = await treq.request(method, self.url + path, data=body, headers=all_headers)
        text = (await response.content()).decode("utf-8")
        flat = {k.decode().lower(): v[-1].decode() for k, v in response.headers.getAllRawHeaders()}
        return Response(response.code, flat, text)

    async def signed(self, method: str, path: str, device_id: str, secret: str, json: Any,
                     now: float | None = None) -> Response:
        body = jsonlib.dumps(json).encode()
        headers = sign_request(device_id, secret, method, path, body, self.clock.seconds() if now is None else now)
        return await self.request(method, path, body=body, headers=headers)

    async def close(self) -> None:
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


async def start_engine(tmp_path, wrap_store: Any = None, **overrides: Any) -> EngineHarness:
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
    api = build_api(context)
    port = reactor.listenTCP(0, guarded_site(api.resource(), config.server_limits, reactor), interface="127.0.0.1")
    url = f"http://127.0.0.1:{port.getHost().port}"
    return EngineHarness(url, context, api, clock, port, keys)
