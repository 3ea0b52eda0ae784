"""The core of a daemon's spool: a bounded, durable first-in, first-out table in one SQLite file.

What a daemon could not deliver yet (a sensor's readings, a control
daemon's relay events) waits in such a table on the Pi's SD card, to be
delivered later in the order it was made. The bound keeps a long outage
from filling the card: the oldest rows are dropped first, and how many
were ever dropped is kept in the same file, so the loss is visible rather
than silent, across restarts too.

SQLite in WAL mode with ``synchronous=FULL`` makes a row survive a power
cut once the call that wrote it has fired. Every call runs through the
injected :data:`BlockingRunner` (a thread in production, so the reactor
never waits on the card), one at a time and in the order the calls were
made, so rows written one after the other are delivered in that order too.
``AUTOINCREMENT`` ids never go backwards, even after the newest rows were
deleted, so id order is the order of writing across restarts.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any, ClassVar, TypeVar

from twisted.internet.defer import Deferred, DeferredLock
from twisted.internet.threads import deferToThreadPool

from rpymostat.common.private_files import create_private_file

__all__ = ["BlockingRunner", "BoundedSpool", "check_bound", "open_spool_file", "thread_runner"]

#: Runs a blocking zero-argument callable and fires with its result;
#: :func:`twisted.internet.threads.deferToThread` in production.
BlockingRunner = Callable[[Callable[[], Any]], Deferred]

_T = TypeVar("_T")

_COUNTERS = """
CREATE TABLE IF NOT EXISTS counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) STRICT;
INSERT OR IGNORE INTO counters (name, value) VALUES ('dropped', 0);
"""


def thread_runner(reactor: Any) -> BlockingRunner:
    """Blocking work (the spool, 1-wire reads) on the given reactor's thread pool."""
    return lambda work: deferToThreadPool(reactor, reactor.getThreadPool(), work)


def check_bound(max_entries: int, what: str) -> None:
    """Refuse, before anything is opened, a bound that could keep nothing."""
    if max_entries < 1:
        raise ValueError(f"the spool must hold at least one {what}")


def open_spool_file(path: str | os.PathLike[str], schema: str) -> sqlite3.Connection:
    """Open (creating it, mode 0600, and its folder, 0700, if needed) a spool file with ``schema`` and the drop counter.

    Blocking: call it through a runner.
    """
    if os.fspath(path) != ":memory:":
        create_private_file(path)  # before SQLite opens it, so its -wal and -shm files are private too
    connection = sqlite3.connect(os.fspath(path), isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.executescript(schema + _COUNTERS)
    return connection


class BoundedSpool:
    """Rows of :attr:`table` waiting for delivery, strictly first in, first out, at most ``max_entries``.

    A subclass names its table (with an ``id INTEGER PRIMARY KEY
    AUTOINCREMENT`` column), writes its rows and reads them back; this class
    keeps the bound, counts what it drops, forgets what was delivered and
    runs every call in order off the reactor thread.
    """

    table: ClassVar[str]

    def __init__(self, connection: sqlite3.Connection, max_entries: int, runner: BlockingRunner) -> None:
        self._connection = connection
        self.max_entries = max_entries
        self._runner = runner
        self._lock = DeferredLock()

    def ack(self, entry_ids: Sequence[int]) -> Deferred[int]:
        """Forget delivered rows; fire with how many were removed."""
        ids = [(entry_id,) for entry_id in entry_ids]

        def delete(connection: sqlite3.Connection) -> int:
            before = connection.total_changes
            connection.executemany(f"DELETE FROM {self.table} WHERE id = ?", ids)
            return connection.total_changes - before

        return self._transaction(delete)

    def count(self) -> Deferred[int]:
        """How many rows wait for delivery."""
        return self._transaction(
            lambda connection: connection.execute(f"SELECT count(*) FROM {self.table}").fetchone()[0]
        )

    def dropped(self) -> Deferred[int]:
        """How many rows were ever dropped to keep the spool bounded (kept across restarts)."""
        return self._transaction(
            lambda connection: connection.execute("SELECT value FROM counters WHERE name = 'dropped'").fetchone()[0]
        )

    def close(self) -> Deferred[None]:
        """Close the file; the spool cannot be used afterwards."""
        return self._lock.run(self._runner, self._connection.close)

    def _excess(self, connection: sqlite3.Connection) -> int:
        """How many of the oldest rows must go to keep the bound (inside a transaction)."""
        (total,) = connection.execute(f"SELECT count(*) FROM {self.table}").fetchone()
        return max(0, total - self.max_entries)

    def _drop_oldest(self, connection: sqlite3.Connection, count: int) -> None:
        """Drop the ``count`` oldest rows and count them (inside a transaction)."""
        if count:
            connection.execute(
                f"DELETE FROM {self.table} WHERE id IN (SELECT id FROM {self.table} ORDER BY id LIMIT ?)",
                (count,),
            )
            connection.execute("UPDATE counters SET value = value + ? WHERE name = 'dropped'", (count,))

    def _trim(self, connection: sqlite3.Connection) -> int:
        """Keep the bound after rows were written; how many were dropped (inside a transaction)."""
        excess = self._excess(connection)
        self._drop_oldest(connection, excess)
        return excess

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
