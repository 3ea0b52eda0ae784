"""Device events: what happened in the home ("window, bedroom, contact, open"), kept and told.

These are not the engine's own live-feed events (:mod:`rpymostat.engine.events`):
devices and API clients post them, they are kept in their own log stream
(``device_events``) with an ID and a time, and each one is also published on
the engine's bus as a ``device_event`` so the live feed, the reactions and
subscribers hear of it at once. A retention limit keeps only the newest
``RPYMOSTAT_EVENTS_KEEP`` of them. Validation is pure, and every problem is
reported naming its field.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from rpymostat.common.timeutil import TimestampError, from_iso, to_iso
from rpymostat.engine.api.errors import unprocessable
from rpymostat.engine.context import EngineContext
from rpymostat.store.records import LogEntry

DEVICE_EVENTS_STREAM = "device_events"
BUS_TYPE = "device_event"
TEXT_FIELDS = ("device", "location", "action")
FIELDS = {*TEXT_FIELDS, "value", "data", "at", "idempotency_key"}
MAX_TEXT = 64
MAX_VALUE = 256
MAX_DATA_BYTES = 4096
MAX_AGE_SECONDS = 366 * 86400
#: How many of the newest events a replayed ``idempotency_key`` is looked for in (a spool replays its last ones).
REPLAY_WINDOW = 100


@dataclass(frozen=True)
class EventInput:
    """A valid posted event, before it is stored."""

    device: str
    location: str
    action: str
    value: str | float | bool | None
    data: dict[str, Any] | None
    at: float
    idempotency_key: str | None = None


def parse_event(body: Mapping[str, Any], now: float, future_tolerance: float) -> EventInput:
    """The event of a ``POST /v1/events`` body; raises a 422 naming the field otherwise."""
    unknown = sorted(set(body) - FIELDS)
    if unknown:
        raise unprocessable(f"unknown field(s): {', '.join(unknown)}")
    texts = []
    for name in TEXT_FIELDS:
        if name not in body:
            raise unprocessable(f"{name} field is missing")
        value = body[name]
        if not isinstance(value, str) or not 1 <= len(value) <= MAX_TEXT:
            raise unprocessable(f"{name} must be a string of 1 to {MAX_TEXT} characters")
        texts.append(value)
    if "value" not in body:
        raise unprocessable("value field is missing (use null when the event has none)")
    value = body["value"]
    if isinstance(value, str):
        if len(value) > MAX_VALUE:
            raise unprocessable(f"value must be at most {MAX_VALUE} characters")
    elif isinstance(value, float | int) and not isinstance(value, bool):
        value = float(value) if isinstance(value, float) else value
    elif value is not None and not isinstance(value, bool):
        raise unprocessable("value must be a string, a number, true, false or null")
    data = body.get("data")
    if data is not None:
        if not isinstance(data, dict):
            raise unprocessable("data must be a JSON object or null")
        if len(json.dumps(data)) > MAX_DATA_BYTES:
            raise unprocessable(f"data must be at most {MAX_DATA_BYTES} bytes of JSON")
    at = now
    if body.get("at") is not None:
        if not isinstance(body["at"], str):
            raise unprocessable("at must be an ISO 8601 UTC timestamp string")
        try:
            at = from_iso(body["at"])
        except TimestampError as exc:
            raise unprocessable(f"at: {exc}") from None
        if at > now + future_tolerance:
            raise unprocessable("at is in the future")
        if at < now - MAX_AGE_SECONDS:
            raise unprocessable("at is more than a year old")
    key = body.get("idempotency_key")
    if key is not None and (not isinstance(key, str) or not 1 <= len(key) <= 128):
        raise unprocessable("idempotency_key must be a string of 1 to 128 characters")
    device, location, action = texts
    return EventInput(device, location, action, value, data, at, key)


def event_json(entry: LogEntry) -> dict[str, Any]:
    """One stored event as the API shows it."""
    data = entry.data
    return {
        "id": entry.entry_id,
        "at": to_iso(entry.at),
        "device": data["device"],
        "location": data["location"],
        "action": data["action"],
        "value": data["value"],
        "data": data.get("data"),
        "client": data["client"],
        "received_at": data["received_at"],
    }


@dataclass(frozen=True)
class EventFilter:
    """Which events a subscription or a reaction wants: each field equal (ignoring case), or ``*`` for any."""

    device: str = "*"
    location: str = "*"
    action: str = "*"

    def matches(self, event: Mapping[str, Any]) -> bool:
        return all(wanted == "*" or str(event.get(name, "")).casefold() == wanted.casefold()
                   for name, wanted in (("device", self.device), ("location", self.location),
                                        ("action", self.action)))


class EventLog:
    """Stores posted events, keeps the log within its retention, and tells the bus.

    ``subscribers`` names the clients whose subscriptions match an event;
    the bus message carries them, so a live-feed client sees at once which
    events it subscribed to.
    """

    def __init__(self, context: EngineContext,
                 subscribers: Callable[[dict[str, Any]], Awaitable[list[str]]] | None = None) -> None:
        self.context = context
        self.subscribers = subscribers

    async def record(self, event: EventInput, client: str) -> tuple[dict[str, Any], bool]:
        """Store and publish one event; ``(event JSON, created)``, not created for a replay of a recent key."""
        store = self.context.store
        if event.idempotency_key is not None:
            recent = await store.list_log(DEVICE_EVENTS_STREAM, REPLAY_WINDOW)
            for entry in recent:
                if entry.data.get("client") == client and entry.data.get("idempotency_key") == event.idempotency_key:
                    return event_json(entry), False
        now = self.context.now()
        stored = {
            "device": event.device, "location": event.location, "action": event.action, "value": event.value,
            "data": event.data, "client": client, "received_at": to_iso(now),
            "idempotency_key": event.idempotency_key,
        }
        entry_id = await store.append_log(DEVICE_EVENTS_STREAM, event.at, stored)
        await store.trim_log(DEVICE_EVENTS_STREAM, self.context.config.events_keep)
        shown = event_json(LogEntry(entry_id, DEVICE_EVENTS_STREAM, event.at, stored))
        told = dict(shown)
        if self.subscribers is not None:
            told["subscribers"] = await self.subscribers(shown)
        await self.context.events.publish(BUS_TYPE, told, keep=False)
        return shown, True

    async def get(self, event_id: int) -> dict[str, Any] | None:
        entries = await self.context.store.list_log(DEVICE_EVENTS_STREAM, 1, after_id=event_id - 1,
                                                    before_id=event_id + 1)
        return event_json(entries[0]) if entries else None
