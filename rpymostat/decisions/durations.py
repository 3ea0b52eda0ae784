"""Durations and times for people: lockouts and alerts say "3 min 20 s", not "200.0", and "since 18:03"."""

from __future__ import annotations

import math
from datetime import datetime
from zoneinfo import ZoneInfo


def format_duration(seconds: float) -> str:
    """``200`` → ``"3 min 20 s"``: whole seconds, rounded up so "0 s" never shows while waiting."""
    total = max(1, math.ceil(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{value} {unit}" for value, unit in ((hours, "h"), (minutes, "min"), (secs, "s")) if value]
    return " ".join(parts)


def local_clock(epoch: float, zone: str) -> str:
    """``epoch`` as the wall clock in ``zone`` (an IANA name) shows it: ``"18:03"``."""
    return datetime.fromtimestamp(epoch, ZoneInfo(zone)).strftime("%H:%M")
