"""The plain records that cross the storage interface.

They are frozen dataclasses with epoch-second timestamps, so the API layer
decides the wire format and every backend stores the same thing. A history
point is a named tuple instead: a year's chart builds tens of thousands, and
a tuple is made and unpacked in a fraction of a dataclass's time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

Role = Literal["read", "write", "admin"]
DeviceStatus = Literal["pending", "approved", "rejected"]


@dataclass(frozen=True)
class ReadingInput:
    """One sensor's entry in a sensor update, validated."""

    sensor_id: str
    sensor_type: str
    value: float | None
    at: float
    alias: str | None = None
    extra: str | None = None
    idempotency_key: str | None = None


@dataclass(frozen=True)
class SensorRecord:
    """A known sensor: what its daemon last said, and what the user named it.

    ``outdoor`` marks a sensor outside the house: its readings are kept and
    feed the weather forecast, but it never counts as an indoor temperature.
    """

    sensor_id: str
    host_id: str
    sensor_type: str
    alias: str | None
    extra: str | None
    last_value: float | None
    last_reading_at: float | None
    last_seen: float
    first_seen: float
    name: str | None = None
    room: str | None = None
    hidden: bool = False
    outdoor: bool = False


@dataclass(frozen=True)
class ReadingRecord:
    """One stored reading; ``value`` None means "sensor present, no reading"."""

    reading_id: int
    sensor_id: str
    host_id: str
    value: float | None
    at: float
    received_at: float
    extra: str | None = None


@dataclass(frozen=True)
class ApiKeyRecord:
    """An API key as stored: only the hash of the secret part is kept."""

    key_id: str
    name: str
    role: Role
    key_hash: str
    created_at: float
    revoked_at: float | None = None


@dataclass(frozen=True)
class DeviceRecord:
    """A sensor or control daemon known to the engine, with its shared secret."""

    host_id: str
    kind: str
    secret: str
    status: DeviceStatus
    created_at: float
    last_seen: float | None = None
    info: dict[str, Any] = field(default_factory=dict)
    url: str | None = None


@dataclass(frozen=True)
class LogEntry:
    """One entry of an append-only stream (decisions, relay events, live-feed events)."""

    entry_id: int
    stream: str
    at: float
    data: dict[str, Any]


class HistoryPoint(NamedTuple):
    """One bucket of a sensor's history: how many readings, their sum, lowest and highest."""

    sensor_id: str
    at: float
    count: int  # type: ignore[assignment]  # the field hides tuple.count(), which nothing asks a point for
    total: float
    minimum: float
    maximum: float

    @property
    def mean(self) -> float:
        return self.total / self.count
