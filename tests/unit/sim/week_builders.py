"""A winter week for closed-loop tests: the house, the rules and the engine's controller, on a task.Clock."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from twisted.internet.task import Clock

from rpymostat.scheduling.instruction import Instruction
from rpymostat.sim.closed_loop import ClosedLoop, Controller, engine_controller, resolve_rules
from rpymostat.sim.house import HouseState, SensorModel, SimulatedHouse
from rpymostat.sim.outdoor import DailySinusoid, OutdoorProfile

HOUR = 3600.0
DAY = 24 * HOUR
TZ = "Europe/London"
MONDAY = datetime(2026, 1, 5, tzinfo=UTC).timestamp()  # London is on UTC in January
SENSOR = "living"
WINTER = DailySinusoid(mean=0.0, amplitude=4.0, coldest_hour=5.0)

NIGHT_SETBACK: dict[str, dict[str, Any]] = {
    "day": {"name": "Day", "cron": "30 6 * * *", "end_cron": "30 22 * * *", "mode": "heat", "heat_setpoint": 21},
    "night": {"name": "Night", "cron": "30 22 * * *", "end_cron": "30 6 * * *", "mode": "heat",
              "heat_setpoint": 17},
}


def at(day: int, hour: float) -> float:
    """Epoch seconds ``day`` days after Monday 00:00 (London), at ``hour``."""
    return MONDAY + day * DAY + hour * HOUR


def iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def winter_loop(
    schedules: Mapping[str, Mapping[str, Any]] = NIGHT_SETBACK,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
    default: Instruction = Instruction("off"),
    outdoor: OutdoorProfile = WINTER,
    initial: HouseState = HouseState(19.0, 19.0),
    controller: Controller | None = None,
    sensor: SensorModel = SensorModel(),
) -> ClosedLoop:
    """A loop starting Monday 00:00 with one living-room sensor; nothing has run yet."""
    clock = Clock()
    clock.advance(MONDAY)
    house = SimulatedHouse(clock, outdoor, initial, sensors={SENSOR: sensor}, seed=7)
    timeline = resolve_rules(schedules, overrides or {}, default, MONDAY, MONDAY + 8 * DAY, TZ, sensors={SENSOR})
    return ClosedLoop(clock, house, timeline, controller or engine_controller(), {SENSOR: 1.0})
