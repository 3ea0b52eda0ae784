"""``/v1/events``: devices and clients tell what happened; anyone with a key reads it back.

As in the cred seed, a list is event IDs newest first unless ``full=true``,
and ``before``/``after`` are event IDs, so a client that remembers the
newest ID it saw asks for ``after=`` that ID and the engine keeps no
cursor for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rpymostat.engine.api.app import Call, Reply
from rpymostat.engine.api.errors import bad_request, not_found
from rpymostat.engine.api.requests import MAX_LIMIT, bool_param, int_param
from rpymostat.engine.api.routing import route
from rpymostat.engine.api.v1.openapi import TIMESTAMP, operation, path_param, ref, response
from rpymostat.engine.clients import client_id
from rpymostat.engine.context import EngineContext
from rpymostat.engine.device_events import (
    DEVICE_EVENTS_STREAM,
    MAX_DATA_BYTES,
    MAX_TEXT,
    MAX_VALUE,
    EventFilter,
    EventLog,
    event_json,
    parse_event,
)

MAX_ID = 2**53


def event_id_param(call: Call) -> int:
    raw = call.params["event_id"]
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_ID:
        raise not_found(f"no event with ID {raw!r} (event IDs are whole numbers from 1)")
    return int(raw)


def _optional_id(call: Call, name: str) -> int | None:
    if call.request.args.get(name.encode()) is None:
        return None
    return int_param(call.request, name, 0, 0, MAX_ID)


def _filter_param(call: Call, name: str) -> str:
    values = call.request.args.get(name.encode())
    if not values:
        return "*"
    try:
        text = values[-1].decode("utf-8")
    except UnicodeDecodeError:
        raise bad_request(f"{name} parameter is not UTF-8") from None
    if not 1 <= len(text) <= MAX_TEXT:
        raise bad_request(f"{name} parameter must be 1 to {MAX_TEXT} characters, or * for any")
    return text


async def list_events(context: EngineContext, call: Call, wanted: Sequence[EventFilter],
                      client: str | None = None) -> dict[str, Any]:
    """A page of events matching any of ``wanted`` (and posted by ``client``), by the seed's paging parameters.

    Filtering happens over the stream newest first, a batch at a time, so
    ``limit`` and ``offset`` count matching events.
    """
    request = call.request
    full = bool_param(request, "full", False)
    limit = int_param(request, "limit", 100, 1, MAX_LIMIT)
    offset = int_param(request, "offset", 0, 0, 10**9)
    after = _optional_id(call, "after")
    before = _optional_id(call, "before")
    store = context.store
    if not wanted:
        found: list[dict[str, Any]] = []
    elif list(wanted) == [EventFilter()] and client is None:
        entries = await store.list_log(DEVICE_EVENTS_STREAM, limit, offset, after_id=after, before_id=before)
        found = [event_json(entry) for entry in entries]
    else:
        found, skipped, cursor = [], 0, before
        while len(found) < limit:
            batch = await store.list_log(DEVICE_EVENTS_STREAM, MAX_LIMIT, after_id=after, before_id=cursor)
            for event in map(event_json, batch):
                if not any(w.matches(event) for w in wanted) or client is not None and event["client"] != client:
                    continue
                if skipped < offset:
                    skipped += 1
                elif len(found) < limit:
                    found.append(event)
            if len(batch) < MAX_LIMIT:
                break
            cursor = batch[-1].entry_id
    return {"events": found if full else [event["id"] for event in found]}


def filter_of(call: Call) -> EventFilter:
    return EventFilter(_filter_param(call, "device"), _filter_param(call, "location"), _filter_param(call, "action"))


class EventsAPI:
    def __init__(self, context: EngineContext, log: EventLog) -> None:
        self.context = context
        self.log = log

    @route("/v1/events", methods=["POST"], role="write", device=True)
    async def post(self, call: Call) -> Reply:
        event = parse_event(call.json_object(), self.context.now(), self.context.config.signature_window)
        shown, created = await self.log.record(event, client_id(call.principal))
        return Reply({"status": "ok", "id": shown["id"], "event": shown}, 201 if created else 200)

    @route("/v1/events")
    async def list(self, call: Call) -> dict[str, Any]:
        return await list_events(self.context, call, [filter_of(call)])

    @route("/v1/events/<event_id>")
    async def get(self, call: Call) -> dict[str, Any]:
        event_id = event_id_param(call)
        event = await self.log.get(event_id)
        if event is None:
            raise not_found(f"no event with ID {event_id} (it may have been dropped by RPYMOSTAT_EVENTS_KEEP)")
        return event


ID_PAGING = [
    {"name": "limit", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1,
                                                                   "maximum": MAX_LIMIT},
     "description": "at most this many events (default 100)"},
    {"name": "offset", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 0,
                                                                    "maximum": 10**9},
     "description": "skip this many matching events first"},
    {"name": "before", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 0,
                                                                    "maximum": MAX_ID},
     "description": "only events with an ID lower than this"},
    {"name": "after", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 0,
                                                                   "maximum": MAX_ID},
     "description": "only events with an ID higher than this (0: all); remember the newest ID seen and ask for "
                    "after= it to get only new events"},
    {"name": "full", "in": "query", "required": False, "schema": {"type": "boolean"},
     "description": "whole events instead of their IDs (default false)"},
]
FILTER_PARAMS = [
    {"name": name, "in": "query", "required": False,
     "schema": {"type": "string", "minLength": 1, "maxLength": MAX_TEXT},
     "description": f"only events whose {name} is this (ignoring case); * for any"}
    for name in ("device", "location", "action")
]
TEXT = {"type": "string", "minLength": 1, "maxLength": MAX_TEXT}
VALUE = {"anyOf": [{"type": "string", "maxLength": MAX_VALUE}, {"type": "number"}, {"type": "boolean"},
                   {"type": "null"}]}


def openapi_fragment() -> dict[str, Any]:
    return {
        "paths": {
            "/v1/events": {
                "post": operation(
                    "Tell what happened (a contact opened, someone arrived); kept with an ID and told to the live "
                    "feed, subscribers and reactions. A replay of a recent idempotency_key answers 200 with the "
                    "event already kept.", "write",
                    {"201": response("the event, kept", "EventPosted"),
                     "200": response("a replay: the event already kept under this idempotency_key",
                                     "EventPosted")},
                    body="EventIn", device=True),
                "get": operation("Events, newest first: their IDs, or whole events with full=true", "read",
                                 {"200": response("the events", "EventList")}, params=ID_PAGING + FILTER_PARAMS),
            },
            "/v1/events/{event_id}": {"get": operation(
                "One event", "read", {"200": response("the event", "Event")}, params=[path_param("event_id")])},
        },
        "schemas": {
            "EventIn": {
                "type": "object",
                "required": ["device", "location", "action", "value"],
                "additionalProperties": False,
                "properties": {
                    "device": {**TEXT, "description": "what kind of device, e.g. window, door, motion, light"},
                    "location": {**TEXT, "description": "where, e.g. a room name as the sensors' room"},
                    "action": {**TEXT, "description": "what happened, e.g. contact, motion, toggled, presence"},
                    "value": {**VALUE, "description": "e.g. open / closed, on / off; null when there is none"},
                    "data": {"type": ["object", "null"],
                             "description": f"anything else, at most {MAX_DATA_BYTES} bytes of JSON"},
                    "at": {"anyOf": [TIMESTAMP, {"type": "null"}],
                           "description": "when it happened (a spooled event); at most a year old, and no later "
                                          "than the engine's clock plus RPYMOSTAT_SIGNATURE_WINDOW seconds"},
                    "idempotency_key": {"type": ["string", "null"], "minLength": 1, "maxLength": 128,
                                        "description": "a replay with the same key (among the newest 100 events "
                                                       "of this client) is kept once"},
                },
            },
            "Event": {
                "type": "object",
                "required": ["id", "at", "device", "location", "action", "value", "data", "client", "received_at"],
                "properties": {
                    "id": {"type": "integer"}, "at": TIMESTAMP, "device": {"type": "string"},
                    "location": {"type": "string"}, "action": {"type": "string"}, "value": VALUE,
                    "data": {"type": ["object", "null"]},
                    "client": {"type": "string", "description": "who posted it: device:<host ID> or key:<key ID>"},
                    "received_at": TIMESTAMP,
                },
            },
            "EventPosted": {
                "type": "object", "required": ["status", "id", "event"],
                "properties": {"status": {"const": "ok"}, "id": {"type": "integer"}, "event": ref("Event")},
            },
            "EventList": {
                "type": "object", "required": ["events"],
                "properties": {"events": {"type": "array", "items": {"anyOf": [{"type": "integer"},
                                                                               ref("Event")]}}},
            },
        },
    }
