"""The physical range of each sensor type, to refuse absurd readings.

A reading outside the range its sensor can measure is a wiring fault, a
parsing bug or an attack, never a temperature to act on.
"""

from __future__ import annotations

# Datasheet ranges (°C). MAX31850 is a thermocouple interface, hence wide.
TYPE_RANGES: dict[str, tuple[float, float]] = {
    "ds18b20": (-55.0, 125.0),
    "ds18s20": (-55.0, 125.0),
    "ds1822": (-55.0, 125.0),
    "ds1825": (-55.0, 125.0),
    "ds28ea00": (-40.0, 85.0),
    "max31850k": (-270.0, 1800.0),
    "cpu": (-40.0, 125.0),
}
DEFAULT_RANGE: tuple[float, float] = (-60.0, 130.0)


def physical_range(sensor_type: str) -> tuple[float, float]:
    """The accepted range for a type name (case-insensitive); others get a broad default."""
    return TYPE_RANGES.get(sensor_type.strip().lower(), DEFAULT_RANGE)
