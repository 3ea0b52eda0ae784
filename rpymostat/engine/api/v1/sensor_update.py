"""Validating ``PUT /v1/sensors/update`` bodies into readings.

The body keeps the seed's shape (``host_id`` and a ``sensors`` object keyed
by sensor ID with ``type``, ``value``, optional ``alias`` and ``extra``) and
adds two optional per-sensor fields for daemons that spool: ``at`` (when the
reading was taken, ISO 8601 UTC) and ``idempotency_key`` (a replay with the
same key is stored once). Every problem is reported naming its field, and
nothing is stored unless the whole body is valid.
"""

from __future__ import annotations

from typing import Any

from rpymostat.common.identity import ID_RULE, is_valid_id
from rpymostat.common.timeutil import TimestampError, from_iso
from rpymostat.engine.api.errors import unprocessable
from rpymostat.engine.api.requests import is_number
from rpymostat.engine.sensor_ranges import physical_range
from rpymostat.store.records import ReadingInput

MAX_SENSORS = 64
MAX_AGE_SECONDS = 366 * 86400
TOP_FIELDS = {"host_id", "sensors"}
SENSOR_FIELDS = {"type", "value", "alias", "extra", "at", "idempotency_key"}


def check_id(value: Any, what: str) -> str:
    """A host or sensor ID by the rule the daemons check at their start (:mod:`rpymostat.common.identity`)."""
    if not isinstance(value, str):
        raise unprocessable(f"{what} must be a string", what)
    if not is_valid_id(value):
        raise unprocessable(f"{what} must be {ID_RULE}", what)
    return value


def _optional_text(entry: dict[str, Any], name: str, where: str, max_length: int) -> str | None:
    value = entry.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise unprocessable(f"{where}.{name} must be a string or null", f"{where}.{name}")
    if len(value) > max_length:
        raise unprocessable(f"{where}.{name} must be at most {max_length} characters", f"{where}.{name}")
    return value


def parse_sensor_update(data: dict[str, Any], now: float, future_tolerance: float) -> tuple[str, list[ReadingInput]]:
    """(host_id, readings) of a valid body; raises a 422 ApiError otherwise."""
    if "host_id" not in data:
        raise unprocessable("host_id field is missing", "host_id")
    host_id = check_id(data["host_id"], "host_id")
    if "sensors" not in data:
        raise unprocessable("sensors field is missing", "sensors")
    unknown = sorted(set(data) - TOP_FIELDS)
    if unknown:
        raise unprocessable(f"unknown field(s): {', '.join(unknown)}")
    sensors = data["sensors"]
    if not isinstance(sensors, dict):
        raise unprocessable("sensors must be an object keyed by sensor ID", "sensors")
    if not sensors:
        raise unprocessable("sensors must contain at least one sensor", "sensors")
    if len(sensors) > MAX_SENSORS:
        raise unprocessable(f"sensors may hold at most {MAX_SENSORS} sensors per update", "sensors")
    readings = [_parse_sensor(sensor_id, entry, now, future_tolerance) for sensor_id, entry in sensors.items()]
    return host_id, readings


def _parse_sensor(sensor_id: str, entry: Any, now: float, future_tolerance: float) -> ReadingInput:
    where = f"sensors.{sensor_id}" if is_valid_id(sensor_id) else "sensors"
    check_id(sensor_id, "sensor ID (a key of sensors)")
    if not isinstance(entry, dict):
        raise unprocessable(f"{where} must be an object with type and value", where)
    unknown = sorted(set(entry) - SENSOR_FIELDS)
    if unknown:
        raise unprocessable(f"{where}: unknown field(s): {', '.join(unknown)}", where)
    if "type" not in entry:
        raise unprocessable(f"{where}.type field is missing", f"{where}.type")
    sensor_type = entry["type"]
    if not isinstance(sensor_type, str) or not 1 <= len(sensor_type) <= 64:
        raise unprocessable(f"{where}.type must be a string of 1 to 64 characters", f"{where}.type")
    if "value" not in entry:
        raise unprocessable(f"{where}.value field is missing (use null when there is no reading)", f"{where}.value")
    value = entry["value"]
    if value is not None:
        if not is_number(value):
            raise unprocessable(f"{where}.value must be a finite number of degrees Celsius or null", f"{where}.value")
        low, high = physical_range(sensor_type)
        if not low <= value <= high:
            raise unprocessable(f"{where}.value {value} °C is outside the range of a {sensor_type} ({low} to {high} °C)", f"{where}.value")
        value = float(value)
    at = now
    if entry.get("at") is not None:
        if not isinstance(entry["at"], str):
            raise unprocessable(f"{where}.at must be an ISO 8601 UTC timestamp string", f"{where}.at")
        try:
            at = from_iso(entry["at"])
        except TimestampError as exc:
            raise unprocessable(f"{where}.at: {exc}", f"{where}.at") from None
        if at > now + future_tolerance:
            raise unprocessable(f"{where}.at is in the future", f"{where}.at")
        if at < now - MAX_AGE_SECONDS:
            raise unprocessable(f"{where}.at is more than a year old", f"{where}.at")
    key = entry.get("idempotency_key")
    if key is not None and (not isinstance(key, str) or not 1 <= len(key) <= 128):
        raise unprocessable(f"{where}.idempotency_key must be a string of 1 to 128 characters", f"{where}.idempotency_key")
    return ReadingInput(
        sensor_id,
        sensor_type,
        value,
        at,
        alias=_optional_text(entry, "alias", where, 128),
        extra=_optional_text(entry, "extra", where, 1024),
        idempotency_key=key,
    )
