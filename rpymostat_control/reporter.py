"""Telling the engine about the relays: their states, and every change with its reason.

Events wait in a bounded queue until the engine has acknowledged them, so a
change made while the engine is away (a failsafe trip, above all) still
reaches its history once it is back. A full report also goes out on a timer,
which is how the engine learns the relays after its own restart.

The queue lives in memory: a long outage overflows it (the oldest events go
first, counted and logged once per outage), and a restart of the daemon
loses it.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from twisted.internet.defer import CancelledError, Deferred, ensureDeferred
from twisted.internet.interfaces import IReactorTime
from twisted.internet.task import LoopingCall
from twisted.logger import Logger

from rpymostat.common.http import SignedJsonClient
from rpymostat_control.controller import Controller
from rpymostat_control.enrolment import Enrolment

log = Logger()

REPORT_PATH = "/v1/relays/report"
DEFAULT_INTERVAL = 30.0
MAX_QUEUED_EVENTS = 1000
MAX_EVENTS_PER_REPORT = 200


class Reporter:
    """Sends signed reports to the engine, one at a time."""

    def __init__(
        self,
        client: SignedJsonClient,
        enrolment: Enrolment,
        controller: Controller,
        clock: IReactorTime,
        interval: float = DEFAULT_INTERVAL,
        max_queued: int = MAX_QUEUED_EVENTS,
    ) -> None:
        self._client = client
        self._enrolment = enrolment
        self._controller = controller
        self._clock = clock
        self._interval = interval
        self._queue: deque[tuple[int, dict[str, Any]]] = deque(maxlen=max_queued)
        self._sequence = 0
        self._dropped_total = 0
        self._dropped_this_outage = 0
        self._loop = LoopingCall(self.flush)
        self._loop.clock = clock
        self._sending: Deferred[None] | None = None
        self._again = False
        controller.subscribe(self._queued)

    @property
    def pending_events(self) -> list[dict[str, Any]]:
        """Events the engine has not acknowledged yet, oldest first."""
        return [event for _, event in self._queue]

    @property
    def dropped_events(self) -> int:
        """Events the full queue had to drop since the daemon started; the engine's history misses them."""
        return self._dropped_total

    def start(self) -> None:
        self._loop.start(self._interval, now=True)

    def stop(self) -> None:
        if self._loop.running:
            self._loop.stop()
        if self._sending is not None:
            self._sending.cancel()

    def flush(self) -> None:
        """Send what is queued and the current states; coalesced while a report is on its way."""
        if self._sending is not None:
            self._again = True
            return
        self._sending = ensureDeferred(self._send())
        self._sending.addErrback(lambda failure: failure.trap(CancelledError))
        self._sending.addBoth(self._sent)

    def _queued(self, event: dict[str, Any]) -> None:
        if len(self._queue) == self._queue.maxlen:
            self._dropped(self._queue[0][1])
        self._sequence += 1
        self._queue.append((self._sequence, event))
        if self._loop.running:
            self.flush()

    def _dropped(self, oldest: dict[str, Any]) -> None:
        """The queue is full: the oldest event makes room, and the first of an outage is logged."""
        self._dropped_total += 1
        self._dropped_this_outage += 1
        if self._dropped_this_outage == 1:
            log.warn("The engine has not taken this daemon's reports for {count} relay events; the oldest are now "
                     "dropped and will be missing from its relay history (first dropped: {kind} of {relay_id} at "
                     "{at})", count=self._queue.maxlen, kind=oldest["kind"], relay_id=oldest["relay_id"],
                     at=oldest["at"])

    def _sent(self, _: object) -> None:
        self._sending = None
        if self._again and self._loop.running:
            self._again = False
            self.flush()

    async def _send(self) -> None:
        url = await self._enrolment.ensure()
        batch = list(self._queue)[:MAX_EVENTS_PER_REPORT]
        events = [event for _, event in batch]
        body = {
            "host_id": self._client.device_id,
            "relays": self._controller.relays_json(),
            "events": events,
            "failsafe": self._controller.failsafe_json(),
        }
        try:
            answer = await self._client.request("PUT", url, REPORT_PATH, body)
        except CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - kept for the next attempt
            log.warn("Could not report to the engine at {url} ({error}); {count} events kept for later",
                     url=url, error=str(exc) or type(exc).__name__, count=len(self._queue))
            return
        if 200 <= answer.code < 300:
            if self._dropped_this_outage:
                log.warn("Reporting to the engine again; {count} relay events were dropped while it was away",
                         count=self._dropped_this_outage)
                self._dropped_this_outage = 0
            last = batch[-1][0] if batch else 0
            while self._queue and self._queue[0][0] <= last:
                self._queue.popleft()
            if len(self._queue) and self._loop.running:
                self._again = True
            return
        if answer.code in (401, 403):
            self._enrolment.forget()
        log.warn("The engine refused the relay report ({code}): {error}", code=answer.code, error=answer.error)
