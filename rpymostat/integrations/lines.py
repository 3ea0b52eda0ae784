"""Engine events as InfluxDB line protocol, each point at the time it happened.

A point's time is the reading's own time, the relay event's time as the
control daemon reported it, or the decision's time, all kept by the engine
with millisecond precision, so the same event always gives the same line.
InfluxDB keeps one point per series (measurement and tags) and time, so a
line sent twice overwrites itself: that is what makes re-sending after a
lost confirmation harmless. Pure functions; no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from rpymostat.common.timeutil import TimestampError, from_iso
from rpymostat.common.vocabulary import SWITCHES

__all__ = ["event_lines", "line"]

FieldValue = float | int | bool | str


def _escape_key(text: str) -> str:
    """Tag keys and values, field keys: commas, equals signs and spaces are escaped; newlines cannot be."""
    return (text.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=").replace(" ", "\\ ")
            .replace("\n", " ").replace("\r", " "))


def _escape_measurement(text: str) -> str:
    return text.replace("\\", "\\\\").replace(",", "\\,").replace(" ", "\\ ")


def _field(value: FieldValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value}i"
    if isinstance(value, float):
        return repr(value)
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def line(measurement: str, tags: Mapping[str, str | None], fields: Mapping[str, FieldValue | None],
         at_ms: int) -> str | None:
    """One point in line protocol (millisecond time); None when it has no usable field.

    Empty tags and absent or non-finite fields are left out, as InfluxDB
    refuses them.
    """
    usable = {name: value for name, value in fields.items()
              if value is not None and not (isinstance(value, float) and not math.isfinite(value))}
    if not usable:
        return None
    head = _escape_measurement(measurement) + "".join(
        f",{_escape_key(name)}={_escape_key(value)}" for name, value in sorted(tags.items()) if value)
    body = ",".join(f"{_escape_key(name)}={_field(value)}" for name, value in usable.items())
    return f"{head} {body} {at_ms}"


def _ms(iso: Any) -> int | None:
    if not isinstance(iso, str):
        return None
    try:
        return round(from_iso(iso) * 1000)
    except TimestampError:
        return None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def reading_lines(data: Mapping[str, Any]) -> list[str]:
    """``temperature`` points, one per reading, tagged by host and sensor."""
    found = []
    for reading in data.get("readings", []):
        at = _ms(reading.get("at"))
        point = None if at is None else line(
            "temperature", {"host_id": data.get("host_id"), "sensor_id": reading.get("sensor_id")},
            {"value": _number(reading.get("value"))}, at)
        if point is not None:
            found.append(point)
    return found


def relay_lines(data: Mapping[str, Any]) -> list[str]:
    """``relay`` points for the switches a control daemon reported (changes and fail-safe turns, not refusals)."""
    found = []
    for event in data.get("events", []):
        at = _ms(event.get("at"))
        if at is None or event.get("kind") not in SWITCHES:
            continue
        point = line("relay", {"host_id": data.get("host_id"), "relay_id": event.get("relay_id"),
                               "function": event.get("function"), "kind": event.get("kind")},
                     {"on": bool(event.get("on")), "reason": event.get("reason")}, at)
        if point is not None:
            found.append(point)
    return found


def decision_lines(data: Mapping[str, Any]) -> list[str]:
    """One ``decision`` point: what the engine wanted, from which temperature, towards which targets."""
    decision = data.get("decision") or {}
    at = _ms(decision.get("at"))
    if at is None:
        return []
    temperature = decision.get("temperature") or {}
    instruction = decision.get("instruction") or {}
    point = line(
        "decision", {"plugin": decision.get("plugin"), "mode": instruction.get("mode")},
        {
            "desired": decision.get("desired"),
            "temperature": _number(temperature.get("value")),
            "heat_setpoint": _number(instruction.get("heat_setpoint")),
            "cool_setpoint": _number(instruction.get("cool_setpoint")),
            "outdoor": _number(decision.get("outdoor")),
            "alerts": len(decision.get("alerts") or []),
            "equipment_changed": bool(data.get("equipment_changed")),
        },
        at,
    )
    return [] if point is None else [point]


_BY_TYPE = {"readings": reading_lines, "relay_events": relay_lines, "decision": decision_lines}


def event_lines(event_type: str, data: Mapping[str, Any]) -> list[str]:
    """The points of one engine event; none for events InfluxDB does not keep."""
    convert = _BY_TYPE.get(event_type)
    return [] if convert is None else convert(data)
