"""``/v1/reactions/rules``: the user's own reactions, "when an event matches F, do A"."""

from __future__ import annotations

import secrets
from typing import Any

from rpymostat.decisions.event_rules import ACTIONS, FILTER_FIELDS
from rpymostat.engine.api.app import Call, Reply
from rpymostat.engine.api.errors import not_found, unprocessable
from rpymostat.engine.api.requests import is_number
from rpymostat.engine.api.routing import route
from rpymostat.engine.api.v1.event_filter import parse_event_filter
from rpymostat.engine.api.v1.openapi import operation, path_param, ref, response
from rpymostat.engine.device_events import MAX_TEXT
from rpymostat.engine.reactions import RULES, Reactions

FIELDS = {"name", "enabled", "when", "action", "preset", "step", "duration", "resume_when", "max_pause"}
IGNORED = {"id", "in_force"}
MAX_RULES = 50


def _filter(value: Any, field: str) -> dict[str, str]:
    return parse_event_filter(value, FILTER_FIELDS, field)


def _seconds(body: dict[str, Any], field: str, low: float, high: float) -> float:
    value = body[field]
    if not is_number(value) or not low <= value <= high:
        raise unprocessable(f"{field} must be a number of seconds from {low:g} to {high:g}")
    return float(value)


def parse_rule(body: dict[str, Any], presets: set[str]) -> dict[str, Any]:
    """A rule as it is stored; a 422 naming the field otherwise."""
    unknown = sorted(set(body) - FIELDS - IGNORED)
    if unknown:
        raise unprocessable(f"unknown field(s): {', '.join(unknown)}")
    name = body.get("name", "")
    if not isinstance(name, str) or len(name) > 100:
        raise unprocessable("name must be a string of at most 100 characters")
    enabled = body.get("enabled", True)
    if not isinstance(enabled, bool):
        raise unprocessable("enabled must be true or false")
    if "when" not in body:
        raise unprocessable("when field is missing")
    action = body.get("action")
    if action not in ACTIONS:
        raise unprocessable(f"action must be one of {', '.join(ACTIONS)}")
    rule: dict[str, Any] = {"name": name, "enabled": enabled, "when": _filter(body["when"], "when"),
                            "action": action, "preset": None, "step": None, "duration": None, "resume_when": None,
                            "max_pause": 3600.0 if action == "pause" else None}
    allowed = {"preset": {"preset", "duration"}, "step": {"step", "duration"},
               "pause": {"resume_when", "max_pause"}}[action]
    extra = sorted(name for name in ("preset", "step", "duration", "resume_when", "max_pause")
                   if body.get(name) is not None and name not in allowed)
    if extra:
        raise unprocessable(f"{extra[0]} does not go with action {action}")
    if action == "preset":
        if body.get("preset") not in presets:
            raise unprocessable(f"preset must be one of {', '.join(sorted(presets))}")
        rule["preset"] = body["preset"]
    if action == "step":
        step: Any = body.get("step")
        if not is_number(step) or not -10 <= step <= 10 or step == 0:
            raise unprocessable("step must be a number of °C from -10 to 10, not 0")
        rule["step"] = float(step)
    if action in ("preset", "step") and body.get("duration") is not None:
        rule["duration"] = _seconds(body, "duration", 60, 7 * 86400)
    if action == "pause":
        if body.get("resume_when") is not None:
            rule["resume_when"] = _filter(body["resume_when"], "resume_when")
        if body.get("max_pause") is not None:
            rule["max_pause"] = _seconds(body, "max_pause", 60, 7 * 86400)
    return rule


class ReactionRulesAPI:
    def __init__(self, reactions: Reactions) -> None:
        self.reactions = reactions

    @property
    def store(self) -> Any:
        return self.reactions.context.store

    async def _listed(self) -> list[dict[str, Any]]:
        await self.reactions.load()
        active = self.reactions.activations
        return [{"id": rule_id, **data, "in_force": rule_id in active}
                for rule_id, data in await self.store.list_documents(RULES)]

    @route("/v1/reactions/rules")
    async def list(self, call: Call) -> dict[str, Any]:
        return {"rules": await self._listed()}

    @route("/v1/reactions/rules", methods=["POST"], role="write")
    async def create(self, call: Call) -> Reply:
        rule = parse_rule(call.json_object(), set(self.reactions.presets()))
        if len(await self.store.list_documents(RULES)) >= MAX_RULES:
            raise unprocessable(f"there may be at most {MAX_RULES} reaction rules")
        rule_id = secrets.token_hex(6)
        await self.store.put_document(RULES, rule_id, rule)
        await self.reactions.rules_changed()
        return Reply({"id": rule_id, **rule, "in_force": False}, 201)

    async def _existing(self, rule_id: str) -> dict[str, Any]:
        data = await self.store.get_document(RULES, rule_id)
        if data is None:
            raise not_found(f"no reaction rule with ID {rule_id!r}")
        return data

    @route("/v1/reactions/rules/<rule_id>")
    async def get(self, call: Call) -> dict[str, Any]:
        rule_id = call.params["rule_id"]
        data = await self._existing(rule_id)
        return {"id": rule_id, **data, "in_force": rule_id in self.reactions.activations}

    @route("/v1/reactions/rules/<rule_id>", methods=["PUT"], role="write")
    async def replace(self, call: Call) -> dict[str, Any]:
        rule_id = call.params["rule_id"]
        rule = parse_rule(call.json_object(), set(self.reactions.presets()))
        await self._existing(rule_id)
        await self.store.put_document(RULES, rule_id, rule)
        await self.reactions.rules_changed()
        return {"id": rule_id, **rule, "in_force": rule_id in self.reactions.activations}

    @route("/v1/reactions/rules/<rule_id>", methods=["DELETE"], role="write")
    async def delete(self, call: Call) -> dict[str, Any]:
        rule_id = call.params["rule_id"]
        data = await self._existing(rule_id)
        await self.store.delete_document(RULES, rule_id)
        await self.reactions.rules_changed()
        return {"id": rule_id, **data, "in_force": False}


def openapi_fragment() -> dict[str, Any]:
    rule_id = path_param("rule_id")
    text = {"type": "string", "minLength": 1, "maxLength": MAX_TEXT}
    event_filter = {"type": "object", "additionalProperties": False,
                    "properties": {name: text for name in FILTER_FIELDS},
                    "description": "each field equal to the event's (ignoring case); absent or * for any"}
    seconds = {"type": ["number", "null"], "minimum": 60, "maximum": 7 * 86400}
    properties = {
        "name": {"type": "string", "maxLength": 100}, "enabled": {"type": "boolean"}, "when": event_filter,
        "action": {"enum": list(ACTIONS)},
        "preset": {"type": ["string", "null"], "description": "action preset: the preset whose targets apply"},
        "step": {"type": ["number", "null"], "minimum": -10, "maximum": 10,
                 "description": "action step: °C added to the targets (not 0)"},
        "duration": {**seconds, "description": "preset and step: how long; null: until the next scheduled change"},
        "resume_when": {"anyOf": [{"type": "null"}, event_filter],
                        "description": "pause: the event that ends the pause"},
        "max_pause": {**seconds, "description": "pause: the longest it lasts (default 3600)"},
    }
    return {
        "paths": {
            "/v1/reactions/rules": {
                "get": operation("The user's reaction rules", "read", {"200": response("the rules", "RuleList")}),
                "post": operation("Add a rule: when an event matches, switch to a preset, move the targets by a "
                                  "step, or pause heating and cooling", "write",
                                  {"201": response("the rule", "ReactionRule")}, body="ReactionRuleIn"),
            },
            "/v1/reactions/rules/{rule_id}": {
                "get": operation("One rule", "read", {"200": response("the rule", "ReactionRule")},
                                 params=[rule_id]),
                "put": operation("Replace a rule (e.g. switch it off with enabled false)", "write",
                                 {"200": response("the rule", "ReactionRule")}, body="ReactionRuleIn",
                                 params=[rule_id]),
                "delete": operation("Delete a rule; what it does stops at once", "write",
                                    {"200": response("the deleted rule", "ReactionRule")}, params=[rule_id]),
            },
        },
        "schemas": {
            "ReactionRuleIn": {"type": "object", "required": ["when", "action"], "additionalProperties": False,
                               "properties": {
                **properties, "id": {"description": "ignored in bodies"}, "in_force": {"description": "ignored"}}},
            "ReactionRule": {"type": "object", "required": ["id", "name", "enabled", "when", "action", "in_force"],
                             "properties": {**properties, "id": {"type": "string"}, "in_force": {"type": "boolean"}}},
            "RuleList": {"type": "object", "required": ["rules"],
                         "properties": {"rules": {"type": "array", "items": ref("ReactionRule")}}},
        },
    }
