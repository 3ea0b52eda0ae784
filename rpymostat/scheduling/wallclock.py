"""Cron matches in a home's time zone, right across DST changes.

croniter, given an aware datetime, fires twice when a fall-back repeats a
wall-clock time (01:30 BST and 01:30 GMT). So croniter only ever sees naive
wall-clock time here (which it treats as plain arithmetic), and each
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

from collections.abc import Iterator
from datetime import datetime, timedelta
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


class CronMatcher:
    """One cron expression read in one zone, parsed once and reused.

    Not safe to share between concurrent iterations: each call moves the
    single croniter cursor it wraps.
    """

    def __init__(self, expr: str, zone: ZoneInfo) -> None:
        self._matches = croniter(expr, datetime(2000, 1, 1))
        self._zone = zone

    def instants(self, start: float, end: float) -> Iterator[float]:
        """Instants in ``[start, end)`` at which the expression fires, ascending."""
        self._matches.set_current(wall_time(start, self._zone) - _SLACK)
        last: float | None = None
        while True:
            instant = wall_to_epoch(self._matches.get_next(datetime), self._zone)
            if instant >= end:
                return
            if instant >= start and instant != last:
                last = instant
                yield instant

    def instants_before(self, end: float) -> Iterator[float]:
        """Instants before ``end`` at which the expression fires, newest first, endless."""
        self._matches.set_current(wall_time(end, self._zone) + _SLACK)
        last: float | None = None
        while True:
            instant = wall_to_epoch(self._matches.get_prev(datetime), self._zone)
            if instant < end and instant != last:
                last = instant
                yield instant

    def next_after(self, after: float) -> float:
        """The first instant strictly after ``after`` at which the expression fires."""
        self._matches.set_current(wall_time(after, self._zone) - _SLACK)
        while True:
            instant = wall_to_epoch(self._matches.get_next(datetime), self._zone)
            if instant > after:
                return instant
