"""Wire timestamps: ISO 8601 in UTC with a trailing ``Z``.

Every "now" comes from an injected clock (``IReactorTime.seconds()``), so
these helpers take epoch seconds rather than reading the time themselves.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime


class TimestampError(ValueError):
    """A timestamp on the wire could not be understood."""


EARLIEST = -62135596800.0  # 0001-01-01T00:00:00Z, the first instant RFC 3339 and datetime share

# RFC 3339 allows a leap second (":60"); Python's datetime does not, so it is read as the next second.
CANONICAL = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:[0-5]\d(\.\d{1,6})?Z\Z")
LEAP_SECOND = re.compile(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}):60(?=[.,Z+-])")


def to_iso(epoch: float) -> str:
    """Format epoch seconds as ``2026-11-23T11:52:56.123Z`` (millisecond precision).

    The year always has four digits (``0999-…``), as RFC 3339 requires;
    ``strftime("%Y")`` would write ``999``. Raises ``ValueError`` outside the
    years 1 to 9999, which :func:`from_iso` never returns.
    """
    moment = datetime.fromtimestamp(epoch, tz=UTC)
    return moment.isoformat(timespec="milliseconds").removesuffix("+00:00") + "Z"


def from_iso(text: str) -> float:
    """Parse an ISO 8601 timestamp that names its offset; return epoch seconds.

    A timestamp without an offset is refused: on the wire every time is UTC
    and an unqualified local time would silently shift by the zone offset.
    Every RFC 3339 date-time is understood (lower-case ``t`` and ``z``, a
    leap second); one whose instant falls outside the years 0001 to 9999 in
    UTC (``0001-01-01T00:00:00+01:00``) is refused, because it could not be
    written back as RFC 3339.
    """
    if not isinstance(text, str) or not text:
        raise TimestampError("timestamp must be an ISO 8601 string")
    if CANONICAL.match(text):
        # What to_iso writes (and every daemon sends): the standard library reads it many times faster.
        # In UTC with a four-digit year, it is always within the years to_iso can write.
        try:
            return datetime.fromisoformat(text).timestamp()
        except ValueError:
            pass  # year 0000, 29 February 2023 and the like: the full parser below says what is wrong
    normalized = text.replace("t", "T").replace("z", "Z")
    leap = LEAP_SECOND.match(normalized)
    if leap is not None:
        normalized = f"{leap.group(1)}:59{normalized[leap.end():]}"
    # Only here, so a daemon (which writes timestamps and never reads one) does without isodate and decimal.
    import isodate

    try:
        moment = isodate.parse_datetime(normalized)
    except (isodate.ISO8601Error, ValueError) as exc:
        raise TimestampError(f"{text!r} is not an ISO 8601 date and time") from exc
    if moment.tzinfo is None:
        raise TimestampError(f"{text!r} has no time zone; use UTC with a trailing Z")
    epoch = moment.timestamp() + (1 if leap is not None else 0)
    if not representable(epoch):
        raise TimestampError(f"{text!r} falls outside the years 0001 to 9999 in UTC")
    return epoch


def representable(epoch: float) -> bool:
    """Whether :func:`to_iso` can write ``epoch``: its UTC year is 0001 to 9999."""
    try:
        to_iso(epoch)
    except (ValueError, OverflowError, OSError):
        return False
    return True


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
