"""What every temperature source produces, and the one method it offers.

The pusher, the spool and the demo only know this interface, so a new kind
of sensor never touches them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol
from uuid import uuid4

from twisted.internet.defer import Deferred


def new_reading_key() -> str:
    """An idempotency key, made once when a reading is taken.

    The engine ignores a second delivery with the same key, so a retry after
    a lost response (or a replay from the spool) is harmless.
    """
    return uuid4().hex


@dataclass(frozen=True)
class SensorSample:
    """One reading of one sensor at one moment.

    ``value`` is °C, or ``None`` when the sensor could not be read; then
    ``extra`` says why, in words that tell the user what to check. ``at`` is
    epoch seconds from the injected clock.
    """

    sensor_id: str
    sensor_type: str
    value: float | None
    at: float
    extra: str | None = None
    alias: str | None = None
    key: str = field(default_factory=new_reading_key)


class TemperatureSource(Protocol):
    """Anything that can report the current temperature of its sensors."""

    def read(self) -> Deferred[list[SensorSample]]:
        """Fire with one sample per known sensor; never fail because one sensor did."""
