"""Merging buckets: the one piece of arithmetic every level and backend shares.

A bucket keeps count, sum, minimum and maximum rather than a mean, so
buckets merge exactly (a mean of means would weigh a half-empty hour like a
full one) and a late reading can be added in any order.
"""

from __future__ import annotations

from collections.abc import Iterable

from rpymostat.history.levels import bucket_start
from rpymostat.store.records import HistoryPoint

# (sensor_id, at, count, total, minimum, maximum), as rows come from a database.
Row = tuple[str, float, int, float, float, float]


def regroup(rows: Iterable[Row], step: int) -> list[HistoryPoint]:
    """Merge rows into ``step``-second buckets; ordered by sensor, then time."""
    merged: dict[tuple[str, int], list[float]] = {}
    for sensor_id, at, count, total, minimum, maximum in rows:
        if count <= 0:
            continue
        key = (sensor_id, bucket_start(at, step))
        bucket = merged.get(key)
        if bucket is None:
            merged[key] = [count, total, minimum, maximum]
        else:
            bucket[0] += count
            bucket[1] += total
            bucket[2] = min(bucket[2], minimum)
            bucket[3] = max(bucket[3], maximum)
    return [HistoryPoint(sensor_id, float(at), int(b[0]), b[1], b[2], b[3])
            for (sensor_id, at), b in sorted(merged.items())]


def readings_as_rows(readings: Iterable[tuple[str, float, float | None]]) -> list[Row]:
    """Raw (sensor_id, at, value) readings as one-reading rows; null values count for nothing."""
    return [(sensor_id, at, 1, value, value, value) for sensor_id, at, value in readings if value is not None]
