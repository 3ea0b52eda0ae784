"""Clients: the devices and API keys that talk to the engine, and what events they subscribe to.

A client is known by who authenticates: ``device:<host ID>`` for a signed
device, ``key:<key ID>`` for an API key. The engine notes when each was last
seen (in memory: after a restart a client is active again at its next
request) and lists as active those seen within
``RPYMOSTAT_CLIENT_PING_TIMEOUT`` seconds. Subscriptions are filters over
device events (device, location, action, each ``*`` for any), kept in the
store; a client pulls what matched with ``after=`` the newest ID it saw, so
the engine keeps no cursor for it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from twisted.web.iweb import IRequest

from rpymostat.common.timeutil import to_iso
from rpymostat.engine.api.auth import Authenticator, Principal
from rpymostat.engine.api.routing import RouteSpec
from rpymostat.engine.device_events import EventFilter
from rpymostat.store.interface import Store

SUBSCRIPTIONS = "subscriptions"
MAX_SUBSCRIPTIONS_PER_CLIENT = 100


def client_id(principal: Principal) -> str:
    """The client a request comes from: ``device:<host ID>`` or ``key:<key ID>``."""
    if principal.kind == "device":
        return f"device:{principal.host_id}"
    return f"key:{principal.key_id}"


@dataclass
class SeenClient:
    client_id: str
    kind: str
    name: str | None
    role: str | None
    first_seen: float
    last_seen: float

    def json(self, now: float, timeout: float) -> dict[str, Any]:
        return {"id": self.client_id, "kind": self.kind, "name": self.name, "role": self.role,
                "first_seen": to_iso(self.first_seen), "last_seen": to_iso(self.last_seen),
                "active": now - self.last_seen <= timeout}


class ClientRegistry:
    """Who was seen when, and each client's subscriptions."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.seen: dict[str, SeenClient] = {}

    def note(self, principal: Principal, now: float) -> None:
        if principal.kind not in ("key", "device"):
            return
        identity = client_id(principal)
        known = self.seen.get(identity)
        if known is None:
            self.seen[identity] = SeenClient(identity, principal.kind, principal.name, principal.role, now, now)
        else:
            known.last_seen = now

    def active(self, now: float, timeout: float) -> list[SeenClient]:
        """Clients seen within ``timeout`` seconds, most recently seen first."""
        return sorted((c for c in self.seen.values() if now - c.last_seen <= timeout),
                      key=lambda c: (-c.last_seen, c.client_id))

    async def subscriptions(self, client: str | None = None) -> list[dict[str, Any]]:
        """Every subscription (of one client), oldest first."""
        found = [{"id": doc_id, **data} for doc_id, data in await self.store.list_documents(SUBSCRIPTIONS)
                 if client is None or data["client"] == client]
        return sorted(found, key=lambda s: (s["created_at"], s["id"]))

    async def subscribe(self, client: str, wanted: EventFilter, now: float) -> dict[str, Any]:
        doc_id = secrets.token_hex(8)
        data = {"client": client, "device": wanted.device, "location": wanted.location, "action": wanted.action,
                "created_at": to_iso(now)}
        await self.store.put_document(SUBSCRIPTIONS, doc_id, data)
        return {"id": doc_id, **data}

    async def unsubscribe(self, client: str, subscription_id: str) -> dict[str, Any] | None:
        """Delete one of ``client``'s subscriptions; the deleted subscription, or None."""
        existing = await self.store.get_document(SUBSCRIPTIONS, subscription_id)
        if existing is None or existing["client"] != client:
            return None
        await self.store.delete_document(SUBSCRIPTIONS, subscription_id)
        return {"id": subscription_id, **existing}

    async def subscribers(self, event: dict[str, Any]) -> list[str]:
        """The clients with a subscription matching ``event``, sorted."""
        return sorted({data["client"] for _, data in await self.store.list_documents(SUBSCRIPTIONS)
                       if filter_of(data).matches(event)})


def filter_of(subscription: dict[str, Any]) -> EventFilter:
    return EventFilter(subscription["device"], subscription["location"], subscription["action"])


class NotingAuthenticator(Authenticator):
    """The engine's authenticator, also noting each authenticated caller in the client registry."""

    def __init__(self, registry: ClientRegistry, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.registry = registry

    async def authenticate(self, request: IRequest, body: bytes, spec: RouteSpec) -> Principal:
        principal = await super().authenticate(request, body, spec)
        self.registry.note(principal, self.clock.seconds())
        return principal
