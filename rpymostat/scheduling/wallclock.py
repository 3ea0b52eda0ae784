"""Cron matches in a home's time zone, right across DST changes.

croniter, given an aware datetime, fires twice when a fall-back repeats a
wall-clock time (01:30 BST and 01:30 GMT). So croniter only ever sees wall
clock time here (as fake UTC, which has no DST), and this module maps each
matching wall-clock time to one real instant:

* a time that exists once maps to that instant;
* a time that exists twice (fall back) maps to its first occurrence, so a
  schedule fires once;
* a time that does not exist (spring forward) maps to the first instant after
  the gap, i.e. the moment of the change.

Several wall-clock matches inside one gap map to the same instant; they are
reported once.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Iterator
from zoneinfo import ZoneInfo

from croniter import croniter

# Larger than any UTC offset change (the largest in tzdata is 2 h), so a
# search started this far away in wall-clock time cannot miss a match.
_SLACK = timedelta(hours=3)


def wall_time(epoch: float, zone: ZoneInfo) -> datetime:
    """The naive local wall-clock time at an instant."""
    return datetime.fromtimestamp(epoch, zone).replace(tzinfo=None)


def wall_to_epoch(wall: datetime, zone: ZoneInfo) -> float:
    """The instant a naive local wall-clock time stands for, by the rules above."""
    first = wall.replace(tzinfo=zone, fold=0).timestamp()
    if wall_time(first, zone) == wall:
        return first
    return _end_of_gap(wall, zone)


def _end_of_gap(wall: datetime, zone: ZoneInfo) -> float:
    """The moment of the spring-forward change that skipped ``wall``.

    Per PEP 495, fold=1 reads a skipped time with the offset after the change
    and fold=0 with the offset before it, so the change lies between the two
    readings; a bisection on whole seconds finds it.
    """
    before_change = int(wall.replace(tzinfo=zone, fold=1).timestamp())
    after_change = int(wall.replace(tzinfo=zone, fold=0).timestamp())
    new_offset = datetime.fromtimestamp(after_change, zone).utcoffset()
    while after_change - before_change > 1:
        middle = (before_change + after_change) // 2
        if datetime.fromtimestamp(middle, zone).utcoffset() == new_offset:
            after_change = middle
        else:
            before_change = middle
    return float(after_change)


def _as_fake_utc(wall: datetime) -> datetime:
    return wall.replace(tzinfo=timezone.utc)


def cron_instants(expr: str, zone: ZoneInfo, start: float, end: float) -> Iterator[float]:
    """Instants in ``[start, end)`` at which ``expr`` fires, ascending."""
    matches = croniter(expr, _as_fake_utc(wall_time(start, zone) - _SLACK))
    last: float | None = None
    while True:
        instant = wall_to_epoch(matches.get_next(datetime).replace(tzinfo=None), zone)
        if instant >= end:
            return
        if instant >= start and instant != last:
            last = instant
            yield instant


def cron_instants_before(expr: str, zone: ZoneInfo, end: float) -> Iterator[float]:
    """Instants before ``end`` at which ``expr`` fires, newest first, without end."""
    matches = croniter(expr, _as_fake_utc(wall_time(end, zone) + _SLACK))
    last: float | None = None
    while True:
        instant = wall_to_epoch(matches.get_prev(datetime).replace(tzinfo=None), zone)
        if instant < end and instant != last:
            last = instant
            yield instant


def next_cron_instant(expr: str, zone: ZoneInfo, after: float) -> float:
    """The first instant strictly after ``after`` at which ``expr`` fires."""
    matches = croniter(expr, _as_fake_utc(wall_time(after, zone) - _SLACK))
    while True:
        instant = wall_to_epoch(matches.get_next(datetime).replace(tzinfo=None), zone)
        if instant > after:
            return instant
