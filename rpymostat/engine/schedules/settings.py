"""What applies to every rule: the pause switch, the default instruction and weights, the time zone.

They are stored as one engine setting so that a change is atomic, and they
are validated with the same rules (and messages) as a rule body. The time
zone chosen here overrides ``RPYMOSTAT_TIMEZONE``; ``None`` follows it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from rpymostat.config import parse_timezone
from rpymostat.scheduling.errors import ScheduleValidationError
from rpymostat.scheduling.instruction import Instruction
from rpymostat.scheduling.validation import INSTRUCTION_FIELDS, SetpointLimits, parse_schedule
from rpymostat.scheduling.wire import instruction_to_dict

SETTING_NAME = "schedule_settings"
SETTINGS_FIELDS = ("paused", "default_instruction", "default_sensors", "timezone")
READ_ONLY_FIELDS = frozenset({"effective_sensors", "effective_timezone"})
MAX_ZONE_LENGTH = 64  # the longest IANA name is about half this

# Any valid recurrence will do: only the instruction of the parsed rule is kept.
_PLACEHOLDER_RECURRENCE = {"cron": "0 0 * * *", "duration": "PT1H"}


@dataclass(frozen=True)
class ScheduleSettings:
    """``default_sensors`` empty means "every visible sensor, equally"; ``timezone`` None, the configured zone."""

    paused: bool = False
    default_instruction: Instruction = Instruction(mode="off")
    default_sensors: Mapping[str, float] = field(default_factory=dict)
    timezone: str | None = None


def parse_instruction(
    data: Any, field_name: str, known_sensors: Collection[str], limits: SetpointLimits
) -> Instruction:
    """An instruction alone, validated exactly as inside a schedule."""
    if not isinstance(data, Mapping):
        raise ScheduleValidationError(field_name, f"{field_name} must be an object such as {{\"mode\": \"off\"}}")
    for key in data:
        if key not in INSTRUCTION_FIELDS:
            raise ScheduleValidationError(f"{field_name}.{key}", f"{field_name}: unknown field {key!r}")
    try:
        schedule = parse_schedule(
            {**data, **_PLACEHOLDER_RECURRENCE},
            rule_id="default",
            created_at=0.0,
            known_sensors=known_sensors,
            limits=limits,
        )
    except ScheduleValidationError as exc:
        raise ScheduleValidationError(f"{field_name}.{exc.field}", f"{field_name}: {exc.message}") from None
    return schedule.instruction


def parse_weights(data: Any, known_sensors: Collection[str], limits: SetpointLimits) -> dict[str, float]:
    """Default sensor weights: known sensors, each weight above 0."""
    if not isinstance(data, Mapping):
        raise ScheduleValidationError(
            "default_sensors", "default_sensors must be an object mapping sensor IDs to weights"
        )
    try:
        instruction = parse_instruction({"mode": "off", "sensors": data}, "default_sensors", known_sensors, limits)
    except ScheduleValidationError as exc:
        message = exc.message.removeprefix("default_sensors: sensors: ")
        raise ScheduleValidationError("default_sensors", f"default_sensors: {message}") from None
    return dict(instruction.sensors)


def parse_zone(data: Any) -> str | None:
    """An IANA zone name that this machine's time zone data knows, or None to follow RPYMOSTAT_TIMEZONE."""
    if data is None:
        return None
    if not isinstance(data, str) or len(data) > MAX_ZONE_LENGTH:
        raise ScheduleValidationError(
            "timezone", "timezone must be an IANA time zone name such as Europe/London, or null for RPYMOSTAT_TIMEZONE"
        )
    try:
        return parse_timezone(data)
    except ValueError as exc:
        raise ScheduleValidationError("timezone", f"timezone: {exc}") from None


def parse_settings(
    data: Any,
    current: ScheduleSettings,
    *,
    partial: bool,
    known_sensors: Collection[str],
    limits: SetpointLimits,
) -> ScheduleSettings:
    """Validate a settings body; fields left out keep ``current`` when ``partial``, else their defaults."""
    if not isinstance(data, Mapping):
        raise ScheduleValidationError("body", "the body must be a JSON object")
    for key in data:
        if key not in SETTINGS_FIELDS and key not in READ_ONLY_FIELDS:
            raise ScheduleValidationError(str(key), f"unknown field {key!r}")
    base = current if partial else ScheduleSettings()
    paused = data.get("paused", base.paused)
    if not isinstance(paused, bool):
        raise ScheduleValidationError("paused", "paused must be true or false")
    instruction = base.default_instruction
    if "default_instruction" in data:
        instruction = parse_instruction(data["default_instruction"], "default_instruction", known_sensors, limits)
    weights = base.default_sensors
    if "default_sensors" in data:
        weights = parse_weights(data["default_sensors"], known_sensors, limits)
    zone = parse_zone(data["timezone"]) if "timezone" in data else base.timezone
    return ScheduleSettings(paused=paused, default_instruction=instruction, default_sensors=dict(weights),
                            timezone=zone)


def settings_to_dict(settings: ScheduleSettings) -> dict[str, Any]:
    """The stored form, which :func:`parse_settings` accepts back."""
    return {
        "paused": settings.paused,
        "default_instruction": instruction_to_dict(settings.default_instruction),
        "default_sensors": dict(settings.default_sensors),
        "timezone": settings.timezone,
    }
