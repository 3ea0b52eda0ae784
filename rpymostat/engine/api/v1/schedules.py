"""``/v1/schedules``: recurring rules, and the settings that apply to all of them (the time zone among them)."""

from __future__ import annotations

from typing import Any

from rpymostat.engine.api.app import Call, Reply
from rpymostat.engine.api.errors import not_found
from rpymostat.engine.api.routing import route
from rpymostat.engine.api.v1.openapi import TIMESTAMP, operation, paging, path_param, ref, response
from rpymostat.engine.api.v1.rule_common import (
    IGNORED,
    INSTRUCTION_PROPERTIES,
    INSTRUCTION_REQUIRED,
    LIST_PARAMS,
    NAME,
    READ_ONLY,
    SETPOINTS_BY_MODE,
    WEIGHTS,
    at_most_one_of,
    one_of_needed,
    page,
    refused,
)
from rpymostat.engine.schedules.book import RuleBook
from rpymostat.engine.schedules.ruleset import RuleSet
from rpymostat.engine.schedules.settings import settings_to_dict
from rpymostat.scheduling.errors import ScheduleValidationError
from rpymostat.scheduling.model import Schedule
from rpymostat.scheduling.validation import DURATION_PATTERN
from rpymostat.scheduling.wire import schedule_to_dict

SETTINGS_PATH = "/v1/schedules/settings"


def settings_json(rules: RuleSet, timezone: str) -> dict[str, Any]:
    """The stored settings, and what actually applies: the weights where a rule names no sensor, the zone."""
    return {**settings_to_dict(rules.settings), "effective_sensors": rules.default_weights,
            "effective_timezone": timezone}


class SchedulesAPI:
    def __init__(self, book: RuleBook) -> None:
        self.book = book

    @route("/v1/schedules")
    async def list(self, call: Call) -> dict[str, Any]:
        rules = await self.book.rules()
        ordered = sorted(rules.schedules, key=lambda rule: (rule.created_at, rule.id))
        return {"schedules": page(call, ordered, lambda rule: rule.id, schedule_to_dict)}

    @route("/v1/schedules", methods=["POST"], role="write")
    async def create(self, call: Call) -> Reply:
        body = call.json_object()
        try:
            schedule = await self.book.create_schedule(body)
        except ScheduleValidationError as exc:
            raise refused(exc) from None
        return Reply(schedule_to_dict(schedule), 201, headers={"Location": f"/v1/schedules/{schedule.id}"})

    @route(SETTINGS_PATH)
    async def settings(self, call: Call) -> dict[str, Any]:
        return await self._settings_json()

    @route(SETTINGS_PATH, methods=["PUT"], role="write")
    async def replace_settings(self, call: Call) -> dict[str, Any]:
        return await self._change_settings(call, partial=False)

    @route(SETTINGS_PATH, methods=["PATCH"], role="write")
    async def change_settings(self, call: Call) -> dict[str, Any]:
        return await self._change_settings(call, partial=True)

    async def _change_settings(self, call: Call, partial: bool) -> dict[str, Any]:
        body = call.json_object()
        try:
            await self.book.change_settings(body, partial=partial)
        except ScheduleValidationError as exc:
            raise refused(exc) from None
        return await self._settings_json()

    async def _settings_json(self) -> dict[str, Any]:
        rules = await self.book.rules()
        return settings_json(rules, self.book.timeline.timezone)

    async def _existing(self, rule_id: str) -> Schedule:
        schedule = (await self.book.rules()).schedule(rule_id)
        if schedule is None:
            raise not_found(f"no schedule with ID {rule_id!r}")
        return schedule

    @route("/v1/schedules/<rule_id>")
    async def get(self, call: Call) -> dict[str, Any]:
        return schedule_to_dict(await self._existing(call.params["rule_id"]))

    @route("/v1/schedules/<rule_id>", methods=["PUT"], role="write")
    async def replace(self, call: Call) -> dict[str, Any]:
        body = call.json_object()
        rule_id = call.params["rule_id"]
        try:
            schedule = await self.book.replace_schedule(rule_id, body)
        except ScheduleValidationError as exc:
            raise refused(exc) from None
        if schedule is None:
            raise not_found(f"no schedule with ID {rule_id!r}")
        return schedule_to_dict(schedule)

    @route("/v1/schedules/<rule_id>", methods=["DELETE"], role="write")
    async def delete(self, call: Call) -> dict[str, Any]:
        rule_id = call.params["rule_id"]
        schedule = await self.book.delete_schedule(rule_id)
        if schedule is None:
            raise not_found(f"no schedule with ID {rule_id!r}")
        return schedule_to_dict(schedule)


CRON = {
    "type": "string", "pattern": r"^\s*\S+(\s+\S+){4}\s*$",
    "description": "five-field cron expression (minute hour day month weekday) in the home's time zone; one that "
                   "croniter cannot read or that matches no date is refused with 422",
}
_ENDINGS = {
    "duration": {"type": ["string", "null"], "pattern": DURATION_PATTERN,
                 "description": "ISO 8601 duration of each occurrence in weeks, days, hours, minutes or seconds, "
                                "e.g. PT2H: above zero and at most 7 days"},
    "end_cron": {**CRON, "type": ["string", "null"],
                 "description": "each occurrence ends at the next match of this five-field cron expression"},
}
_SCHEDULE_FIELDS = {
    "name": NAME,
    "cron": CRON,
    **_ENDINGS,
    "enabled": {"type": "boolean"},
    **INSTRUCTION_PROPERTIES,
}
_SETTINGS_FIELDS = {
    "paused": {"type": "boolean", "description": "true sets every schedule aside (vacation); overrides still apply"},
    "default_instruction": ref("InstructionIn"),
    "default_sensors": {**WEIGHTS, "description": "weights used where an instruction names no sensor; "
                                                  "{} means every visible sensor, equally"},
    "timezone": {"type": ["string", "null"], "maxLength": 64,
                 "description": "IANA time zone in which schedules are evaluated and times are told, e.g. "
                                "Europe/London; null follows RPYMOSTAT_TIMEZONE. A name the engine's time zone "
                                "data does not know is refused with 422"},
}


def openapi_fragment() -> dict[str, Any]:
    """Paths and schemas of ``/v1/schedules`` for the OpenAPI document."""
    rule_id = [path_param("rule_id")]
    return {
        "paths": {
            "/v1/schedules": {
                "get": operation("Every schedule, oldest first (full=false: IDs only)", "read",
                                 {"200": response("the schedules", "ScheduleList")}, params=paging(*LIST_PARAMS)),
                "post": operation("Create a schedule; the engine assigns its ID", "write",
                                  {"201": response("the stored schedule", "Schedule")}, body="ScheduleIn"),
            },
            "/v1/schedules/{rule_id}": {
                "get": operation("One schedule", "read", {"200": response("the schedule", "Schedule")},
                                 params=rule_id),
                "put": operation("Replace a schedule (it keeps its ID and creation time)", "write",
                                 {"200": response("the stored schedule", "Schedule")}, body="ScheduleIn",
                                 params=rule_id),
                "delete": operation("Delete a schedule", "write",
                                    {"200": response("the deleted schedule", "Schedule")}, params=rule_id),
            },
            SETTINGS_PATH: {
                "get": operation("Pause state, default instruction, default sensor weights and time zone", "read",
                                 {"200": response("the settings", "ScheduleSettings")}),
                "put": operation("Replace the settings; fields left out take their defaults", "write",
                                 {"200": response("the settings", "ScheduleSettings")}, body="ScheduleSettingsIn"),
                "patch": operation("Change some settings, e.g. {\"paused\": true} or {\"timezone\": \"Europe/Paris\"}",
                                   "write",
                                   {"200": response("the settings", "ScheduleSettings")}, body="ScheduleSettingsIn"),
            },
        },
        "schemas": {
            "InstructionIn": {
                "type": "object",
                "required": ["mode"],
                "additionalProperties": False,
                "properties": INSTRUCTION_PROPERTIES,
                "allOf": SETPOINTS_BY_MODE,
            },
            "Instruction": {
                "type": "object",
                "required": INSTRUCTION_REQUIRED,
                "properties": INSTRUCTION_PROPERTIES,
            },
            "ScheduleIn": {
                "type": "object",
                "description": "exactly one of duration and end_cron (null counts as absent)",
                "required": ["cron", "mode"],
                "additionalProperties": False,
                "properties": {**_SCHEDULE_FIELDS, **READ_ONLY},
                "allOf": [*SETPOINTS_BY_MODE, at_most_one_of("duration", "end_cron"),
                          one_of_needed("duration", "end_cron")],
            },
            "Schedule": {
                "type": "object",
                "required": ["id", "name", "cron", "enabled", "created_at", *INSTRUCTION_REQUIRED],
                "properties": {**_SCHEDULE_FIELDS, "id": {"type": "string"}, "created_at": TIMESTAMP},
            },
            "ScheduleList": {
                "type": "object",
                "required": ["schedules"],
                "properties": {"schedules": {"type": "array", "items": {"anyOf": [ref("Schedule"), {"type": "string"}]}}},
            },
            "ScheduleSettingsIn": {
                "type": "object",
                "additionalProperties": False,
                "properties": {**_SETTINGS_FIELDS, "effective_sensors": IGNORED, "effective_timezone": IGNORED},
            },
            "ScheduleSettings": {
                "type": "object",
                "required": ["paused", "default_instruction", "default_sensors", "timezone", "effective_sensors",
                             "effective_timezone"],
                "properties": {
                    **_SETTINGS_FIELDS,
                    "default_instruction": ref("Instruction"),
                    "effective_sensors": {**WEIGHTS, "description": "the weights that apply where an instruction "
                                                                    "names no sensor"},
                    "effective_timezone": {"type": "string", "description": "the zone in force: timezone, or "
                                                                            "RPYMOSTAT_TIMEZONE when that is null"},
                },
            },
        },
    }
