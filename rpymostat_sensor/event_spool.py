"""A durable queue of input events (a window opened, motion seen) the engine has not acknowledged yet.

The same kind of bounded first-in, first-out SQLite file as the readings'
spool (:class:`rpymostat.common.spool.BoundedSpool`), in a file of its own
beside it, so an event that happened while the engine was away is still
delivered, with its own time, once it is back.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from twisted.internet.defer import Deferred
from twisted.internet.threads import deferToThread

from rpymostat.common.spool import BlockingRunner, BoundedSpool, check_bound, open_spool_file
from rpymostat_sensor.inputs import InputEvent

DEFAULT_MAX_EVENTS = 10_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_key TEXT NOT NULL UNIQUE,
    device TEXT NOT NULL,
    location TEXT NOT NULL,
    action TEXT NOT NULL,
    value TEXT NOT NULL,
    happened_at REAL NOT NULL
) STRICT;
"""


def event_spool_path(readings_spool: str) -> str:
    """The events' file beside the readings' spool: ``spool.sqlite`` → ``spool-events.sqlite``."""
    root, ext = os.path.splitext(readings_spool)
    return f"{root}-events{ext or '.sqlite'}"


@dataclass(frozen=True)
class SpooledEvent:
    entry_id: int
    event: InputEvent


class EventSpool(BoundedSpool):
    """Events waiting for delivery, oldest first; build one with :meth:`open`."""

    table = "events"

    @classmethod
    def open(cls, path: str | os.PathLike[str], max_entries: int = DEFAULT_MAX_EVENTS,
             runner: BlockingRunner = deferToThread) -> Deferred[EventSpool]:
        check_bound(max_entries, "event")
        return runner(lambda: cls(open_spool_file(path, _SCHEMA), max_entries, runner))

    def append(self, events: Iterable[InputEvent]) -> Deferred[int]:
        """Keep ``events``, dropping the oldest if over the bound; fire with how many were dropped."""
        rows = [(e.key, e.device, e.location, e.action, e.value, e.at) for e in events]

        def append_rows(connection: sqlite3.Connection) -> int:
            connection.executemany(
                "INSERT OR IGNORE INTO events (event_key, device, location, action, value, happened_at)"
                " VALUES (?, ?, ?, ?, ?, ?)", rows)
            return self._trim(connection)

        return self._transaction(append_rows)

    def peek(self, limit: int) -> Deferred[list[SpooledEvent]]:
        """The ``limit`` oldest events, left in the spool until acknowledged."""

        def select(connection: sqlite3.Connection) -> list[SpooledEvent]:
            cursor = connection.execute(
                "SELECT id, event_key, device, location, action, value, happened_at FROM events ORDER BY id LIMIT ?",
                (limit,))
            return [SpooledEvent(entry_id, InputEvent(device, location, action, value, at, key))
                    for entry_id, key, device, location, action, value, at in cursor]

        return self._transaction(select)
