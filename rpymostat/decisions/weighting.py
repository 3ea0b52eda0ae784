"""Which temperature counts: a weighted average of the sensors that are alive.

A sensor that stopped reporting must never hold the house at its last value,
so stale, missing and failed sensors drop out and the remaining weights are
renormalised. Daemons report on a timer even when the value is unchanged, so
age is judged from the time of the last report, not of the last change.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from rpymostat.decisions.durations import format_duration

DropReason = Literal["missing", "stale", "null"]


@dataclass(frozen=True)
class SensorReading:
    """The last report of one sensor: its value (``None`` if it failed to read) and when."""

    value: float | None
    at: float


@dataclass(frozen=True)
class DroppedSensor:
    """A sensor left out of the weighting, and why, so the API can say so."""

    sensor_id: str
    reason: DropReason
    age: float | None = None

    def describe(self) -> str:
        """A short phrase for alerts and the decision log."""
        if self.reason == "missing":
            return f"{self.sensor_id}: no report received"
        if self.reason == "stale":
            return f"{self.sensor_id}: no report for {format_duration(self.age or 0.0)}"
        return f"{self.sensor_id}: last report had no usable value"


@dataclass(frozen=True)
class WeightedTemperature:
    """The temperature that counts, with the weights actually used and the sensors left out."""

    value: float
    weights: Mapping[str, float]
    dropped: tuple[DroppedSensor, ...] = ()
    measured_at: float | None = None
    """When the newest report used was taken: looking ahead starts from there, not from the turn's now."""


def weighted_temperature(
    weights: Mapping[str, float],
    readings: Mapping[str, SensorReading],
    now: float,
    stale_after: float,
) -> WeightedTemperature | None:
    """Weighted mean of the usable readings; ``None`` when no sensor is usable.

    Zero weights take no part and are not reported as dropped. A reading is
    stale when its last report is more than ``stale_after`` seconds old.
    """
    for sensor_id, weight in weights.items():
        if not math.isfinite(weight) or weight < 0:
            raise ValueError(f"weight of sensor {sensor_id!r} must be a finite number >= 0, not {weight!r}")
    used: dict[str, float] = {}
    values: dict[str, float] = {}
    newest = -math.inf
    dropped: list[DroppedSensor] = []
    for sensor_id, weight in weights.items():
        if weight == 0:
            continue
        reading = readings.get(sensor_id)
        if reading is None:
            dropped.append(DroppedSensor(sensor_id, "missing"))
            continue
        age = now - reading.at
        if age > stale_after:
            dropped.append(DroppedSensor(sensor_id, "stale", age))
        elif reading.value is None or not math.isfinite(reading.value):
            dropped.append(DroppedSensor(sensor_id, "null", age))
        else:
            used[sensor_id] = weight
            values[sensor_id] = reading.value
            newest = max(newest, reading.at)
    total = math.fsum(used.values())
    if not used or total <= 0:
        return None
    effective = {sensor_id: weight / total for sensor_id, weight in used.items()}
    mean = math.fsum(effective[sensor_id] * values[sensor_id] for sensor_id in used)
    # A mean lies within its inputs; clamping removes rounding at the edges so
    # equal readings give exactly that reading (and "exactly at target" holds).
    value = min(max(mean, min(values.values())), max(values.values()))
    return WeightedTemperature(value=value, weights=effective, dropped=tuple(dropped), measured_at=newest)
