"""A durable queue of readings the engine has not acknowledged yet.

When the engine or the Wi-Fi is away, readings wait here, on the Pi's SD
card, and are delivered later in the order they were taken, with their
original timestamps and idempotency keys. The queue is bounded so a long
outage cannot fill the card: the oldest readings are dropped first and the
number dropped is kept, so the loss is visible rather than silent.

The file, the bound, the drop counter and the ordering of calls off the
reactor thread are :class:`rpymostat.common.spool.BoundedSpool`'s, shared
with the control daemon's spool of relay events; an appended reading
survives a power cut once ``append`` has fired.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from twisted.internet.defer import Deferred
from twisted.internet.threads import deferToThread

from rpymostat.common.spool import BlockingRunner, BoundedSpool, check_bound, open_spool_file
from rpymostat_sensor.sources.base import SensorSample

DEFAULT_MAX_ENTRIES = 100_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS readings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    reading_key TEXT NOT NULL UNIQUE,
    host_id TEXT NOT NULL,
    sensor_id TEXT NOT NULL,
    sensor_type TEXT NOT NULL,
    value REAL,
    taken_at REAL NOT NULL,
    alias TEXT,
    extra TEXT
) STRICT;
"""


@dataclass(frozen=True)
class SpoolEntry:
    """A spooled reading; ``entry_id`` is what :meth:`Spool.ack` takes back."""

    entry_id: int
    host_id: str
    sample: SensorSample


class Spool(BoundedSpool):
    """Readings waiting for delivery, strictly first in, first out; build one with :meth:`open`."""

    table = "readings"

    def __init__(self, connection: sqlite3.Connection, host_id: str, max_entries: int, runner: BlockingRunner) -> None:
        super().__init__(connection, max_entries, runner)
        self._host_id = host_id

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        host_id: str,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        runner: BlockingRunner = deferToThread,
    ) -> Deferred[Spool]:
        """Open (creating if needed) the spool file at ``path``."""
        check_bound(max_entries, "reading")
        return runner(lambda: cls(open_spool_file(path, _SCHEMA), host_id, max_entries, runner))

    def append(self, samples: Iterable[SensorSample]) -> Deferred[int]:
        """Keep ``samples``, dropping the oldest if over the bound; fire with how many were dropped.

        A sample whose key is already spooled is not stored twice.
        """
        rows = [(s.key, self._host_id, s.sensor_id, s.sensor_type, s.value, s.at, s.alias, s.extra) for s in samples]

        def append_rows(connection: sqlite3.Connection) -> int:
            connection.executemany(
                "INSERT OR IGNORE INTO readings"
                " (reading_key, host_id, sensor_id, sensor_type, value, taken_at, alias, extra)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            return self._trim(connection)

        return self._transaction(append_rows)

    def peek(self, limit: int) -> Deferred[list[SpoolEntry]]:
        """The ``limit`` oldest readings, oldest first, left in the spool until acknowledged."""

        def select(connection: sqlite3.Connection) -> list[SpoolEntry]:
            cursor = connection.execute(
                "SELECT id, reading_key, host_id, sensor_id, sensor_type, value, taken_at, alias, extra"
                " FROM readings ORDER BY id LIMIT ?",
                (limit,),
            )
            return [_entry(row) for row in cursor]

        return self._transaction(select)


def _entry(row: Any) -> SpoolEntry:
    entry_id, key, host_id, sensor_id, sensor_type, value, taken_at, alias, extra = row
    sample = SensorSample(sensor_id, sensor_type, value, taken_at, extra=extra, alias=alias, key=key)
    return SpoolEntry(entry_id, host_id, sample)
