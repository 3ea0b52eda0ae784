"""Durations for people: lockouts and alerts say "3 min 20 s", not "200.0"."""

from __future__ import annotations

import math


def format_duration(seconds: float) -> str:
    """``200`` → ``"3 min 20 s"``: whole seconds, rounded up so "0 s" never shows while waiting."""
    total = max(1, math.ceil(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{value} {unit}" for value, unit in ((hours, "h"), (minutes, "min"), (secs, "s")) if value]
    return " ".join(parts)
