"""``/v1/overrides``: one-time rules, and instant adjustments (overrides that start now)."""

from __future__ import annotations

from typing import Any

from rpymostat.engine.api.app import Call, Reply
from rpymostat.engine.api.errors import not_found
from rpymostat.engine.api.routing import route
from rpymostat.engine.api.v1.openapi import TIMESTAMP, operation, paging, path_param, ref, response
from rpymostat.engine.api.v1.rule_common import (
    INSTRUCTION_PROPERTIES,
    INSTRUCTION_REQUIRED,
    LIST_PARAMS,
    NAME,
    READ_ONLY,
    SETPOINTS_BY_MODE,
    at_most_one_of,
    one_of_needed,
    page,
    refused,
)
from rpymostat.engine.schedules.book import RuleBook
from rpymostat.scheduling.errors import ScheduleValidationError
from rpymostat.scheduling.model import Override
from rpymostat.scheduling.validation import DURATION_PATTERN, NEXT_CHANGE
from rpymostat.scheduling.wire import override_to_dict


class OverridesAPI:
    def __init__(self, book: RuleBook) -> None:
        self.book = book

    @route("/v1/overrides")
    async def list(self, call: Call) -> dict[str, Any]:
        ordered = sorted(await self.book.active_overrides(), key=lambda rule: (rule.start, rule.created_at, rule.id))
        return {"overrides": page(call, ordered, lambda rule: rule.id, override_to_dict)}

    @route("/v1/overrides", methods=["POST"], role="write")
    async def create(self, call: Call) -> Reply:
        body = call.json_object()
        try:
            override = await self.book.create_override(body)
        except ScheduleValidationError as exc:
            raise refused(exc) from None
        return Reply(override_to_dict(override), 201, headers={"Location": f"/v1/overrides/{override.id}"})

    async def _existing(self, rule_id: str) -> Override:
        override = next((rule for rule in await self.book.active_overrides() if rule.id == rule_id), None)
        if override is None:
            raise not_found(f"no override with ID {rule_id!r} (it may have ended)")
        return override

    @route("/v1/overrides/<rule_id>")
    async def get(self, call: Call) -> dict[str, Any]:
        return override_to_dict(await self._existing(call.params["rule_id"]))

    @route("/v1/overrides/<rule_id>", methods=["PUT"], role="write")
    async def replace(self, call: Call) -> dict[str, Any]:
        body = call.json_object()
        rule_id = call.params["rule_id"]
        try:
            override = await self.book.replace_override(rule_id, body)
        except ScheduleValidationError as exc:
            raise refused(exc) from None
        if override is None:
            raise not_found(f"no override with ID {rule_id!r} (it may have ended)")
        return override_to_dict(override)

    @route("/v1/overrides/<rule_id>", methods=["DELETE"], role="write")
    async def delete(self, call: Call) -> dict[str, Any]:
        rule_id = call.params["rule_id"]
        override = await self.book.delete_override(rule_id)
        if override is None:
            raise not_found(f"no override with ID {rule_id!r} (it may have ended)")
        return override_to_dict(override)


_OVERRIDE_FIELDS = {
    "name": NAME,
    "kind": {"enum": ["override", "adjustment"],
             "description": "adjustments outrank overrides; a rule starting \"now\" is an adjustment unless told"},
    "end": TIMESTAMP,
    "until": {"const": NEXT_CHANGE, "description": "end at the next change of the schedules"},
    **INSTRUCTION_PROPERTIES,
}
# Told so, or left to the default, which is an override unless it starts "now".
IS_AN_OVERRIDE = {"anyOf": [
    {"required": ["kind"], "properties": {"kind": {"const": "override"}}},
    {"not": {"required": ["kind"]}, "properties": {"start": {"not": {"const": "now"}}}},
]}
# In a body, null is the same as leaving an ending out.
_ENDINGS_IN = {
    "end": {"anyOf": [TIMESTAMP, {"type": "null"}], "description": "after start, and not already past"},
    "duration": {"type": ["string", "null"], "pattern": DURATION_PATTERN, "description": "ISO 8601 duration above zero, e.g. PT1H; start plus duration "
                                                     "must end before the year 10000 (UTC)"},
    "until": {"enum": [NEXT_CHANGE, None],
              "description": "end at the next change of the schedules, which must not be already past"},
}


def openapi_fragment() -> dict[str, Any]:
    """Paths and schemas of ``/v1/overrides`` for the OpenAPI document."""
    rule_id = [path_param("rule_id")]
    return {
        "paths": {
            "/v1/overrides": {
                "get": operation("Overrides and adjustments not yet over, by start (full=false: IDs only)", "read",
                                 {"200": response("the overrides", "OverrideList")}, params=paging(*LIST_PARAMS)),
                "post": operation("Create an override; \"start\": \"now\" makes an instant adjustment", "write",
                                  {"201": response("the stored override", "Override")}, body="OverrideIn"),
            },
            "/v1/overrides/{rule_id}": {
                "get": operation("One override", "read", {"200": response("the override", "Override")},
                                 params=rule_id),
                "put": operation("Replace an override (it keeps its ID and creation time)", "write",
                                 {"200": response("the stored override", "Override")}, body="OverrideIn",
                                 params=rule_id),
                "delete": operation("Delete an override, ending it now", "write",
                                    {"200": response("the deleted override", "Override")}, params=rule_id),
            },
        },
        "schemas": {
            "OverrideIn": {
                "type": "object",
                "required": ["start", "mode"],
                "additionalProperties": False,
                "description": "at most one of end, duration and until; an override (not an adjustment) needs one. "
                               "A rule that would already be over is refused with 422",
                "properties": {
                    **_OVERRIDE_FIELDS,
                    **_ENDINGS_IN,
                    "start": {"anyOf": [TIMESTAMP, {"const": "now"}]},
                    **READ_ONLY,
                },
                "allOf": [*SETPOINTS_BY_MODE, at_most_one_of("end", "duration", "until"),
                          {"if": IS_AN_OVERRIDE, "then": one_of_needed("end", "duration", "until")}],
            },
            "Override": {
                "type": "object",
                "required": ["id", "name", "kind", "start", "created_at", *INSTRUCTION_REQUIRED],
                "properties": {**_OVERRIDE_FIELDS, "id": {"type": "string"}, "start": TIMESTAMP,
                               "created_at": TIMESTAMP},
            },
            "OverrideList": {
                "type": "object",
                "required": ["overrides"],
                "properties": {"overrides": {"type": "array", "items": {"anyOf": [ref("Override"), {"type": "string"}]}}},
            },
        },
    }
