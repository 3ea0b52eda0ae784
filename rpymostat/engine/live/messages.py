"""The live feed's wire format: what the server sends and what a client may say.

Every message is one JSON object in a text frame with a ``type``. The
server opens with ``auth_required``; the client's first message is
``auth``; the server answers ``welcome`` and then event messages. Anything
else as a first message ends the connection with a 4xxx close code, so a
client never has to guess why it was refused.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from rpymostat.common import json_input
from rpymostat.common.json_input import TooDeeplyNested
from rpymostat.common.timeutil import to_iso
from rpymostat.engine.events import Event
from rpymostat.store.records import LogEntry

MAX_KEY_LENGTH = 256
AUTH_FIELDS = frozenset({"type", "key", "after"})


class CloseCode(IntEnum):
    """Why the server closed the connection (WebSocket private-use range 4000-4999)."""

    BAD_REQUEST = 4400  # something in the URL, or a first message that is not a valid auth
    BAD_KEY = 4401  # the key is unknown or revoked (at sign-in, or later)
    AUTH_TIMEOUT = 4408  # no auth message in time
    TOO_SLOW = 4429  # the client read too slowly; its send buffer was full
    ENGINE_ERROR = 4500  # the engine failed (e.g. its database is unavailable); try again later


class Refused(Exception):
    """The connection must close with ``code`` and the human ``reason``."""

    def __init__(self, code: CloseCode, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class Hello:
    """A valid first message: the key, and the last event ID the client saw, if any."""

    key: str
    after: int | None


def bad_request(reason: str) -> Refused:
    return Refused(CloseCode.BAD_REQUEST, reason)


def parse_hello(payload: bytes, is_binary: bool) -> Hello:
    """The client's first message, or :class:`Refused` naming what is wrong with it."""
    if is_binary:
        raise bad_request("the first message must be a JSON text message of type auth")
    try:
        data = json_input.loads(payload.decode("utf-8"))
    except TooDeeplyNested as exc:
        raise bad_request(f"the first message is {exc}") from None
    except (UnicodeDecodeError, ValueError):
        raise bad_request("the first message is not JSON; send {\"type\": \"auth\", \"key\": ...}") from None
    if not isinstance(data, dict) or data.get("type") != "auth":
        raise bad_request("the first message must be {\"type\": \"auth\", \"key\": ...}")
    unknown = sorted(str(name) for name in set(data) - AUTH_FIELDS)
    if unknown:
        raise bad_request(f"auth: unknown field(s): {', '.join(unknown)}"[:100])
    key = data.get("key")
    if not isinstance(key, str) or not key or len(key) > MAX_KEY_LENGTH:
        raise bad_request("auth: key must be the API key, a non-empty string")
    after = data.get("after")
    if after is not None and (isinstance(after, bool) or not isinstance(after, int) or after < 0):
        raise bad_request("auth: after must be the last event id seen, an integer >= 0")
    return Hello(key, after)


def auth_required() -> dict[str, Any]:
    return {"type": "auth_required"}


def welcome(role: str, last_event_id: int, reset: bool) -> dict[str, Any]:
    """The answer to a good key.

    ``reset`` tells a client whose ``after`` is beyond anything this engine
    has kept (its database was replaced) to reload its state over HTTP and
    take ``last_event_id`` as its new position.
    """
    return {"type": "welcome", "role": role, "last_event_id": last_event_id, "reset": reset}


def event_message(event: Event) -> dict[str, Any]:
    return {"type": event.type, "id": event.event_id, "at": to_iso(event.at), "data": event.data}


def event_from_entry(entry: LogEntry) -> Event:
    """A kept event as the bus published it, rebuilt from the ``events`` log."""
    data = dict(entry.data)
    event_type = str(data.pop("type", "unknown"))
    return Event(event_type, entry.at, data, entry.entry_id)


def encode(message: dict[str, Any]) -> bytes:
    """One message as the UTF-8 JSON text of a frame (NaN is refused, as on the HTTP API)."""
    return json.dumps(message, allow_nan=False, separators=(",", ":")).encode("utf-8")
