"""The equipment's state and switching history, as plain data.

Minimum run, minimum off and maximum run rules need to know when each
function last changed. Keeping those times here (instead of reading a clock
or the relays inside a decision) keeps every decision a pure function. The
functions decided on are the wire vocabulary's (auxiliary heat is not one:
it runs by the relays' own rules and the engine's interlock).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from rpymostat.common.vocabulary import DECIDED_FUNCTIONS as FUNCTIONS
from rpymostat.common.vocabulary import DecidedFunction as Function


@dataclass(frozen=True)
class FunctionState:
    """One function (heat, cool or fan): on or off, and when it last switched each way.

    ``None`` means "not seen since the engine started"; an engine that does
    not know the history should start from :meth:`EquipmentState.all_off_since`.
    """

    on: bool = False
    last_on: float | None = None
    last_off: float | None = None

    @property
    def since(self) -> float | None:
        """When the function entered its present state."""
        return self.last_on if self.on else self.last_off

    def on_for(self, now: float) -> float | None:
        """Seconds of the present run, or ``None`` when off or unknown."""
        if not self.on or self.last_on is None:
            return None
        return now - self.last_on

    def off_for(self, now: float) -> float | None:
        """Seconds since it stopped, or ``None`` when on or unknown."""
        if self.on or self.last_off is None:
            return None
        return now - self.last_off

    def last_run(self) -> float | None:
        """Length of the run that ended at ``last_off``, when both ends are known."""
        if self.on or self.last_on is None or self.last_off is None or self.last_on > self.last_off:
            return None
        return self.last_off - self.last_on


@dataclass(frozen=True)
class EquipmentState:
    """Heat, cool and fan together."""

    heat: FunctionState = FunctionState()
    cool: FunctionState = FunctionState()
    fan: FunctionState = FunctionState()

    @classmethod
    def all_off_since(cls, now: float) -> EquipmentState:
        """Everything off as of ``now``: the cautious assumption after a restart.

        Minimum off times then count from the restart, so a compressor that
        was running just before the engine restarted is still protected.
        """
        off = FunctionState(on=False, last_off=now)
        return cls(heat=off, cool=off, fan=off)

    def of(self, function: Function) -> FunctionState:
        """The state of one function by name."""
        state: FunctionState = getattr(self, function)
        return state

    @property
    def last_switch(self) -> float | None:
        """When any function last switched on or off, ``None`` if never seen."""
        times = [t for function in FUNCTIONS for t in (self.of(function).last_on, self.of(function).last_off)
                 if t is not None]
        return max(times, default=None)

    @property
    def running(self) -> tuple[Function, ...]:
        """The functions that are on, in heat, cool, fan order."""
        return tuple(function for function in FUNCTIONS if self.of(function).on)


def switch(state: EquipmentState, function: Function, on: bool, now: float) -> EquipmentState:
    """The state after switching one function; switching to its present state changes nothing."""
    current = state.of(function)
    if current.on == on:
        return state
    if on:
        updated = replace(current, on=True, last_on=now)
    else:
        updated = replace(current, on=False, last_off=now)
    return replace(state, **{function: updated})
