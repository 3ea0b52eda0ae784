"""Local safety for the relays, enforced whatever the engine asks.

The engine has its own safety layer, but this daemon is the last thing
between a bug (or an attacker) and the furnace, so it refuses on its own:

- **Interlock.** A heating relay (``heat``, ``aux``) is never turned on while
  a cooling relay (``cool``) is on, nor the other way round.
- **Minimum off time.** A relay stays off for at least its function's
  minimum off time (compressor protection: 300 s for ``cool`` by default)
  after it last went off. The guard's start counts as "went off", because
  after a restart or a power cut nobody knows how long ago the compressor
  stopped.
- **Turning off** is always allowed and immediate.
- **Safe state.** Every relay is off when the guard is built and when it is
  closed.

Every change is kept as a :class:`RelayEvent` and handed to a listener, so
the daemon can report it to the engine with its reason.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from twisted.internet.interfaces import IReactorTime
from twisted.logger import Logger

from rpymostat.common.vocabulary import RELAY_FUNCTIONS, Refusal, RelayFunction, opposing
from rpymostat_control.relays.base import Relay

log = Logger()

DEFAULT_MIN_OFF: Mapping[RelayFunction, float] = {"heat": 0.0, "cool": 300.0, "fan": 0.0, "aux": 0.0}


class UnknownRelayError(KeyError):
    """A request named a relay this daemon does not have."""


@dataclass(frozen=True)
class RelayEvent:
    """One change of a relay's state: which, to what, when (epoch seconds) and why."""

    relay_id: str
    on: bool
    at: float
    reason: str


@dataclass(frozen=True)
class GuardResult:
    """The answer to a request.

    When ``accepted`` is false nothing changed; ``refusal`` says which rule
    refused, ``message`` says it for a human, and for the minimum off time
    ``retry_after`` is the number of seconds left.
    """

    relay_id: str
    on: bool
    accepted: bool
    changed: bool = False
    refusal: Refusal | None = None
    message: str | None = None
    retry_after: float | None = None


EventListener = Callable[[RelayEvent], None]


class RelayGuard:
    """The only way the daemon switches relays."""

    def __init__(
        self,
        relays: Iterable[Relay],
        clock: IReactorTime,
        functions: Mapping[str, RelayFunction],
        min_off: Mapping[RelayFunction, float] | None = None,
        on_event: EventListener | None = None,
        max_events: int = 1000,
    ) -> None:
        self._relays: dict[str, Relay] = {}
        for relay in relays:
            if relay.relay_id in self._relays:
                raise ValueError(f"relay ID {relay.relay_id!r} appears twice")
            self._relays[relay.relay_id] = relay
        self._clock = clock
        self._functions = _checked_functions(functions, self._relays)
        self._min_off = _checked_min_off(min_off or {})
        self._on_event = on_event
        self._events: deque[RelayEvent] = deque(maxlen=max_events)
        started = clock.seconds()
        self._last_off: dict[str, float] = {relay_id: started for relay_id in self._relays}
        self.all_off("start-up: every relay starts in its safe state")

    @property
    def relays(self) -> Mapping[str, Relay]:
        return dict(self._relays)

    @property
    def events(self) -> list[RelayEvent]:
        """The most recent changes, oldest first (bounded, so memory stays flat)."""
        return list(self._events)

    def function_of(self, relay_id: str) -> RelayFunction | None:
        """The function the safety rules apply to this relay (``None``: no rule but "off is safe")."""
        self._relay(relay_id)
        return self._functions.get(relay_id)

    def request(self, relay_id: str, on: bool, reason: str = "requested") -> GuardResult:
        """Switch a relay if the safety rules allow it; otherwise change nothing and say why."""
        if not isinstance(on, bool):
            raise TypeError(f"the requested state must be true or false, not {on!r}")
        relay = self._relay(relay_id)
        if relay.is_on == on:
            return GuardResult(relay_id=relay_id, on=on, accepted=True)
        if on:
            refused = self._refusal(relay)
            if refused is not None:
                log.warn(
                    "Refused to turn {relay_id} on: {message}",
                    relay_id=relay_id,
                    message=refused.message,
                )
                return refused
        self._switch(relay, on, reason)
        return GuardResult(relay_id=relay_id, on=on, accepted=True, changed=True)

    def all_off(self, reason: str) -> None:
        """Put every relay in its safe state; a relay that fails does not stop the others."""
        for relay in self._relays.values():
            try:
                if relay.is_on:
                    self._switch(relay, False, reason)
            except Exception:  # noqa: BLE001 - one failure must not stop the rest
                log.failure("Could not turn {relay_id} off", relay_id=relay.relay_id)

    def close(self) -> None:
        """Turn every relay off and release it (shutdown)."""
        self.all_off("shutdown: every relay left in its safe state")
        for relay in self._relays.values():
            try:
                relay.close()
            except Exception:  # noqa: BLE001 - one failure must not stop the rest
                log.failure("Could not release {relay_id}", relay_id=relay.relay_id)

    def _relay(self, relay_id: str) -> Relay:
        try:
            return self._relays[relay_id]
        except KeyError:
            raise UnknownRelayError(f"no relay with ID {relay_id!r}") from None

    def _refusal(self, relay: Relay) -> GuardResult | None:
        function = self._functions.get(relay.relay_id)
        opposite = opposing(function)
        for other in self._relays.values():
            if other.is_on and self._functions.get(other.relay_id) in opposite:
                return GuardResult(
                    relay_id=relay.relay_id,
                    on=True,
                    accepted=False,
                    refusal="interlock",
                    message=(
                        f"{relay.name} ({function}) cannot run while {other.name}"
                        f" ({self._functions[other.relay_id]}) is on; turn {other.name} off first"
                    ),
                )
        if function is None:
            return None
        remaining = self._last_off[relay.relay_id] + self._min_off[function] - self._clock.seconds()
        if remaining > 0:
            return GuardResult(
                relay_id=relay.relay_id,
                on=True,
                accepted=False,
                refusal="min_off",
                message=(
                    f"{relay.name} ({function}) must stay off for {self._min_off[function]:g} s"
                    f" after it last went off; {math.ceil(remaining)} s remaining"
                ),
                retry_after=remaining,
            )
        return None

    def _switch(self, relay: Relay, on: bool, reason: str) -> None:
        relay.set(on)
        now = self._clock.seconds()
        if not on:
            self._last_off[relay.relay_id] = now
        event = RelayEvent(relay_id=relay.relay_id, on=on, at=now, reason=reason)
        self._events.append(event)
        log.info(
            "{relay_id} {state}: {reason}",
            relay_id=relay.relay_id,
            state="on" if on else "off",
            reason=reason,
        )
        if self._on_event is not None:
            try:
                self._on_event(event)
            except Exception:  # noqa: BLE001 - one failure must not stop the rest
                log.failure("Relay event listener failed for {relay_id}", relay_id=relay.relay_id)


def _checked_functions(
    functions: Mapping[str, RelayFunction], relays: Mapping[str, Relay]
) -> dict[str, RelayFunction]:
    for relay_id, function in functions.items():
        if relay_id not in relays:
            raise ValueError(
                f"a function is given for {relay_id!r}, which is not one of the relays"
            )
        if function not in RELAY_FUNCTIONS:
            raise ValueError(
                f"function {function!r} of {relay_id!r} is not one of {', '.join(RELAY_FUNCTIONS)}"
            )
    return dict(functions)


def _checked_min_off(min_off: Mapping[RelayFunction, float]) -> dict[RelayFunction, float]:
    merged = dict(DEFAULT_MIN_OFF)
    for function, seconds in min_off.items():
        if function not in RELAY_FUNCTIONS:
            raise ValueError(
                f"minimum off time given for {function!r}, which is not one of {', '.join(RELAY_FUNCTIONS)}"
            )
        if not math.isfinite(seconds) or seconds < 0:
            raise ValueError(
                f"minimum off time for {function} must be a number of seconds >= 0, not {seconds!r}"
            )
        merged[function] = float(seconds)
    return merged
