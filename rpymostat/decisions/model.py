"""What a decision is made from, and what it says.

These are plain data so that plugins and the safety layer are pure
functions, the engine can record every decision with its inputs, and the API
can say why the equipment is (or is not) running.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from rpymostat.common.vocabulary import DESIRED as DESIRED  # the plugins import the vocabulary's words from here
from rpymostat.common.vocabulary import Desired as Desired
from rpymostat.decisions.durations import format_duration
from rpymostat.decisions.equipment import FUNCTIONS, EquipmentState, Function, switch
from rpymostat.decisions.trend import TemperatureTrend
from rpymostat.decisions.weighting import WeightedTemperature
from rpymostat.prediction.recovery import HousePrediction
from rpymostat.scheduling.instruction import Instruction
from rpymostat.weather.forecast import OutdoorForecast


@dataclass(frozen=True)
class DecisionContext:
    """Everything a decision plugin may look at.

    ``next_change`` is the time and instruction of the next scheduled change,
    so a plugin can start early to reach the next target on time. ``trend``
    is the smoothed temperature and its rate of change over the last few
    minutes of reports (see :mod:`~rpymostat.decisions.trend`), or ``None``
    while there are too few reports to tell. ``outdoor`` is the outdoor
    temperature now and ``forecast`` the one ahead (``None`` without an
    outdoor sensor); ``prediction`` is what the engine learned of the house,
    looking ahead from now (``None`` until it has two five-minute steps of
    data); ``zone`` is the home's time zone, for reasons that name a time.
    """

    instruction: Instruction
    temperature: WeightedTemperature | None
    equipment: EquipmentState
    now: float
    next_change: tuple[float, Instruction] | None = None
    trend: TemperatureTrend | None = None
    outdoor: float | None = None
    forecast: OutdoorForecast | None = None
    prediction: HousePrediction | None = None
    zone: str = "UTC"

    @property
    def current(self) -> Desired:
        """What the equipment is doing now, in the vocabulary of decisions."""
        running = self.equipment.running
        if "heat" in running:
            return "heat"
        if "cool" in running:
            return "cool"
        if "fan" in running:
            return "fan"
        return "idle"


@dataclass(frozen=True)
class Lockout:
    """A function held back from the change a decision wanted.

    ``action`` is the change that is being held back: ``"start"`` (held off,
    e.g. minimum off time) or ``"stop"`` (held on, minimum run time).
    """

    function: Function
    action: Literal["start", "stop"]
    rule: str
    remaining: float

    def describe(self) -> str:
        """E.g. ``"heat starts in 3 min 20 s: minimum off time"``."""
        verb = "starts in" if self.action == "start" else "keeps running for"
        return f"{self.function} {verb} {format_duration(self.remaining)}: {self.rule}"


@dataclass(frozen=True)
class Alert:
    """Something a user should see; ``code`` is stable for scripts, ``message`` is for people."""

    code: str
    message: str


@dataclass(frozen=True)
class Decision:
    """What to run, why, and what (if anything) is holding the equipment back."""

    desired: Desired
    reason: str
    lockout: Lockout | None = None
    alerts: tuple[Alert, ...] = ()


def functions_for(desired: Desired) -> dict[Function, bool]:
    """Relay functions for a desired state: exactly one function on, or none."""
    return {function: function == desired for function in FUNCTIONS}


def apply_desired(state: EquipmentState, desired: Desired, now: float) -> EquipmentState:
    """The equipment state once a decision has been carried out (switches off first, then on)."""
    wanted = functions_for(desired)
    for function in FUNCTIONS:
        if not wanted[function]:
            state = switch(state, function, False, now)
    for function in FUNCTIONS:
        if wanted[function]:
            state = switch(state, function, True, now)
    return state


def mode_allows(instruction: Instruction, function: Function) -> bool:
    """Whether the user's mode permits a function at all (the fan is allowed in every mode)."""
    if function == "heat":
        return instruction.mode in ("heat", "auto")
    if function == "cool":
        return instruction.mode in ("cool", "auto")
    return True


def format_temperature(value: float) -> str:
    """Temperatures in reasons: one decimal, with the unit."""
    return f"{value:.1f} °C"
