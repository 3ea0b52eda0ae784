"""Wire timestamps: ISO 8601 in UTC with a trailing ``Z``.

Every "now" comes from an injected clock (``IReactorTime.seconds()``), so
these helpers take epoch seconds rather than reading the time themselves.
"""

from __future__ import annotations

from datetime import UTC, datetime

import isodate


class TimestampError(ValueError):
    """A timestamp on the wire could not be understood."""


def to_iso(epoch: float) -> str:
    """Format epoch seconds as ``2026-11-23T11:52:56.123Z`` (millisecond precision)."""
    moment = datetime.fromtimestamp(epoch, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def from_iso(text: str) -> float:
    """Parse an ISO 8601 timestamp that names its offset; return epoch seconds.

    A timestamp without an offset is refused: on the wire every time is UTC
    and an unqualified local time would silently shift by the zone offset.
    """
    if not isinstance(text, str) or not text:
        raise TimestampError("timestamp must be an ISO 8601 string")
    try:
        moment = isodate.parse_datetime(text)
    except (isodate.ISO8601Error, ValueError) as exc:
        raise TimestampError(f"{text!r} is not an ISO 8601 date and time") from exc
    if moment.tzinfo is None:
        raise TimestampError(f"{text!r} has no time zone; use UTC with a trailing Z")
    return moment.timestamp()


def utc_datetime(epoch: float) -> datetime:
    """Epoch seconds as an aware UTC datetime."""
    return datetime.fromtimestamp(epoch, tz=UTC)


def time_scale(clock: object) -> float:
    """Clock seconds per real second.

    Network timeouts, signature windows and heartbeats are about real time
    (how long a packet takes), whatever the clock: a scaled clock (the
    demo's) declares its ``speed``, and every other clock runs at 1.
    """
    return float(getattr(clock, "speed", 1.0))
