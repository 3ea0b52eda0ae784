"""Enrolment: register with the engine and wait until an admin approves.

The daemon signs its registration with the secret it carries. With a
pre-shared secret (``rpymostat-keys device HOST_ID --kind control``) the
engine approves at once; otherwise the device waits as *pending*, and its
log shows the secret's fingerprint for the admin to compare before
approving. The registration also tells the engine this daemon's API URL,
which is where the engine sends its commands.
"""

from __future__ import annotations

from typing import Any

from twisted.internet.defer import CancelledError, Deferred, ensureDeferred, succeed
from twisted.internet.interfaces import IReactorTime
from twisted.internet.task import deferLater
from twisted.logger import Logger

from rpymostat.common.backoff import Backoff
from rpymostat.common.discovery import EngineLocator
from rpymostat.common.enrolment import Registration, Standing, register
from rpymostat.common.http import SignedJsonClient
from rpymostat.common.signing import fingerprint

log = Logger()

DEVICE_KIND = "control"
PENDING_POLL_SECONDS = 5.0


class Enrolment:
    """Registers once an engine is known, then polls while pending; :meth:`ensure` waits for approval."""

    def __init__(
        self,
        client: SignedJsonClient,
        locator: EngineLocator,
        clock: IReactorTime,
        own_url: str,
        info: dict[str, Any] | None = None,
        backoff: Backoff | None = None,
        poll_interval: float = PENDING_POLL_SECONDS,
    ) -> None:
        self._client = client
        self._locator = locator
        self._clock = clock
        self._own_url = own_url
        self._info = info or {}
        self._backoff = backoff or Backoff(1.0, 60.0)
        self._poll = poll_interval
        self.state = "searching"
        self._approved_at: str | None = None
        self._refusal_logged: tuple[int, str] | None = None
        self._running: Deferred[str] | None = None
        self._waiters: list[Deferred[str]] = []

    def describe(self) -> dict[str, Any]:
        """For the daemon's status: where the engine is and whether it accepts us."""
        return {"url": self._locator.current(), "enrolment": self.state,
                "fingerprint": fingerprint(self._client.secret)}

    def ensure(self) -> Deferred[str]:
        """Fire with the engine's URL once this device is approved (at once when it is)."""
        url = self._locator.current()
        if self.state == "approved" and url is not None and url == self._approved_at:
            return succeed(url)
        waiter: Deferred[str] = Deferred(lambda d: self._waiters.remove(d) if d in self._waiters else None)
        self._waiters.append(waiter)
        if self._running is None:
            self._running = ensureDeferred(self._run())
            self._running.addBoth(self._finished)
        return waiter

    def forget(self) -> None:
        """The engine no longer accepts us (deleted, or a new database): register again on the next ensure."""
        if self.state == "approved":
            log.warn("The engine refused this device's signature; registering again")
            self.state = "registering"
            self._approved_at = None

    def stop(self) -> None:
        if self._running is not None:
            self._running.cancel()

    def _finished(self, result: Any) -> None:
        self._running = None
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if isinstance(result, str):
                waiter.callback(result)
            else:
                waiter.errback(result)

    async def _run(self) -> str:
        while True:
            if self.state != "pending":
                self.state = "searching" if self._locator.current() is None else "registering"
            url = await self._locator.wait()
            if self.state == "searching":
                self.state = "registering"
            delay = await self._attempt(url)
            if delay is None:
                return url
            await deferLater(self._clock, delay, lambda: None)

    async def _attempt(self, url: str) -> float | None:
        """One registration; None once approved, else how long to wait before the next."""
        try:
            answer = await register(self._client, url, DEVICE_KIND, self._info, self._own_url)
        except CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - any failure to reach the engine means "try again later"
            return self._unreachable(url, str(exc) or type(exc).__name__)
        if answer.standing is Standing.UNAVAILABLE:
            return self._unreachable(url, f"HTTP {answer.code}: {answer.message}")
        if answer.standing in (Standing.APPROVED, Standing.PENDING):
            self._backoff.reset()
            self._refusal_logged = None
        if answer.standing is Standing.APPROVED:
            self.state, self._approved_at = "approved", url
            log.info("Approved by the engine at {url}", url=url)
            return None
        if answer.standing is Standing.PENDING:
            if self.state != "pending":
                log.warn("Waiting for an admin to approve host {host_id} on the engine; "
                         "its secret's fingerprint is {fingerprint}",
                         host_id=self._client.device_id, fingerprint=fingerprint(self._client.secret))
            self.state = "pending"
            return self._poll
        return self._refused(answer)

    def _unreachable(self, url: str, error: str) -> float:
        delay = self._backoff.next_delay()
        log.warn("Cannot reach the engine at {url} ({error}); retrying in {delay:.1f} s", url=url, error=error,
                 delay=delay)
        return delay

    def _refused(self, answer: Registration) -> float:
        """Say once why the engine refuses (it takes an admin to change that), then wait.

        A refused signature (401) is retried sooner, with back-off: right
        after the engine restarted, a clock a little behind it is refused
        for a moment only.
        """
        self.state = "rejected" if answer.standing is Standing.REJECTED else "refused"
        if self._refusal_logged != (answer.code, answer.message):
            self._refusal_logged = (answer.code, answer.message)
            log.error("The engine refused the registration ({code}): {error}. Retrying quietly until it accepts.",
                      code=answer.code, error=answer.message)
        return self._backoff.next_delay() if answer.code == 401 else max(self._poll, 60.0)
