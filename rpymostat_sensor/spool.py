"""A durable queue of readings the engine has not acknowledged yet.

When the engine or the Wi-Fi is away, readings wait here, on the Pi's SD
card, and are delivered later in the order they were taken, with their
original timestamps and idempotency keys. The queue is bounded so a long
outage cannot fill the card: the oldest readings are dropped first and the
number dropped is kept, so the loss is visible rather than silent.

SQLite in WAL mode with ``synchronous=FULL`` makes an appended reading
survive a power cut once ``append`` has fired. Every call runs through the
injected runner (a thread in production), one at a time and in the order
the calls were made, so readings appended one after the other are
delivered in that order too.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from twisted.internet.defer import Deferred, DeferredLock
from twisted.internet.threads import deferToThread

from rpymostat_sensor import BlockingRunner
from rpymostat_sensor.sources.base import SensorSample

DEFAULT_MAX_ENTRIES = 100_000

_T = TypeVar("_T")

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
CREATE TABLE IF NOT EXISTS counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) STRICT;
INSERT OR IGNORE INTO counters (name, value) VALUES ('dropped', 0);
"""


@dataclass(frozen=True)
class SpoolEntry:
    """A spooled reading; ``entry_id`` is what :meth:`Spool.ack` takes back."""

    entry_id: int
    host_id: str
    sample: SensorSample


class Spool:
    """Readings waiting for delivery, strictly first in, first out.

    Build one with :meth:`open`. ``AUTOINCREMENT`` ids never go backwards,
    even after the newest rows were deleted, so id order is the order of
    appending across restarts.
    """

    def __init__(self, connection: sqlite3.Connection, host_id: str, max_entries: int, runner: BlockingRunner) -> None:
        self._connection = connection
        self._host_id = host_id
        self._max_entries = max_entries
        self._runner = runner
        self._lock = DeferredLock()

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        host_id: str,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        runner: BlockingRunner = deferToThread,
    ) -> Deferred[Spool]:
        """Open (creating if needed) the spool file at ``path``."""
        if max_entries < 1:
            raise ValueError("the spool must hold at least one reading")

        def connect() -> Spool:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(os.fspath(path), isolation_level=None, check_same_thread=False)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=FULL")
            connection.executescript(_SCHEMA)
            return cls(connection, host_id, max_entries, runner)

        return runner(connect)

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
            (total,) = connection.execute("SELECT count(*) FROM readings").fetchone()
            excess = max(0, total - self._max_entries)
            if excess:
                connection.execute(
                    "DELETE FROM readings WHERE id IN (SELECT id FROM readings ORDER BY id LIMIT ?)", (excess,)
                )
                connection.execute("UPDATE counters SET value = value + ? WHERE name = 'dropped'", (excess,))
            return excess

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

    def ack(self, entry_ids: Sequence[int]) -> Deferred[int]:
        """Forget delivered readings; fire with how many were removed."""
        ids = [(entry_id,) for entry_id in entry_ids]

        def delete(connection: sqlite3.Connection) -> int:
            before = connection.total_changes
            connection.executemany("DELETE FROM readings WHERE id = ?", ids)
            return connection.total_changes - before

        return self._transaction(delete)

    def count(self) -> Deferred[int]:
        """How many readings wait for delivery."""
        return self._transaction(lambda connection: connection.execute("SELECT count(*) FROM readings").fetchone()[0])

    def dropped(self) -> Deferred[int]:
        """How many readings were ever dropped to keep the spool bounded (kept across restarts)."""
        return self._transaction(
            lambda connection: connection.execute("SELECT value FROM counters WHERE name = 'dropped'").fetchone()[0]
        )

    def close(self) -> Deferred[None]:
        """Close the file; the spool cannot be used afterwards."""

        return self._lock.run(self._runner, self._connection.close)

    def _transaction(self, work: Callable[[sqlite3.Connection], _T]) -> Deferred[_T]:
        def run() -> _T:
            self._connection.execute("BEGIN IMMEDIATE")
            try:
                result = work(self._connection)
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
            self._connection.execute("COMMIT")
            return result

        return self._lock.run(self._runner, run)


def _entry(row: Any) -> SpoolEntry:
    entry_id, key, host_id, sensor_id, sensor_type, value, taken_at, alias, extra = row
    sample = SensorSample(sensor_id, sensor_type, value, taken_at, extra=extra, alias=alias, key=key)
    return SpoolEntry(entry_id, host_id, sample)
