"""Simulated houses driven the way a thermostat drives them, fed to the learner as the engine feeds it."""

from __future__ import annotations

from dataclasses import dataclass

from twisted.internet.task import Clock

from rpymostat.prediction.learner import HouseLearner
from rpymostat.sim.house import HouseParameters, HouseState, SimulatedHouse
from rpymostat.sim.outdoor import Constant, DailySinusoid, OutdoorProfile
from rpymostat.sim.prelearn import watch_house

START = 1_767_571_200.0  # Monday 5 January 2026, 00:00 UTC
DAY = 86_400.0
HOUR = 3_600.0
REPORT = 60.0


@dataclass(frozen=True)
class Fed:
    learner: HouseLearner
    house: SimulatedHouse
    clock: Clock


def setback_day(at: float) -> float:
    """21 °C from 06:30 to 22:30, 17 °C at night."""
    hour = (at - START) % DAY / HOUR
    return 21.0 if 6.5 <= hour < 22.5 else 17.0


def feed_days(params: HouseParameters, days: float, outdoor: OutdoorProfile | None = None) -> Fed:
    """``days`` of a plain thermostat (band around a night-setback schedule, 5-minute minimum run and rest)
    heating the house, a report a minute; the learner sees every report with the outdoor temperature."""
    clock = Clock()
    clock.advance(START)
    profile = outdoor if outdoor is not None else DailySinusoid(mean=0.0, amplitude=4.0)
    house = SimulatedHouse(clock, profile, HouseState(19.0, 19.0), params, seed=7)
    learner = watch_house(house, clock, days * DAY, {"living": 1.0}, lambda now: (setback_day(now), None))
    return Fed(learner, house, clock)


def true_warm_up(params: HouseParameters, start: float, target: float, outdoor: float) -> float:
    """Seconds the simulated house, settled at ``start`` °C, takes with the furnace on until its sensor reads
    ``target`` (the truth a learned model's prediction is judged against)."""
    clock = Clock()
    house = SimulatedHouse(clock, Constant(outdoor), HouseState(start, start), params,
                           sensors=None, seed=3)
    house.sensor_value("living")
    house.set_equipment(heat=True)
    elapsed = 0.0
    while house.sensor_value("living") < target:
        clock.advance(REPORT)
        elapsed += REPORT
        if elapsed > 12 * HOUR:
            raise AssertionError("the furnace cannot reach the target")
    return elapsed
