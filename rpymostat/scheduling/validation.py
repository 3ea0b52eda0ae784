"""Turn JSON-like request bodies into schedules, overrides and adjustments.

Every refusal is a :class:`ScheduleValidationError` whose message names the
field in plain words, so the API can return it as it is and store nothing.
The set of known sensors and the setpoint limits are arguments: they live in
storage and configuration, which this pure module must not reach into.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import isodate
from croniter import CroniterBadDateError, CroniterError, croniter

from rpymostat.common.timeutil import TimestampError, from_iso, representable
from rpymostat.scheduling.errors import ScheduleValidationError
from rpymostat.scheduling.instruction import FAN_MODES, MODES, Instruction
from rpymostat.scheduling.model import Adjustment, Override, Schedule
from rpymostat.scheduling.presets import BUILT_IN, Preset

# Bounds the look-back when resolving, and no home needs one occurrence of
# a recurring rule to last longer; a longer stay is an override.
MAX_OCCURRENCE = 7 * 86400.0
MAX_NAME_LENGTH = 100
# The durations a rule may have, as a pattern the OpenAPI document states too: ISO 8601 weeks, days,
# hours, minutes and seconds (decimal fractions of the time parts allowed), at least one of them not zero.
# "$(?!\n)" ends the text in both JSON Schema's (ECMA) and Python's reading of the pattern.
DURATION_PATTERN = (r"^P(?=.*[1-9])([0-9]+W)?([0-9]+D)?"
                    r"(T(?=[0-9])([0-9]+(\.[0-9]+)?H)?([0-9]+(\.[0-9]+)?M)?([0-9]+(\.[0-9]+)?S)?)?$(?!\n)")
NEXT_CHANGE = "next_change"

INSTRUCTION_FIELDS = frozenset({"mode", "heat_setpoint", "cool_setpoint", "fan", "sensors", "tolerance", "preset"})
_READ_ONLY_FIELDS = frozenset({"id", "created_at"})
_SCHEDULE_FIELDS = INSTRUCTION_FIELDS | {"name", "cron", "duration", "end_cron", "enabled"}
_OVERRIDE_FIELDS = INSTRUCTION_FIELDS | {"name", "kind", "start", "end", "duration", "until"}
_KINDS = ("override", "adjustment")


@dataclass(frozen=True)
class SetpointLimits:
    """What the installation allows; the engine builds it from configuration.

    ``presets`` are the named targets a rule may use instead of numbers
    (the built-in ones unless the engine passes the saved ones).
    """

    minimum: float = 5.0
    maximum: float = 35.0
    auto_min_gap: float = 1.0
    max_tolerance: float = 5.0
    presets: Mapping[str, Preset] = field(default_factory=lambda: dict(BUILT_IN))


def parse_schedule(
    data: Any,
    *,
    rule_id: str,
    created_at: float,
    known_sensors: Collection[str],
    limits: SetpointLimits,
) -> Schedule:
    """Validate a schedule body; ``rule_id`` and ``created_at`` come from the caller."""
    body = _object(data, _SCHEDULE_FIELDS)
    cron = _cron(body, "cron")
    end_cron = _cron(body, "end_cron") if body.get("end_cron") is not None else None
    has_duration = body.get("duration") is not None
    if has_duration and end_cron is not None:
        raise ScheduleValidationError("duration", "give either duration or end_cron, not both")
    if not has_duration and end_cron is None:
        raise ScheduleValidationError("duration", "duration or end_cron is required")
    duration = _duration(body) if has_duration else None
    if duration is not None and duration > MAX_OCCURRENCE:
        raise ScheduleValidationError("duration", "duration must be at most 7 days; use an override for longer")
    enabled = body.get("enabled", True)
    if not isinstance(enabled, bool):
        raise ScheduleValidationError("enabled", "enabled must be true or false")
    return Schedule(
        id=rule_id,
        name=_name(body),
        cron=cron,
        duration=duration,
        end_cron=end_cron,
        instruction=_instruction(body, known_sensors, limits),
        created_at=created_at,
        enabled=enabled,
    )


def parse_override(
    data: Any,
    *,
    rule_id: str,
    now: float,
    known_sensors: Collection[str],
    limits: SetpointLimits,
    created_at: float | None = None,
) -> Override:
    """Validate an override body; ``"start": "now"`` makes an instant adjustment.

    ``kind`` may force the rank ("override" or "adjustment") so that a body
    read back from the API round-trips; by default a rule starting "now" is
    an adjustment and any other an override. ``created_at`` defaults to
    ``now`` (a new rule); pass the stored value when replacing one.
    """
    body = _object(data, _OVERRIDE_FIELDS)
    starts_now = body.get("start") == "now"
    start = now if starts_now else _timestamp(body, "start", ' or "now"')
    kind = body.get("kind", "adjustment" if starts_now else "override")
    if kind not in _KINDS:
        raise ScheduleValidationError("kind", "kind must be override or adjustment")
    endings = [name for name in ("end", "duration", "until") if body.get(name) is not None]
    if len(endings) > 1:
        raise ScheduleValidationError(endings[1], "give only one of end, duration or until")
    ending = endings[0] if endings else None
    if ending is None and kind == "override":
        raise ScheduleValidationError("end", "end, duration or until is required")
    end: float | None
    if ending == "end":
        end = _timestamp(body, "end", "")
        if end <= start:
            raise ScheduleValidationError("end", "end must be after start")
    elif ending == "duration":
        end = start + _duration(body)
        if not representable(end):
            raise ScheduleValidationError("duration", "start plus duration must end before the year 10000")
    else:
        if ending == "until" and body["until"] != NEXT_CHANGE:
            raise ScheduleValidationError("until", f"until must be \"{NEXT_CHANGE}\"")
        end = None
    rule = Adjustment if kind == "adjustment" else Override
    return rule(
        id=rule_id,
        name=_name(body),
        start=start,
        end=end,
        instruction=_instruction(body, known_sensors, limits),
        created_at=now if created_at is None else created_at,
    )


def _object(data: Any, allowed: frozenset[str]) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise ScheduleValidationError("body", "the body must be a JSON object")
    for key in data:
        if key not in allowed and key not in _READ_ONLY_FIELDS:
            raise ScheduleValidationError(str(key), f"unknown field {key!r}")
    return data


def _name(body: Mapping[str, Any]) -> str:
    name = body.get("name", "")
    if not isinstance(name, str):
        raise ScheduleValidationError("name", "name must be a string")
    if len(name) > MAX_NAME_LENGTH:
        raise ScheduleValidationError("name", f"name must be at most {MAX_NAME_LENGTH} characters")
    return name


def _cron(body: Mapping[str, Any], field: str) -> str:
    expr = body.get(field)
    if not isinstance(expr, str):
        raise ScheduleValidationError(field, f"{field} must be a cron expression such as \"0 6 * * 1-5\"")
    fields = expr.split()
    if len(fields) != 5:
        raise ScheduleValidationError(
            field, f"{field} must have 5 fields (minute hour day month weekday), not {len(fields)}"
        )
    try:
        croniter(expr, datetime(2000, 1, 1)).get_next(datetime)
    except CroniterBadDateError:
        raise ScheduleValidationError(field, f"{field} never matches any date: {expr}") from None
    except (CroniterError, ValueError, KeyError) as exc:
        raise ScheduleValidationError(field, f"{field} is not a valid cron expression: {exc}") from None
    return " ".join(fields)


def _duration(body: Mapping[str, Any]) -> float:
    text = body["duration"]
    if not isinstance(text, str):
        raise ScheduleValidationError("duration", "duration must be an ISO 8601 duration such as \"PT8H\"")
    try:
        parsed = isodate.parse_duration(text)
    except OverflowError:
        raise ScheduleValidationError("duration", "duration is too long: at most 7 days for a schedule, and an "
                                                  "override must end before the year 10000") from None
    except (isodate.ISO8601Error, ValueError) as exc:
        raise ScheduleValidationError(
            "duration", f"duration is not an ISO 8601 duration such as \"PT8H\": {exc}"
        ) from None
    if not isinstance(parsed, timedelta):
        raise ScheduleValidationError(
            "duration", "duration must be in weeks, days, hours, minutes or seconds, not years or months"
        )
    seconds = parsed.total_seconds()
    if seconds <= 0:
        raise ScheduleValidationError("duration", "duration must be longer than zero")
    if not re.search(DURATION_PATTERN, text):
        raise ScheduleValidationError(
            "duration", "duration must be written as whole weeks and days and hours, minutes or seconds "
                        "(decimals allowed), such as \"PT8H\" or \"P1DT12H\"")
    return seconds


def _timestamp(body: Mapping[str, Any], field: str, alternative: str) -> float:
    if body.get(field) is None:
        raise ScheduleValidationError(field, f"{field} is required")
    try:
        return from_iso(body[field])
    except TimestampError as exc:
        raise ScheduleValidationError(
            field, f"{field} must be an ISO 8601 date and time with a time zone{alternative}: {exc}"
        ) from None


def _instruction(body: Mapping[str, Any], known_sensors: Collection[str], limits: SetpointLimits) -> Instruction:
    mode = body.get("mode")
    if mode not in MODES:
        raise ScheduleValidationError("mode", f"mode must be one of {', '.join(MODES)}")
    preset = body.get("preset")
    heat: float | None
    cool: float | None
    if preset is not None:
        if not isinstance(preset, str) or preset not in limits.presets:
            raise ScheduleValidationError("preset", f"preset must be one of {', '.join(sorted(limits.presets))}")
        # The preset's targets, as they are now: a rule read again after a preset changed follows it.
        heat, cool = limits.presets[preset].heat_setpoint, limits.presets[preset].cool_setpoint
    else:
        heat = _setpoint(body, "heat_setpoint", limits, required=mode in ("heat", "auto"), mode=mode)
        cool = _setpoint(body, "cool_setpoint", limits, required=mode in ("cool", "auto"), mode=mode)
    if mode == "auto" and heat is not None and cool is not None and cool - heat < limits.auto_min_gap:
        raise ScheduleValidationError(
            "cool_setpoint",
            f"cool_setpoint must be at least {limits.auto_min_gap:g} °C above heat_setpoint in auto mode",
        )
    fan = body.get("fan", "auto")
    if fan not in FAN_MODES:
        raise ScheduleValidationError("fan", f"fan must be one of {', '.join(FAN_MODES)}")
    return Instruction(
        mode=mode,
        heat_setpoint=heat,
        cool_setpoint=cool,
        fan=fan,
        sensors=_sensors(body, known_sensors),
        tolerance=_tolerance(body, limits),
        preset=preset,
    )


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value)


def _setpoint(
    body: Mapping[str, Any], field: str, limits: SetpointLimits, *, required: bool, mode: str
) -> float | None:
    value = body.get(field)
    if value is None:
        if required:
            raise ScheduleValidationError(field, f"{field} is required in {mode} mode")
        return None
    number = _number(value)
    if number is None or not limits.minimum <= number <= limits.maximum:
        raise ScheduleValidationError(
            field, f"{field} must be between {limits.minimum:g} and {limits.maximum:g} °C"
        )
    return number


def _sensors(body: Mapping[str, Any], known_sensors: Collection[str]) -> dict[str, float]:
    sensors = body.get("sensors", {})
    if not isinstance(sensors, Mapping):
        raise ScheduleValidationError("sensors", "sensors must be an object mapping sensor IDs to weights")
    weights: dict[str, float] = {}
    for sensor_id, weight in sensors.items():
        if sensor_id not in known_sensors:
            raise ScheduleValidationError("sensors", f"sensors: unknown sensor {sensor_id!r}")
        number = _number(weight)
        if number is None or number <= 0:
            raise ScheduleValidationError("sensors", f"sensors: the weight of {sensor_id!r} must be a number above 0")
        weights[sensor_id] = number
    return weights


def _tolerance(body: Mapping[str, Any], limits: SetpointLimits) -> float | None:
    value = body.get("tolerance")
    if value is None:
        return None
    number = _number(value)
    if number is None or not 0 <= number <= limits.max_tolerance:
        raise ScheduleValidationError("tolerance", f"tolerance must be between 0 and {limits.max_tolerance:g} °C")
    return number
