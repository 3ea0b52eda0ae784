"""Telling the engine about the relays: their states, and every change with its reason.

Every change, refusal and failsafe trip goes to the daemon's spool
(:mod:`.spool`) the moment it happens, and leaves it only once the engine
has acknowledged the report that carried it, so an event made while the
engine is away (a failsafe trip, above all) reaches its history once it is
back, even across a restart of the daemon or a power cut. Each event
carries an idempotency key made when it happened: a report sent again
after a lost answer is recorded once. Delivery, and dropping an event the
engine will never take, is the device toolkit's loop
(:mod:`rpymostat.common.delivery`), shared with the sensor daemon. A full
report also goes out on a timer, which is how the engine learns the relays
after its own restart.

A very long outage overflows the spool: the oldest events go first,
counted (across restarts) and logged once per outage.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from twisted.internet.defer import CancelledError, Deferred, ensureDeferred
from twisted.internet.interfaces import IReactorTime
from twisted.internet.task import LoopingCall
from twisted.logger import Logger
from twisted.python.failure import Failure

from rpymostat.common.delivery import DeliveryError, NotAuthorised, SpoolDelivery
from rpymostat.common.http import JsonResponse, SignedJsonClient
from rpymostat_control.controller import Controller
from rpymostat_control.enrolment import Enrolment
from rpymostat_control.spool import EventSpool, SpooledEvent

log = Logger()

REPORT_PATH = "/v1/relays/report"
DEFAULT_INTERVAL = 30.0
MAX_EVENTS_PER_REPORT = 200


def new_event_key() -> str:
    """An idempotency key, made once when an event happens, that the engine records it under."""
    return uuid.uuid4().hex


class Reporter:
    """Spools the controller's events and sends signed reports to the engine, one at a time.

    Events are spooled from construction on, so none is missed while the
    engine is still being looked for; reports go out once :meth:`start` ran.
    """

    def __init__(
        self,
        client: SignedJsonClient,
        enrolment: Enrolment,
        controller: Controller,
        clock: IReactorTime,
        spool: EventSpool,
        interval: float = DEFAULT_INTERVAL,
    ) -> None:
        self._client = client
        self._enrolment = enrolment
        self._controller = controller
        self._clock = clock
        self._spool = spool
        self._interval = interval
        self._spooling = 0
        self._dropped_this_outage = 0
        #: Since start, for the metrics: reports the engine took, and attempts that failed or were refused.
        self.reports_sent = 0
        self.report_failures = 0
        self._loop = LoopingCall(self.flush)
        self._loop.clock = clock
        self._sending: Deferred[None] | None = None
        self._again = False
        self._url = ""
        self._delivery: SpoolDelivery[SpooledEvent] = SpoolDelivery(
            peek=spool.peek, send=self._send_events, ack=spool.ack, entry_id=lambda entry: entry.entry_id,
            describe=_describe, limit=MAX_EVENTS_PER_REPORT, blameless=self._report_alone_taken, report_empty=True,
        )
        controller.subscribe(self._queued)

    @property
    def busy(self) -> bool:
        """Whether an event is being spooled or a report is on its way."""
        return self._spooling > 0 or self._sending is not None

    def pending_events(self) -> Deferred[list[dict[str, Any]]]:
        """Events the engine has not acknowledged yet, oldest first."""
        return self._spool.peek(self._spool.max_entries).addCallback(
            lambda entries: [entry.event for entry in entries])

    def dropped_events(self) -> Deferred[int]:
        """Events the full spool ever had to drop (kept across restarts); the engine's history misses them."""
        return self._spool.dropped()

    def start(self) -> None:
        self._loop.start(self._interval, now=True)

    def stop(self) -> None:
        if self._loop.running:
            self._loop.stop()
        if self._sending is not None:
            self._sending.cancel()

    def flush(self) -> None:
        """Send what is spooled and the current states; coalesced while a report is on its way."""
        if self._sending is not None:
            self._again = True
            return
        self._sending = ensureDeferred(self._send())
        self._sending.addErrback(lambda failure: failure.trap(CancelledError))
        self._sending.addErrback(lambda failure: log.failure("Reporting to the engine failed", failure))
        self._sending.addBoth(self._sent)

    def _queued(self, event: dict[str, Any]) -> None:
        keyed = {**event, "idempotency_key": new_event_key()}
        self._spooling += 1
        spooled = self._spool.append(keyed)
        spooled.addCallbacks(self._spooled, self._not_spooled, errbackArgs=(keyed,))

    def _spooled(self, dropped: list[dict[str, Any]]) -> None:
        self._spooling -= 1
        for oldest in dropped:
            self._dropped(oldest)
        if self._loop.running:
            self.flush()

    def _not_spooled(self, failure: Failure, event: dict[str, Any]) -> None:
        self._spooling -= 1
        log.failure("Could not keep the {kind} of {relay_id} at {at} in the spool; the engine's relay history will "
                    "miss it", failure, kind=event["kind"], relay_id=event["relay_id"], at=event["at"])

    def _dropped(self, oldest: dict[str, Any]) -> None:
        """The spool is full: the oldest event made room, and the first of an outage is logged."""
        self._dropped_this_outage += 1
        if self._dropped_this_outage == 1:
            log.warn("The engine has not taken this daemon's reports for {count} relay events; the oldest are now "
                     "dropped and will be missing from its relay history (first dropped: {kind} of {relay_id} at "
                     "{at})", count=self._spool.max_entries, kind=oldest["kind"], relay_id=oldest["relay_id"],
                     at=oldest["at"])

    def _sent(self, _: object) -> None:
        self._sending = None
        if self._again and self._loop.running:
            self._again = False
            self.flush()

    async def _report(self, events: list[dict[str, Any]]) -> JsonResponse:
        body = {
            "host_id": self._client.device_id,
            "relays": self._controller.relays_json(),
            "events": events,
            "failsafe": self._controller.failsafe_json(),
        }
        return await self._client.request("PUT", self._url, REPORT_PATH, body)

    async def _send_events(self, batch: Sequence[SpooledEvent]) -> JsonResponse:
        return await self._report([entry.event for entry in batch])

    async def _report_alone_taken(self) -> bool:
        """Whether a report without events is taken: only then is a refused event at fault."""
        return 200 <= (await self._report([])).code < 300

    async def _send(self) -> None:
        self._url = await self._enrolment.ensure()
        try:
            await self._delivery.deliver()
        except CancelledError:
            raise
        except NotAuthorised as exc:
            self.report_failures += 1
            self._enrolment.forget()
            log.warn("The engine refused the relay report: {error}", error=str(exc))
        except DeliveryError as exc:
            self.report_failures += 1
            log.warn("The engine refused the relay report ({error}); its events stay in the spool", error=str(exc))
        except Exception as exc:  # noqa: BLE001 - kept for the next attempt
            self.report_failures += 1
            log.warn("Could not report to the engine at {url} ({error}); {count} events kept in the spool for later",
                     url=self._url, error=str(exc) or type(exc).__name__, count=await self._spool.count())
        else:
            self.reports_sent += 1
            if self._dropped_this_outage:
                log.warn("Reporting to the engine again; {count} relay events were dropped while it was away",
                         count=self._dropped_this_outage)
                self._dropped_this_outage = 0


def _describe(entry: SpooledEvent) -> str:
    event = entry.event
    return f"the {event.get('kind')} of {event.get('relay_id')} at {event.get('at')}"
