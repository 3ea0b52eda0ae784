"""The durable outbox both exporters share: what is to be sent waits on disk until the server took it.

An exporter turns engine events into payloads (InfluxDB lines, AMQP
messages) and :meth:`Courier.offer` s them; that call only appends to a
bounded list in memory, so the event bus, and with it the decision loop,
never waits on a server. Every ``interval`` the courier writes that list
into an SQLite outbox (one transaction), then sends the oldest payloads in
batches of ``batch_size`` and removes a batch only after the server
confirmed it. A server that is down, slow (each attempt has a timeout) or
refusing is retried with a doubling back-off, while new payloads keep
collecting on disk, up to a bound past which the oldest are dropped and
counted. So nothing is lost while the server is away, across engine
restarts too, and a payload is sent again only when its confirmation was
lost, which the exporters make harmless (InfluxDB overwrites a point with
the same series and time; AMQP messages carry a stable ``message_id``).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Coroutine, Iterable, Sequence
from typing import Any

from twisted.internet.defer import CancelledError, Deferred, TimeoutError, ensureDeferred
from twisted.internet.interfaces import IReactorTime
from twisted.internet.task import LoopingCall
from twisted.logger import Logger

from rpymostat.common.spool import BlockingRunner, BoundedSpool, check_bound, open_spool_file

__all__ = ["Courier", "Deliver", "Outbox", "Rejected"]

log = Logger()

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    payload TEXT NOT NULL
) STRICT;
"""

#: Sends one batch of payloads, oldest first; fires once the server confirmed all of them.
Deliver = Callable[[list[str]], Coroutine[Any, Any, None]]


class Rejected(Exception):
    """The server refused the batch itself (malformed), so sending it again cannot help: it is dropped."""


class Outbox(BoundedSpool):
    """Payloads waiting for their server, first in, first out, at most ``max_entries``; build one with :meth:`open`."""

    table = "outbox"

    @classmethod
    def open(cls, path: str | os.PathLike[str], max_entries: int, runner: BlockingRunner) -> Deferred[Outbox]:
        """Open (creating it, private, if needed) the outbox file at ``path``."""
        check_bound(max_entries, "payload")
        return runner(lambda: cls(open_spool_file(path, _SCHEMA), max_entries, runner))

    def append(self, payloads: Sequence[str]) -> Deferred[int]:
        """Keep ``payloads`` in order, dropping the oldest beyond the bound; fire with how many were dropped."""
        rows = [(payload,) for payload in payloads]

        def insert(connection: sqlite3.Connection) -> int:
            connection.executemany("INSERT INTO outbox (payload) VALUES (?)", rows)
            return self._trim(connection)

        return self._transaction(insert)

    def peek(self, limit: int) -> Deferred[list[tuple[int, str]]]:
        """The ``limit`` oldest payloads with their ids, left in place until :meth:`ack`."""
        return self._transaction(
            lambda connection: list(connection.execute("SELECT id, payload FROM outbox ORDER BY id LIMIT ?", (limit,)))
        )


class Courier:
    """Moves one exporter's payloads from memory to its outbox, and from the outbox to its server.

    ``clock`` runs the flush timer, the attempt timeout and the back-off,
    so tests drive all three with a ``Clock``.
    """

    def __init__(self, name: str, outbox: Outbox, deliver: Deliver, clock: IReactorTime, *, batch_size: int,
                 interval: float, retry_max: float, timeout: float = 30.0, memory_limit: int = 50_000,
                 waiting: int | None = None) -> None:
        self.name = name
        self.outbox = outbox
        self._deliver = deliver
        self.clock = clock
        self.batch_size = batch_size
        self.interval = interval
        self.retry_max = max(retry_max, interval)
        self.timeout = timeout
        self.memory_limit = memory_limit
        self._memory: list[str] = []
        self._loop = LoopingCall(self._tick)
        self._loop.clock = clock
        self._running: Deferred[None] | None = None
        self._attempt: Deferred[None] | None = None
        self._again = False
        self._retry_at = 0.0
        self._failures_in_a_row = 0
        self._kick: Any = None
        self.delivered = 0
        self.failures = 0
        self.rejected = 0
        self.dropped_in_memory = 0
        self.dropped_on_disk = 0
        # What the outbox holds: counted once (given by an opener that counted it, or at the first round), then
        # kept by adding what is appended and taking off what is acknowledged, so no round rescans a backlog.
        self.waiting = waiting or 0
        self._counted = waiting is not None
        self._in_transit = 0
        self.last_error: str | None = None

    def offer(self, payloads: Iterable[str]) -> None:
        """Queue payloads for sending; never blocks, drops (and counts) what does not fit in memory."""
        room = self.memory_limit - len(self._memory)
        items = list(payloads)
        if len(items) > room:
            if self.dropped_in_memory == 0 or room > 0:
                log.warn("{name} export: {count} payloads dropped, more than {limit} wait in memory (is the disk "
                         "slow?)", name=self.name, count=len(items) - max(room, 0), limit=self.memory_limit)
            self.dropped_in_memory += len(items) - max(room, 0)
            items = items[:max(room, 0)]
        self._memory.extend(items)
        if len(self._memory) >= self.batch_size and self._kick is None and self._loop.running:
            self._kick = self.clock.callLater(0, self._kicked)

    def start(self) -> None:
        """Send what an earlier run left in the outbox, then every ``interval``."""
        self._loop.start(self.interval, now=True)

    async def stop(self) -> None:
        """Stop sending and keep what waits in memory on disk for the next start; then close the outbox."""
        if self._loop.running:
            self._loop.stop()
        if self._kick is not None and self._kick.active():
            self._kick.cancel()
        self._kick = None
        if self._attempt is not None:
            self._attempt.cancel()
        if self._running is not None:
            await self._running
        await self._flush()
        await self.outbox.close()

    def stats(self) -> dict[str, Any]:
        """Counters for GET /v1/status and the logs: what was sent, what waits, what was lost and why."""
        return {
            "delivered": self.delivered,
            "waiting": self.waiting + self._in_transit + len(self._memory),
            "dropped": self.dropped_in_memory + self.dropped_on_disk,
            "rejected": self.rejected,
            "failures": self.failures,
            "backing_off": self.clock.seconds() < self._retry_at,
            "last_error": self.last_error,
        }

    def _kicked(self) -> None:
        self._kick = None
        self._tick()

    def _tick(self) -> None:
        """One round; a round asked for while one runs happens right after it (the LoopingCall never waits)."""
        if self._running is not None:
            self._again = True
            return
        self._running = ensureDeferred(self._rounds())
        self._running.addErrback(lambda failure: log.failure("{name} export round failed", failure, name=self.name))
        self._running.addBoth(self._done)

    def _done(self, _: object) -> None:
        self._running = None

    async def _rounds(self) -> None:
        while True:
            self._again = False
            await self._round()
            if not self._again:
                return

    async def _flush(self) -> None:
        if not self._memory:
            return
        taken, self._memory = self._memory, []
        self._in_transit = len(taken)
        try:
            dropped = await self.outbox.append(taken)
        finally:
            self._in_transit = 0
        self.waiting += len(taken) - dropped
        if dropped:
            self.dropped_on_disk += dropped
            log.warn("{name} export: the outbox is full ({limit} payloads); dropped the {count} oldest",
                     name=self.name, limit=self.outbox.max_entries, count=dropped)

    async def _round(self) -> None:
        if not self._counted:
            self.waiting, self._counted = await self.outbox.count(), True
        await self._flush()
        while self._loop.running and self.clock.seconds() >= self._retry_at:
            batch = await self.outbox.peek(self.batch_size)
            if not batch:
                break
            if not await self._send(batch):
                break
            if len(batch) < self.batch_size:
                break

    async def _send(self, batch: list[tuple[int, str]]) -> bool:
        """Send one batch; True when it left the outbox (sent, or refused for good)."""
        ids = [entry_id for entry_id, _ in batch]
        attempt: Deferred[None] = ensureDeferred(self._deliver([payload for _, payload in batch]))
        attempt.addTimeout(self.timeout, self.clock)
        self._attempt = attempt
        try:
            await attempt
        except Rejected as exc:
            self.rejected += len(batch)
            log.error("{name} export: the server refused {count} payloads for good and they were dropped: {error}",
                      name=self.name, count=len(batch), error=str(exc))
            self.waiting -= await self.outbox.ack(ids)
            return True
        except Exception as exc:
            self._failed(exc)
            return False
        finally:
            self._attempt = None
        self.delivered += len(batch)
        self.waiting -= await self.outbox.ack(ids)
        if self._failures_in_a_row:
            log.info("{name} export: delivering again after {count} failed attempts", name=self.name,
                     count=self._failures_in_a_row)
        self._failures_in_a_row = 0
        self._retry_at = 0.0
        self.last_error = None
        return True

    def _failed(self, exc: Exception) -> None:
        self.failures += 1
        self._failures_in_a_row += 1
        delay = min(self.retry_max, self.interval * 2 ** (self._failures_in_a_row - 1))
        self._retry_at = self.clock.seconds() + delay
        if isinstance(exc, (CancelledError, TimeoutError)):
            error = f"no answer within {self.timeout:g} s"
        else:
            error = str(exc) or type(exc).__name__
        self.last_error = error
        if self._failures_in_a_row == 1 or delay >= self.retry_max and self._failures_in_a_row % 10 == 0:
            log.warn("{name} export failed ({error}); payloads wait on disk, next attempt in {delay:g} s",
                     name=self.name, error=error, delay=delay)
