"""The daemon's relays, their safety guard and the failsafe, seen as one thing.

The HTTP API and the reporter both talk to a :class:`Controller`: commands
and keep-alives go through the guard and feed the failsafe, and every
change, refusal and failsafe trip becomes an event the reporter sends to
the engine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from twisted.internet.interfaces import IReactorTime
from twisted.logger import Logger

from rpymostat.common.timeutil import to_iso
from rpymostat.common.vocabulary import RelayEventRecord, RelayFunction, RelayState
from rpymostat_control.backends import PinLevel
from rpymostat_control.failsafe import Failsafe
from rpymostat_control.guard import GuardResult, RelayEvent, RelayGuard
from rpymostat_control.relays.base import Relay

log = Logger()

EventListener = Callable[[dict[str, Any]], None]


class Controller:
    """Switches relays only through the guard, and only while someone keeps the failsafe fed."""

    def __init__(
        self,
        relays: Iterable[Relay],
        functions: Mapping[str, RelayFunction],
        clock: IReactorTime,
        failsafe_timeout: float,
        min_off: Mapping[RelayFunction, float] | None = None,
        pin_level: PinLevel | None = None,
    ) -> None:
        self._clock = clock
        self._pin_level = pin_level
        self._listeners: list[EventListener] = []
        self.guard = RelayGuard(relays, clock, functions, min_off, on_event=self._changed)
        self.failsafe = Failsafe(clock, failsafe_timeout, self._trip)

    def subscribe(self, listener: EventListener) -> None:
        """Hear about every change, refusal and failsafe trip."""
        self._listeners.append(listener)

    def start(self) -> None:
        """Arm the failsafe: the engine must be heard from within its timeout."""
        self.failsafe.start()

    def close(self) -> None:
        """Disarm the failsafe and leave every relay off and released."""
        self.failsafe.stop()
        self.guard.close()

    def command(self, relay_id: str, on: bool, reason: str) -> GuardResult:
        """Apply one authenticated command; it proves the engine is alive, so it feeds the failsafe."""
        self.failsafe.feed()
        result = self.guard.request(relay_id, on, reason)
        if not result.accepted:
            self._emit(RelayEventRecord("refusal", relay_id, on, self._clock.seconds(), result.message or "refused",
                                        refusal=result.refusal, requested=reason).to_json())
        return result

    def keepalive(self, desired: Mapping[str, bool], reason: str) -> dict[str, GuardResult]:
        """Feed the failsafe and re-assert the engine's desired states; offs first, so interlocks clear."""
        self.failsafe.feed()
        ordered = sorted(desired.items(), key=lambda item: item[1])
        return {relay_id: self.command(relay_id, on, reason) for relay_id, on in ordered}

    def relay_json(self, relay: Relay) -> dict[str, Any]:
        body = RelayState(relay.relay_id, relay.name, relay.pin, relay.active_high,
                          self.guard.function_of(relay.relay_id), relay.is_on).to_json()
        if self._pin_level is not None:
            body["pin_level"] = self._pin_level(relay.pin)
        return body

    def relays_json(self) -> list[dict[str, Any]]:
        return [self.relay_json(relay) for relay in self.guard.relays.values()]

    def failsafe_json(self) -> dict[str, Any]:
        failsafe = self.failsafe
        return {
            "timeout": failsafe.timeout,
            "tripped": failsafe.tripped,
            "tripped_at": None if failsafe.tripped_at is None else to_iso(failsafe.tripped_at),
            "trips_at": None if failsafe.trips_at is None else to_iso(failsafe.trips_at),
        }

    def _changed(self, event: RelayEvent) -> None:
        self._emit(RelayEventRecord("change", event.relay_id, event.on, event.at, event.reason).to_json())

    def _trip(self) -> None:
        reason = (f"failsafe: nothing from the engine for {self.failsafe.timeout:g} s;"
                  " every relay turned off")
        self.guard.all_off(reason)
        now = self._clock.seconds()
        for relay_id in self.guard.relays:
            self._emit(RelayEventRecord("failsafe", relay_id, False, now, reason).to_json())

    def _emit(self, event: dict[str, Any]) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:  # noqa: BLE001 - a broken listener must not stop the relays' safety
                log.failure("relay event listener failed")
