"""``/v1/clients``: who talks to the engine, what each posted, and what each subscribed to."""

from __future__ import annotations

from typing import Any

from rpymostat.engine.api.app import Call, Reply
from rpymostat.engine.api.errors import not_found, unprocessable
from rpymostat.engine.api.requests import MAX_LIMIT, bool_param, int_param, time_param
from rpymostat.engine.api.routing import route
from rpymostat.engine.api.v1.event_filter import parse_event_filter
from rpymostat.engine.api.v1.events import ID_PAGING, list_events
from rpymostat.engine.api.v1.openapi import TIMESTAMP, operation, paging, path_param, ref, response
from rpymostat.engine.clients import MAX_SUBSCRIPTIONS_PER_CLIENT, ClientRegistry, client_id, filter_of
from rpymostat.engine.context import EngineContext
from rpymostat.engine.device_events import MAX_TEXT, TEXT_FIELDS, EventFilter

FILTER_FIELDS = TEXT_FIELDS  # what a subscription can filter on: the event's text fields


def parse_subscription(body: dict[str, Any]) -> EventFilter:
    """The filter of a new subscription; absent fields are ``*``. A 422 naming the field otherwise."""
    return EventFilter(**parse_event_filter(body, FILTER_FIELDS))


class ClientsAPI:
    def __init__(self, context: EngineContext, registry: ClientRegistry) -> None:
        self.context = context
        self.registry = registry

    @property
    def timeout(self) -> float:
        return float(self.context.config.client_ping_timeout)

    async def _client_json(self, identity: str) -> dict[str, Any]:
        seen = self.registry.seen.get(identity)
        subscriptions = await self.registry.subscriptions(identity)
        if seen is None and not subscriptions:
            raise not_found(f"no client {identity!r} has been seen since the engine started")
        shown: dict[str, Any] = {"id": identity, "kind": identity.split(":", 1)[0], "name": None, "role": None,
                                 "first_seen": None, "last_seen": None, "active": False}
        if seen is not None:
            shown = seen.json(self.context.now(), self.timeout)
        return {**shown, "subscriptions": subscriptions}

    @route("/v1/clients")
    async def list(self, call: Call) -> dict[str, Any]:
        full = bool_param(call.request, "full", False)
        limit = int_param(call.request, "limit", 100, 1, MAX_LIMIT)
        offset = int_param(call.request, "offset", 0, 0, 10**9)
        before = time_param(call.request, "before")
        after = time_param(call.request, "after")
        now = self.context.now()
        active = [c for c in self.registry.active(now, self.timeout)
                  if (before is None or c.last_seen < before) and (after is None or c.last_seen > after)]
        active = active[offset:offset + limit]
        if not full:
            return {"clients": [c.client_id for c in active]}
        return {"clients": [c.json(now, self.timeout) for c in active]}

    @route("/v1/clients/me", device=True)
    async def me(self, call: Call) -> dict[str, Any]:
        return await self._client_json(client_id(call.principal))

    @route("/v1/clients/<client_id>")
    async def get(self, call: Call) -> dict[str, Any]:
        return await self._client_json(call.params["client_id"])

    @route("/v1/clients/<client_id>/events")
    async def events(self, call: Call) -> dict[str, Any]:
        identity = call.params["client_id"]
        return await list_events(self.context, call, [EventFilter()], client=identity)

    @route("/v1/clients/me/subscribedevents", device=True)
    async def my_subscribed(self, call: Call) -> dict[str, Any]:
        return await self._subscribed(call, client_id(call.principal))

    @route("/v1/clients/<client_id>/subscribedevents")
    async def subscribed(self, call: Call) -> dict[str, Any]:
        return await self._subscribed(call, call.params["client_id"])

    async def _subscribed(self, call: Call, identity: str) -> dict[str, Any]:
        filters = [filter_of(s) for s in await self.registry.subscriptions(identity)]
        return await list_events(self.context, call, filters)

    @route("/v1/clients/me/subscriptions", device=True)
    async def my_subscriptions(self, call: Call) -> dict[str, Any]:
        return {"subscriptions": await self.registry.subscriptions(client_id(call.principal))}

    @route("/v1/clients/<client_id>/subscriptions")
    async def subscriptions(self, call: Call) -> dict[str, Any]:
        return {"subscriptions": await self.registry.subscriptions(call.params["client_id"])}

    @route("/v1/clients/me/subscriptions", methods=["POST"], role="write", device=True)
    async def subscribe(self, call: Call) -> Reply:
        wanted = parse_subscription(call.json_object())
        identity = client_id(call.principal)
        if len(await self.registry.subscriptions(identity)) >= MAX_SUBSCRIPTIONS_PER_CLIENT:
            raise unprocessable(f"a client may hold at most {MAX_SUBSCRIPTIONS_PER_CLIENT} subscriptions")
        return Reply(await self.registry.subscribe(identity, wanted, self.context.now()), 201)

    @route("/v1/clients/me/subscriptions/<subscription_id>", methods=["DELETE"], role="write", device=True)
    async def unsubscribe(self, call: Call) -> dict[str, Any]:
        subscription_id = call.params["subscription_id"]
        deleted = await self.registry.unsubscribe(client_id(call.principal), subscription_id)
        if deleted is None:
            raise not_found(f"you have no subscription {subscription_id!r}")
        return deleted


def openapi_fragment() -> dict[str, Any]:
    client = path_param("client_id")
    listing = [ID_PAGING[0], ID_PAGING[1], ID_PAGING[4],
               *[{**param, "description": f"only clients last seen {param['description'][len('only items '):]}"}
                 for param in paging("before", "after")]]

    def read(summary: str, schema: str, params: list[dict[str, Any]] | None = None,
             device: bool = False) -> dict[str, Any]:
        return {"get": operation(summary, "read", {"200": response(summary[0].lower() + summary[1:], schema)},
                                 params=params, device=device)}

    return {
        "paths": {
            "/v1/clients": read("Active clients (seen within RPYMOSTAT_CLIENT_PING_TIMEOUT seconds), most recent "
                                "first: IDs, or whole clients with full=true", "ClientList", listing),
            "/v1/clients/me": read("The calling client, with its subscriptions", "Client", device=True),
            "/v1/clients/{client_id}": read("One client (device:<host ID> or key:<key ID>), with its subscriptions",
                                            "Client", [client]),
            "/v1/clients/{client_id}/events": read("Events this client posted, newest first", "EventList",
                                                   [client, *ID_PAGING]),
            "/v1/clients/me/subscribedevents": read(
                "Events matching the calling client's subscriptions, newest first; ask for after= the newest ID "
                "seen", "EventList", ID_PAGING, device=True),
            "/v1/clients/{client_id}/subscribedevents": read(
                "Events matching a client's subscriptions, newest first", "EventList", [client, *ID_PAGING]),
            "/v1/clients/me/subscriptions": {
                **read("The calling client's subscriptions", "SubscriptionList", device=True),
                "post": operation("Subscribe to the events matching a filter (absent fields: * for any)", "write",
                                  {"201": response("the subscription", "Subscription")}, body="SubscriptionIn",
                                  device=True),
            },
            "/v1/clients/{client_id}/subscriptions": read("A client's subscriptions", "SubscriptionList", [client]),
            "/v1/clients/me/subscriptions/{subscription_id}": {"delete": operation(
                "Delete one of the calling client's subscriptions", "write", {"200": response("the deleted subscription", "Subscription")},
                params=[path_param("subscription_id")], device=True)},
        },
        "schemas": {
            "Client": {
                "type": "object",
                "required": ["id", "kind", "name", "role", "first_seen", "last_seen", "active"],
                "properties": {
                    "id": {"type": "string"}, "kind": {"enum": ["device", "key"]},
                    "name": {"type": ["string", "null"]}, "role": {"type": ["string", "null"]},
                    "first_seen": {"anyOf": [TIMESTAMP, {"type": "null"}]},
                    "last_seen": {"anyOf": [TIMESTAMP, {"type": "null"}]},
                    "active": {"type": "boolean"},
                    "subscriptions": {"type": "array", "items": ref("Subscription")},
                },
            },
            "ClientList": {"type": "object", "required": ["clients"], "properties": {"clients": {
                "type": "array", "items": {"anyOf": [{"type": "string"}, ref("Client")]}}}},
            "SubscriptionIn": {
                "type": "object", "additionalProperties": False,
                "properties": {name: {"type": "string", "minLength": 1, "maxLength": MAX_TEXT,
                                      "description": "the event's field must equal this (ignoring case); * for any"}
                               for name in FILTER_FIELDS},
            },
            "Subscription": {
                "type": "object", "required": ["id", "client", *FILTER_FIELDS, "created_at"],
                "properties": {"id": {"type": "string"}, "client": {"type": "string"},
                               **{name: {"type": "string"} for name in FILTER_FIELDS}, "created_at": TIMESTAMP},
            },
            "SubscriptionList": {"type": "object", "required": ["subscriptions"],
                                 "properties": {"subscriptions": {"type": "array", "items": ref("Subscription")}}},
        },
    }
