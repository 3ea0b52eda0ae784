"""The daemon's one conversation with the engine: enrol, then deliver, then retry.

Only one request is in flight at a time, so readings reach the engine in
the order they were taken. Each run registers when the host is not (yet)
approved or host information is due, then empties the spool. A failure
schedules the next run on the clock: with back-off when the engine does
not answer, at the reading interval while waiting for approval. Readings
keep being spooled meanwhile; a run never raises.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from twisted.internet import error as net_error
from twisted.internet.defer import CancelledError, Deferred, TimeoutError, ensureDeferred, succeed
from twisted.internet.interfaces import IDelayedCall, IReactorTime
from twisted.logger import Logger
from twisted.web.client import ResponseFailed, ResponseNeverReceived
from twisted.web.error import SchemeNotSupported

from rpymostat.common.backoff import Backoff
from rpymostat.common.delivery import EngineUnavailable, NotAuthorised
from rpymostat.common.discovery import EngineLocator
from rpymostat.common.enrolment import Registration, Standing
from rpymostat.common.signing import fingerprint
from rpymostat_sensor.enrolment import Enrolment
from rpymostat_sensor.spool import Spool

log = Logger()

#: Failures that mean "the engine did not answer": retried with back-off, logged once.
UNREACHABLE = (
    net_error.ConnectError,
    net_error.ConnectionClosed,
    net_error.DNSLookupError,
    net_error.TimeoutError,
    TimeoutError,
    ResponseFailed,
    ResponseNeverReceived,
    SchemeNotSupported,
    EngineUnavailable,
)


class Deliverer(Protocol):
    """What empties a spool into the engine (readings, and input events when inputs are watched)."""

    async def deliver(self, engine_url: str) -> int: ...


class EngineLink:
    """Keeps this host enrolled with the engine the locator names, and its spool delivered."""

    def __init__(
        self,
        clock: IReactorTime,
        locator: EngineLocator,
        enrolment: Enrolment,
        pusher: Deliverer,
        spool: Spool,
        host_id: str,
        secret: str,
        interval: float,
        info_interval: float,
        backoff: Backoff,
    ) -> None:
        self._clock = clock
        self._locator = locator
        self._enrolment = enrolment
        self._pusher = pusher
        self._spool = spool
        self._host_id = host_id
        self._fingerprint = fingerprint(secret)
        self._interval = interval
        self._info_interval = info_interval
        self._backoff = backoff
        self.standing: Standing | None = None
        #: Delivery attempts that failed (engine unreachable or not answering), for the metrics.
        self.failed_deliveries = 0
        self._info_due = False
        self._failing_since: float | None = None
        self._pending_logged_at: float | None = None
        self._running: Deferred[None] | None = None
        self._again = False
        self._retry: IDelayedCall | None = None
        self._waiters: list[Deferred[None]] = []
        self._unsubscribe: Callable[[], None] | None = None

    @property
    def approved(self) -> bool:
        return self.standing is Standing.APPROVED

    def start(self) -> None:
        """Follow the locator and begin as soon as an engine is known."""
        self._unsubscribe = self._locator.on_change(self._engine_changed)
        url = self._locator.current()
        if url is not None:
            log.info("engine at {url}", url=url)
        self.kick()

    def stop(self) -> Deferred[None]:
        """Cancel what is scheduled or in flight; fires when nothing runs any more."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self._cancel_retry()
        running = self._running
        if running is None:
            return succeed(None)
        running.cancel()
        return self.settled()

    def info_due(self) -> None:
        """Send host information with the next run (the secondary timer calls this)."""
        self._info_due = True
        self.kick()

    def kick(self) -> None:
        """Run now unless a run is going (then run again after it) or a retry is scheduled."""
        if self._running is not None:
            self._again = True
            return
        if self._retry is not None and self._retry.active():
            return
        running = ensureDeferred(self._run_until_quiet())
        running.addErrback(lambda failure: failure.trap(CancelledError))
        if not running.called:
            self._running = running

    def settled(self) -> Deferred[None]:
        """Fires once no run is going; a scheduled retry does not count."""
        if self._running is None:
            return succeed(None)
        waiter: Deferred[None] = Deferred()
        self._waiters.append(waiter)
        return waiter

    def _engine_changed(self, url: str | None) -> None:
        self._cancel_retry()
        self._backoff.reset()
        self._failing_since = None
        if url is None:
            log.info("engine lost; readings are kept in the spool until it is found again")
            return
        log.info("engine found at {url}", url=url)
        self._info_due = True
        self.kick()

    def _cancel_retry(self) -> None:
        if self._retry is not None and self._retry.active():
            self._retry.cancel()
        self._retry = None

    def _retry_in(self, seconds: float) -> None:
        self._cancel_retry()
        self._retry = self._clock.callLater(seconds, self.kick)

    async def _run_until_quiet(self) -> None:
        try:
            while True:
                self._again = False
                await self._run_once()
                if not self._again or (self._retry is not None and self._retry.active()):
                    return
        finally:
            self._running = None
            waiters, self._waiters = self._waiters, []
            for waiter in waiters:
                waiter.callback(None)

    async def _run_once(self) -> None:
        url = self._locator.current()
        if url is None:
            return
        registering = not self.approved or self._info_due
        try:
            if registering:
                self._info_due = False
                if not self._registered(await self._enrolment.register(url)):
                    return
            delivered = await self._pusher.deliver(url)
        except NotAuthorised as exc:
            log.warn("the engine no longer accepts this host's readings ({reason}); registering again",  # noqa: G010
                     reason=str(exc))
            self.standing = None
            if registering:
                # Approved a moment ago yet refused now: do not spin, back off.
                self._retry_in(self._backoff.next_delay())
            else:
                self._again = True
            return
        except UNREACHABLE as exc:
            await self._unreachable(url, exc)
            return
        except CancelledError:
            raise
        except Exception:  # noqa: BLE001 -- one unexpected failure must never stop delivery for good
            log.failure("delivery to {url} failed unexpectedly; retrying", url=url)
            self.failed_deliveries += 1
            self._retry_in(self._backoff.next_delay())
            return
        self._recovered(url, delivered)

    def _registered(self, registration: Registration) -> bool:
        """Act on the engine's answer; True when readings may be delivered now."""
        previous, self.standing = self.standing, registration.standing
        standing = registration.standing
        if standing is Standing.APPROVED:
            if previous is not Standing.APPROVED:
                log.info("host {host_id} is approved by the engine; delivering readings", host_id=self._host_id)
            return True
        if standing is Standing.UNAVAILABLE:
            raise EngineUnavailable(registration.message)
        self._retry_in(self._interval)
        if standing is Standing.PENDING:
            now = self._clock.seconds()
            if previous is not Standing.PENDING or now - (self._pending_logged_at or 0) >= self._info_interval:
                self._pending_logged_at = now
                log.info(
                    "waiting for approval: an admin approves host {host_id} (fingerprint {fingerprint}) with "
                    "`rpymostat-keys approve {host_id}`, the web UI or POST /v1/devices/{host_id}/approve; "
                    "readings are kept until then",
                    host_id=self._host_id, fingerprint=self._fingerprint,
                )
        elif previous is not standing:
            log.error("{advice}", advice=_advice(standing, self._host_id, registration.message))
        return False

    async def _unreachable(self, url: str, exc: Exception) -> None:
        self.failed_deliveries += 1
        delay = self._backoff.next_delay()
        self._retry_in(delay)
        if self._failing_since is None:
            self._failing_since = self._clock.seconds()
            backlog = await self._spool.count()
            log.warn(  # noqa: G010 -- twisted.logger.Logger has no warning()
                "cannot reach the engine at {url} ({reason}); retrying with back-off, {backlog} readings kept",
                url=url, reason=_reason(exc), backlog=backlog,
            )
        else:
            log.debug("engine at {url} still unreachable ({reason}); next try in {delay:.1f} s",
                      url=url, reason=_reason(exc), delay=delay)

    def _recovered(self, url: str, delivered: int) -> None:
        self._backoff.reset()
        if self._failing_since is not None:
            log.info("delivery to {url} resumed after {outage:.0f} s; {delivered} kept readings delivered",
                     url=url, outage=self._clock.seconds() - self._failing_since, delivered=delivered)
            self._failing_since = None


def _reason(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."


def _advice(standing: Standing, host_id: str, message: Any) -> str:
    if standing is Standing.CONFLICT:
        return (f"the engine knows host {host_id} with another secret ({message}). If this host was reinstalled "
                f"or its secret file lost, an admin deletes the old device (DELETE /v1/devices/{host_id} with an "
                f"admin key) so that it can register again; or set RPYMOSTAT_SENSOR_SECRET to the secret the "
                f"engine holds. Readings are kept meanwhile.")
    if standing is Standing.WRONG_KIND:
        return f"host {host_id} was given a secret made for another kind of daemon: {message}. Readings are kept meanwhile."
    if standing is Standing.REJECTED:
        return (f"an admin rejected host {host_id} ({message}); readings are kept but not delivered. To enrol it "
                f"after all, an admin deletes the device (DELETE /v1/devices/{host_id}) and approves it again.")
    return (f"the engine refused the registration of host {host_id}: {message}. If the signature was refused, "
            f"check that this host's clock is right (NTP).")
