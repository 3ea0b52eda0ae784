"""The watchdog that turns everything off when the engine goes quiet.

A healthy engine re-asserts the desired state (or sends a keep-alive) well
within the timeout, so this only trips when the engine, the network or the
daemon's link to it has failed: then nobody is watching the temperature, and
the only safe thing is to stop the equipment.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from twisted.internet.interfaces import IDelayedCall, IReactorTime
from twisted.logger import Logger

log = Logger()


class Failsafe:
    """Runs ``on_trip`` once when ``feed`` has not been called for ``timeout`` seconds.

    The next ``feed`` re-arms it. Between ``start`` and ``stop`` only.
    """

    def __init__(self, clock: IReactorTime, timeout: float, on_trip: Callable[[], object]) -> None:
        if not math.isfinite(timeout) or timeout <= 0:
            raise ValueError(
                f"failsafe timeout must be a positive number of seconds, not {timeout!r}"
            )
        self._clock = clock
        self._timeout = float(timeout)
        self._on_trip = on_trip
        self._pending: IDelayedCall | None = None
        self._tripped_at: float | None = None
        self._last_fed_at: float | None = None

    @property
    def timeout(self) -> float:
        return self._timeout

    @property
    def running(self) -> bool:
        return self._pending is not None or self._tripped_at is not None

    @property
    def tripped(self) -> bool:
        """True from the trip until the next ``feed``: the daemon's status reports it."""
        return self._tripped_at is not None

    @property
    def tripped_at(self) -> float | None:
        """When it tripped (epoch seconds), while it is tripped."""
        return self._tripped_at

    @property
    def last_fed_at(self) -> float | None:
        return self._last_fed_at

    @property
    def trips_at(self) -> float | None:
        """When it will trip if nothing arrives before (epoch seconds), while armed."""
        return self._pending.getTime() if self._pending is not None else None

    def start(self) -> None:
        """Arm: the engine has ``timeout`` seconds from now to be heard from."""
        if not self.running:
            self._arm()

    def stop(self) -> None:
        self._disarm()
        self._tripped_at = None

    def feed(self) -> None:
        """A valid command or keep-alive arrived: push the deadline back and clear a trip."""
        if not self.running:
            return
        self._last_fed_at = self._clock.seconds()
        if self._tripped_at is not None:
            log.info("Failsafe re-armed: the engine is heard from again")
            self._tripped_at = None
        self._disarm()
        self._arm()

    def _arm(self) -> None:
        self._pending = self._clock.callLater(self._timeout, self._trip)

    def _disarm(self) -> None:
        if self._pending is not None:
            if self._pending.active():
                self._pending.cancel()
            self._pending = None

    def _trip(self) -> None:
        self._pending = None
        self._tripped_at = self._clock.seconds()
        log.warn(
            "Failsafe tripped: nothing from the engine for {timeout:g} s; turning every relay off",
            timeout=self._timeout,
        )
        try:
            self._on_trip()
        except Exception:  # noqa: BLE001 - the trip must be recorded even if the callback fails
            log.failure("Failsafe callback failed")
