"""``/v1/decisions``: what the thermostat decided, why, and what holds it back."""

from __future__ import annotations

from typing import Any

from rpymostat.engine.api.app import Call
from rpymostat.engine.api.errors import ApiError
from rpymostat.engine.api.requests import MAX_LIMIT, bool_param, int_param, time_param
from rpymostat.engine.api.routing import route
from rpymostat.engine.api.v1.openapi import NULLABLE_TIMESTAMP, TIMESTAMP, operation, paging, ref, response
from rpymostat.engine.context import EngineContext
from rpymostat.engine.loop.decision_loop import DecisionLoop
from rpymostat.engine.loop.recording import DECISIONS_STREAM


class DecisionsAPI:
    def __init__(self, context: EngineContext, loop: DecisionLoop | None) -> None:
        self.context = context
        self.loop = loop

    @route("/v1/decisions/current")
    def current(self, call: Call) -> dict[str, Any]:
        if self.loop is None or self.loop.latest is None:
            raise ApiError(503, "the decision loop has not decided anything yet", code="not_decided_yet")
        return self.loop.latest

    @route("/v1/decisions")
    async def list(self, call: Call) -> dict[str, Any]:
        request = call.request
        full = bool_param(request, "full", True)
        limit = int_param(request, "limit", 100, 1, MAX_LIMIT)
        offset = int_param(request, "offset", 0, 0, 10**9)
        entries = await self.context.store.list_log(DECISIONS_STREAM, limit, offset, time_param(request, "before"),
                                                    time_param(request, "after"))
        if not full:
            return {"decisions": [{"id": e.entry_id, "at": e.data["at"], "desired": e.data["desired"],
                                   "summary": e.data["summary"]} for e in entries]}
        return {"decisions": [{"id": e.entry_id, **e.data} for e in entries]}


def openapi_fragment() -> dict[str, Any]:
    nullable_number = {"type": ["number", "null"]}
    return {
        "paths": {
            "/v1/decisions/current": {"get": operation(
                "The latest decision: what runs, why, lockouts, alerts, the temperature that counts", "read",
                {"200": response("the current decision", "Decision")})},
            "/v1/decisions": {"get": operation(
                "Recorded decisions, newest first (recorded on change and every 10 minutes)", "read",
                {"200": response("the decisions", "DecisionList")},
                params=paging("limit", "offset", "before", "after", "full"))},
        },
        "schemas": {
            "Decision": {
                "type": "object",
                "required": ["at", "desired", "reason", "summary", "plugin", "lockout", "alerts", "temperature",
                             "instruction", "equipment"],
                "properties": {
                    "id": {"type": "integer"},
                    "at": TIMESTAMP,
                    "desired": {"enum": ["heat", "cool", "fan", "idle"]},
                    "reason": {"type": "string"},
                    "summary": {"type": "string", "description": "one sentence for people"},
                    "plugin": {"type": "string"},
                    "lockout": {"anyOf": [{"type": "null"}, {
                        "type": "object",
                        "required": ["function", "action", "rule", "remaining", "description"],
                        "properties": {"function": {"type": "string"}, "action": {"enum": ["start", "stop"]},
                                       "rule": {"type": "string"}, "remaining": {"type": "number"},
                                       "description": {"type": "string"}},
                    }]},
                    "alerts": {"type": "array", "items": {
                        "type": "object", "required": ["code", "message"],
                        "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}},
                    "temperature": {"anyOf": [{"type": "null"}, {
                        "type": "object", "required": ["value", "weights", "dropped"],
                        "properties": {"value": {"type": "number"}, "weights": {"type": "object"},
                                       "dropped": {"type": "array"}}}]},
                    "outdoor": {**nullable_number, "description": "°C: the mean of the fresh outdoor sensors' last "
                                "values, null without one (absent from decisions recorded by older engines)"},
                    "instruction": {
                        "type": "object",
                        "required": ["mode", "heat_setpoint", "cool_setpoint", "fan", "source", "until"],
                        "properties": {"mode": {"enum": ["off", "heat", "cool", "auto"]},
                                       "heat_setpoint": nullable_number, "cool_setpoint": nullable_number,
                                       "fan": {"enum": ["auto", "on"]}, "sensors": {"type": "object"},
                                       "tolerance": nullable_number, "source": {"type": "string"},
                                       "until": NULLABLE_TIMESTAMP,
                                       "preset": {"type": "string",
                                                  "description": "the preset the rule named, if any"}}},
                    "reactions": {"type": "array", "items": ref("ReactionInForce"),
                                  "description": "reactions in force, e.g. heating and cooling paused while a "
                                                 "window is open; the reason and summary name them first"},
                    "equipment": {"type": "object", "additionalProperties": {
                        "type": "object", "required": ["on", "since"],
                        "properties": {"on": {"type": "boolean"}, "since": NULLABLE_TIMESTAMP}}},
                },
            },
            "DecisionList": {
                "type": "object", "required": ["decisions"],
                "properties": {"decisions": {"type": "array", "items": {"anyOf": [ref("Decision"), {
                    "type": "object", "required": ["id", "at", "desired", "summary"]}]}}},
            },
        },
    }
