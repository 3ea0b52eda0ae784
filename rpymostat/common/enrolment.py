"""Becoming a known device of the engine: one registration and how to read its answer.

A device signs its registration with its own secret; the engine answers
*approved* (200), *pending* until an admin approves (202), or refuses. Both
daemons register the same way and read the answer with the same
:class:`Standing`, so a sensor Pi and a relay Pi tell their user the same
thing for the same answer. Registering again later is how host information
(hostname, uptime, addresses, version) reaches the engine's device list.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from rpymostat.common.http import JsonResponse, SignedJsonClient

REGISTER_PATH = "/v1/devices/register"


class Standing(enum.Enum):
    """Where this host stands with the engine after one registration."""

    APPROVED = "approved"
    PENDING = "pending"
    CONFLICT = "conflict"
    WRONG_KIND = "wrong kind"
    REJECTED = "rejected"
    REFUSED = "refused"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class Registration:
    """The engine's answer to one registration, with its words for the user."""

    standing: Standing
    message: str
    code: int


def standing_of(response: JsonResponse) -> Standing:
    """Read a registration answer as the engine documents it."""
    if response.code == 200:
        return Standing.APPROVED
    if response.code == 202:
        return Standing.PENDING
    if response.code == 409:
        if isinstance(response.body, dict) and "registered_kind" in response.body:
            return Standing.WRONG_KIND
        return Standing.CONFLICT
    if response.code == 403:
        return Standing.REJECTED
    if response.code >= 500 or response.code in (404, 408, 429):
        return Standing.UNAVAILABLE
    return Standing.REFUSED


async def register(client: SignedJsonClient, engine_url: str, kind: str, info: dict[str, Any],
                   own_url: str | None = None) -> Registration:
    """Register once as a device of ``kind``; network failures propagate to the caller, who backs off.

    ``own_url`` is where the engine reaches a daemon that serves commands.
    """
    body: dict[str, Any] = {"host_id": client.device_id, "kind": kind, "secret": client.secret, "info": info}
    if own_url is not None:
        body["url"] = own_url
    response = await client.request("POST", engine_url, REGISTER_PATH, body)
    return Registration(standing_of(response), response.error, response.code)
