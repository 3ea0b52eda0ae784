"""The relay events the engine has not acknowledged yet, kept on disk.

Every change, refusal and failsafe trip goes here before it is sent, so a
daemon restart or a power cut (the likely moment of a failsafe trip) does
not lose it: after the restart it is delivered, in order, with its original
time, reason and idempotency key, and the engine records it once. The file,
the bound (oldest dropped first, counted across restarts) and the ordering
of calls off the reactor thread are :class:`rpymostat.common.spool.BoundedSpool`'s,
as for the sensor daemon's readings.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass
from typing import Any

from twisted.internet.defer import Deferred
from twisted.internet.threads import deferToThread

from rpymostat.common.spool import BlockingRunner, BoundedSpool, check_bound, open_spool_file

DEFAULT_MAX_EVENTS = 10_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_key TEXT NOT NULL UNIQUE,
    event TEXT NOT NULL
) STRICT;
"""


@dataclass(frozen=True)
class SpooledEvent:
    """A spooled relay event as it travels to the engine; ``entry_id`` is what :meth:`EventSpool.ack` takes."""

    entry_id: int
    event: dict[str, Any]


class EventSpool(BoundedSpool):
    """Relay events waiting for delivery, oldest first; build one with :meth:`open`."""

    table = "events"

    @classmethod
    def open(cls, path: str | os.PathLike[str], max_entries: int = DEFAULT_MAX_EVENTS,
             runner: BlockingRunner = deferToThread) -> Deferred[EventSpool]:
        """Open (creating if needed) the spool file at ``path``."""
        check_bound(max_entries, "relay event")
        return runner(lambda: cls(open_spool_file(path, _SCHEMA), max_entries, runner))

    def append(self, event: dict[str, Any]) -> Deferred[list[dict[str, Any]]]:
        """Keep ``event`` (which carries its ``idempotency_key``); fire with the oldest events dropped for it.

        An event whose key is already spooled is not stored twice.
        """
        row = (event["idempotency_key"], json.dumps(event))

        def append_row(connection: sqlite3.Connection) -> list[dict[str, Any]]:
            connection.execute("INSERT OR IGNORE INTO events (event_key, event) VALUES (?, ?)", row)
            excess = self._excess(connection)
            dropped = [json.loads(text) for (text,) in
                       connection.execute("SELECT event FROM events ORDER BY id LIMIT ?", (excess,))]
            self._drop_oldest(connection, excess)
            return dropped

        return self._transaction(append_row)

    def peek(self, limit: int) -> Deferred[list[SpooledEvent]]:
        """The ``limit`` oldest events, oldest first, left in the spool until acknowledged."""

        def select(connection: sqlite3.Connection) -> list[SpooledEvent]:
            cursor = connection.execute("SELECT id, event FROM events ORDER BY id LIMIT ?", (limit,))
            return [SpooledEvent(entry_id, json.loads(text)) for entry_id, text in cursor]

        return self._transaction(select)
