"""``/v1/relays``: the relays the control daemons reported, their functions, history and manual switch.

Reads need ``read``. Assigning a function, switching by hand (for testing
the wiring) and deleting need ``admin``: a relay starts a furnace. Only the
control daemons report, each for its own host, with ``PUT
/v1/relays/report`` signed with their device secret: no API key may, since a
reported relay that is on holds the opposite function off (the interlock).
"""

from __future__ import annotations

from typing import Any

from rpymostat.common.timeutil import to_iso
from rpymostat.common.vocabulary import EVENT_KINDS, REFUSALS
from rpymostat.common.vocabulary import RELAY_FUNCTIONS as FUNCTIONS
from rpymostat.engine.api.app import Call, Reply
from rpymostat.engine.api.errors import ApiError, not_found, unprocessable
from rpymostat.engine.api.requests import MAX_LIMIT, int_param, time_param
from rpymostat.engine.api.routing import DEVICE_ONLY, route
from rpymostat.engine.api.v1.openapi import (
    NULLABLE_STRING,
    NULLABLE_TIMESTAMP,
    TIMESTAMP,
    operation,
    paging,
    path_param,
    ref,
    response,
)
from rpymostat.engine.context import EngineContext
from rpymostat.engine.events import RELAY_DELETED
from rpymostat.engine.relays.commander import RelayCommander, UnknownRelay
from rpymostat.engine.relays.interlock import assignment_refusal
from rpymostat.engine.relays.registry import history_json, relay_json
from rpymostat.engine.relays.report import (
    MAX_EVENTS,
    MAX_KEY,
    MAX_RELAYS,
    MAX_TEXT,
    ReportError,
    parse_report,
)


class RelaysAPI:
    def __init__(self, context: EngineContext, commander: RelayCommander) -> None:
        self.context = context
        self.commander = commander
        self.registry = commander.registry

    async def _existing(self, relay_id: str) -> dict[str, Any]:
        doc = next((known for known in await self.commander.known_relays() if known["id"] == relay_id), None)
        if doc is None:
            raise not_found(f"no relay with ID {relay_id!r}; control daemons report theirs when they start")
        return doc

    @route("/v1/relays")
    async def list(self, call: Call) -> dict[str, Any]:
        return {"relays": [relay_json(doc) for doc in await self.commander.known_relays()]}

    @route("/v1/relays/report", methods=["PUT"], role=DEVICE_ONLY)
    async def report(self, call: Call) -> dict[str, Any]:
        try:
            report = parse_report(call.json_object())
        except ReportError as exc:
            raise unprocessable(str(exc)) from None
        host_id = call.principal.host_id or ""
        device = await self.context.store.get_device(host_id)
        if device is None or device.kind != "control":
            raise ApiError(403, f"device {host_id} is not a control daemon; only control daemons report relays")
        if report.host_id != host_id:
            raise unprocessable(f"host_id {report.host_id!r} does not match the signing device {host_id!r}")
        now = self.context.now()
        docs = await self.registry.apply_report(report, now)
        await self.context.store.touch_device(report.host_id, now)
        if report.events:
            functions = {doc["id"]: doc.get("function") for doc in docs}
            await self.context.events.publish("relay_events", {"host_id": host_id, "events": [
                {"relay_id": e.relay_id, "function": functions.get(e.relay_id), "kind": e.kind, "on": e.on,
                 "at": to_iso(e.at), "reason": e.reason} for e in report.events]}, keep=False)
        return {"status": "ok", "relays": [relay_json(doc) for doc in docs], "events": len(report.events)}

    @route("/v1/relays/hosts/<host_id>", methods=["DELETE"], role="admin")
    async def delete_host(self, call: Call) -> dict[str, Any]:
        host_id = call.params["host_id"]
        docs = await self.registry.delete_host(host_id)
        if docs is None:
            raise not_found(f"no relays of host {host_id!r}")
        await self.context.events.publish(RELAY_DELETED, {"host_id": host_id, "relay_ids": [d["id"] for d in docs]})
        return {"host_id": host_id, "deleted": [relay_json(doc) for doc in docs]}

    @route("/v1/relays/<relay_id>")
    async def get(self, call: Call) -> dict[str, Any]:
        return relay_json(await self._existing(call.params["relay_id"]))

    @route("/v1/relays/<relay_id>", methods=["PUT"], role="admin")
    async def assign(self, call: Call) -> dict[str, Any]:
        data = call.json_object()
        if "function" not in data:
            raise unprocessable("function field is missing (one of heat, cool, fan, aux, or null)")
        extra = sorted(set(data) - {"function"})
        if extra:
            raise unprocessable(f"{extra[0]} cannot be changed; only function can")
        function = data["function"]
        if function is not None and function not in FUNCTIONS:
            raise unprocessable(f"function must be null or one of {', '.join(FUNCTIONS)}", "function")
        relay_id = call.params["relay_id"]
        refused = assignment_refusal(await self._existing(relay_id), function)
        if refused is not None:
            raise ApiError(409, refused)
        doc = await self.registry.assign(relay_id, function)
        return relay_json(doc if doc is not None else await self._existing(relay_id))

    @route("/v1/relays/<relay_id>", methods=["DELETE"], role="admin")
    async def delete(self, call: Call) -> dict[str, Any]:
        relay_id = call.params["relay_id"]
        doc = await self.registry.delete(relay_id)
        if doc is None:
            raise not_found(f"no relay with ID {relay_id!r}")
        await self.context.events.publish(RELAY_DELETED, {"host_id": doc["host_id"], "relay_ids": [relay_id]})
        return relay_json(doc)

    @route("/v1/relays/<relay_id>/state", methods=["PUT"], role="admin")
    async def switch(self, call: Call) -> Reply:
        data = call.json_object()
        on = data.get("on")
        if not isinstance(on, bool):
            raise unprocessable("on must be true or false", "on")
        relay_id = call.params["relay_id"]
        who = call.principal.name or "an admin"
        try:
            result = await self.commander.switch(relay_id, on, f"manual switch by {who}")
        except UnknownRelay:
            raise not_found(f"no relay with ID {relay_id!r}; control daemons report theirs when they start") from None
        if not result.accepted:
            return Reply(result.body, result.code)
        return Reply({**relay_json(await self._existing(relay_id)), "changed": bool(result.body.get("changed"))})

    @route("/v1/relays/<relay_id>/history")
    async def history(self, call: Call) -> dict[str, Any]:
        relay_id = call.params["relay_id"]
        request = call.request
        limit = int_param(request, "limit", 100, 1, MAX_LIMIT)
        offset = int_param(request, "offset", 0, 0, 10**9)
        before = time_param(request, "before")
        after = time_param(request, "after")
        await self._existing(relay_id)
        entries = await self.registry.history(relay_id, limit, offset, before, after)
        return {"relay_id": relay_id, "history": [history_json(entry) for entry in entries]}


FUNCTION = {"enum": [*FUNCTIONS, None]}

SCHEMAS: dict[str, Any] = {
    "Relay": {
        "type": "object",
        "required": ["id", "host_id", "name", "pin", "active_high", "function", "on", "reported_at", "desired"],
        "properties": {
            "id": {"type": "string", "description": "<host id>:<relay name>"},
            "host_id": {"type": "string"},
            "name": {"type": "string"},
            "pin": {"type": "integer", "description": "BCM GPIO number"},
            "active_high": {"type": "boolean"},
            "function": {**FUNCTION, "description": "what the decision loop uses it for (assigned by an admin; "
                                                    "heat or cool only when daemon_function is the same)"},
            "daemon_function": {**FUNCTION, "description": "the function the daemon's safety rules apply"},
            "on": {"type": "boolean", "description": "as last reported by the control daemon"},
            "reported_at": TIMESTAMP,
            "desired": {"type": ["boolean", "null"], "description": "what the engine re-asserts; null: nothing yet"},
            "desired_reason": NULLABLE_STRING,
            "desired_at": NULLABLE_TIMESTAMP,
            "failsafe_tripped": {"type": "boolean", "description": "the daemon said its failsafe has tripped"},
            "failsafe_off": {"type": "boolean", "description": "its daemon has not been heard from for longer than "
                                                              "its failsafe time, so the failsafe has turned it off "
                                                              "whatever on says; the interlock counts it as off"},
            "changed": {"type": "boolean", "description": "in a switch's answer: whether the relay moved"},
        },
    },
    "RelayList": {"type": "object", "required": ["relays"],
                  "properties": {"relays": {"type": "array", "items": ref("Relay")}}},
    "RelaysDeleted": {"type": "object", "required": ["host_id", "deleted"],
                      "properties": {"host_id": {"type": "string"},
                                     "deleted": {"type": "array", "items": ref("Relay")}}},
    "RelayAssignment": {
        "type": "object", "required": ["function"], "additionalProperties": False,
        "properties": {"function": FUNCTION},
    },
    "RelaySwitch": {"type": "object", "required": ["on"], "properties": {"on": {"type": "boolean"}}},
    "RelayRefusal": {
        "type": "object", "required": ["status", "error"],
        "properties": {
            "status": {"const": "error"},
            "error": {"type": "string"},
            "refusal": {"enum": [*REFUSALS, None]},
            "retry_after": {"type": ["number", "null"], "description": "seconds of minimum off time left"},
        },
    },
    "RelayEvent": {
        "type": "object", "required": ["id", "at", "kind", "on", "reason"],
        "properties": {
            "id": {"type": "integer"},
            "at": TIMESTAMP,
            "kind": {"enum": list(EVENT_KINDS)},
            "on": {"type": "boolean", "description": "the state reached (change), asked for (refusal) or forced (failsafe)"},
            "reason": {"type": "string"},
            "refusal": {"enum": list(REFUSALS)},
            "received_at": TIMESTAMP,
            "idempotency_key": {"type": "string", "description": "the key the daemon sent the event with"},
        },
    },
    "RelayHistory": {"type": "object", "required": ["relay_id", "history"],
                     "properties": {"relay_id": {"type": "string"},
                                    "history": {"type": "array", "items": ref("RelayEvent")}}},
    "RelayReport": {
        "type": "object", "required": ["host_id", "relays"],
        "description": "refused whole (422) when any part is wrong; relay IDs must start with \"<host_id>:\", and "
                       "a signing device may only report itself",
        "properties": {
            "host_id": {"type": "string", "minLength": 1, "maxLength": 64},
            "relays": {"type": "array", "maxItems": MAX_RELAYS, "items": ref("ReportedRelay"),
                       "description": "each as the daemon's GET /v1/relays gives it"},
            "events": {"type": "array", "maxItems": MAX_EVENTS, "items": ref("ReportedRelayEvent")},
            "failsafe": {
                "type": "object",
                "properties": {"timeout": {"type": ["number", "null"], "exclusiveMinimum": 0,
                                           "description": "seconds"},
                               "tripped": {"type": "boolean"}},
            },
        },
    },
    "ReportedRelay": {
        "type": "object", "required": ["id", "name", "pin", "active_high", "on"],
        "properties": {
            "id": {"type": "string", "minLength": 1, "maxLength": 128, "description": "<host id>:<relay name>"},
            "name": {"type": "string", "minLength": 1, "maxLength": 32},
            "pin": {"type": "integer", "minimum": 0, "maximum": 27, "description": "BCM GPIO number"},
            "active_high": {"type": "boolean"},
            "function": FUNCTION,
            "on": {"type": "boolean"},
        },
    },
    "ReportedRelayEvent": {
        "type": "object", "required": ["kind", "relay_id", "on", "at", "reason"],
        "properties": {
            "kind": {"enum": list(EVENT_KINDS)},
            "relay_id": {"type": "string", "minLength": 1, "maxLength": 128},
            "on": {"type": "boolean"},
            "at": TIMESTAMP,
            "reason": {"type": "string", "minLength": 1, "maxLength": MAX_TEXT},
            "refusal": {"enum": [*REFUSALS, None]},
            "idempotency_key": {
                "type": ["string", "null"], "minLength": 1, "maxLength": MAX_KEY,
                "description": "made once when the event happened; an event sent again with the same key (a "
                               "report retried after a lost answer) is recorded once",
            },
        },
    },
    "RelayReportResult": {
        "type": "object", "required": ["status", "relays", "events"],
        "properties": {"status": {"const": "ok"}, "relays": {"type": "array", "items": ref("Relay")},
                       "events": {"type": "integer", "description": "events in the report, including any already "
                                                                     "recorded (sent again)"}},
    },
}


def openapi_fragment() -> dict[str, Any]:
    relay = [path_param("relay_id")]
    return {
        "paths": {
            "/v1/relays": {"get": operation("Every relay the control daemons reported", "read",
                                            {"200": response("the relays", "RelayList")})},
            "/v1/relays/report": {"put": operation(
                "A control daemon reports its relays' states and every change, refusal and failsafe trip; only "
                "an approved control daemon, signing for its own host, may (a sensor daemon or an API key gets 403)",
                DEVICE_ONLY, {"200": response("recorded", "RelayReportResult")}, body="RelayReport", device=True)},
            "/v1/relays/hosts/{host_id}": {"delete": operation(
                "Forget every relay of a host (a phantom host, or a control daemon taken out); their histories "
                "stay. A daemon still approved reports its relays again: delete its device too to keep them out",
                "admin", {"200": response("the relays forgotten", "RelaysDeleted"),
                          "404": response("the engine knows no relay of this host")},
                params=[path_param("host_id")])},
            "/v1/relays/{relay_id}": {
                "get": operation("One relay", "read", {"200": response("the relay", "Relay")}, params=relay),
                "put": operation(
                    "Assign the relay's function (heat, cool, fan, aux or null); heat and cool only to a relay "
                    "its daemon reports as that function (daemon_function), so its interlock and minimum off "
                    "time cover it", "admin",
                    {"200": response("the relay", "Relay"),
                     "409": response("heat or cool for a relay whose daemon_function differs; the message says "
                                     "how to declare it")},
                    body="RelayAssignment", params=relay),
                "delete": operation(
                    "Forget a relay (a phantom, or one no longer wired); its history stays. A daemon that still has "
                    "it reports it again", "admin",
                    {"200": response("the relay as it was", "Relay"), "404": response("unknown relay")}, params=relay),
            },
            "/v1/relays/{relay_id}/state": {"put": operation(
                "Switch a relay by hand (wiring tests); the engine's interlock across daemons and the control "
                "daemon's safety rules still apply", "admin",
                {
                    "200": response("switched; the relay as its daemon now reports it", "Relay"),
                    "409": response("refused by an interlock (the engine's: a heat relay while a cool relay on any "
                                    "daemon is on or wanted on, or the other way round; or the daemon's) or by the "
                                    "daemon's minimum off time", "RelayRefusal"),
                    "502": response("the daemon could not be reached or refused the engine"),
                    "504": response("the daemon did not answer in time"),
                }, body="RelaySwitch", params=relay)},
            "/v1/relays/{relay_id}/history": {"get": operation(
                "The relay's changes, refusals and failsafe trips, newest first", "read",
                {"200": response("the history", "RelayHistory")},
                params=[*relay, *paging("limit", "offset", "before", "after")])},
        },
        "schemas": SCHEMAS,
    }
