"""The decision core and the simulated house together: a thermostat that holds its setpoint."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from twisted.internet.task import Clock

from rpymostat.decisions.bangbang import bangbang
from rpymostat.decisions.equipment import EquipmentState
from rpymostat.decisions.hysteresis import hysteresis
from rpymostat.decisions.plugin import DecisionPlugin
from rpymostat.decisions.safety import SafetyLimits
from rpymostat.decisions.step import decide_step
from rpymostat.decisions.trend import TREND_WINDOW
from rpymostat.decisions.weighting import SensorReading
from rpymostat.scheduling.instruction import Instruction
from rpymostat.sim.house import HouseState, SensorModel, SimulatedHouse
from rpymostat.sim.outdoor import DailySinusoid

TICK = 10.0
QUIET_SENSOR = SensorModel()
HEATING = Instruction(mode="heat", heat_setpoint=21.0, sensors={"living": 1.0})


@dataclass
class Run:
    air: list[float] = field(default_factory=list)
    runs: list[float] = field(default_factory=list)
    rests: list[float] = field(default_factory=list)
    lockouts: int = 0


def simulate(
    plugin: DecisionPlugin,
    options: dict[str, Any],
    hours: float,
    dead_after: float | None = None,
    sensor: SensorModel = QUIET_SENSOR,
    limits: SafetyLimits | None = None,
) -> Run:
    clock = Clock()
    clock.advance(1_800_000_000.0)
    house = SimulatedHouse(
        clock,
        outdoor=DailySinusoid(mean=0.0, amplitude=5.0),
        initial=HouseState(20.0, 20.0),
        sensors={"living": sensor},
    )
    equipment = EquipmentState.all_off_since(clock.seconds())
    limits = limits if limits is not None else SafetyLimits()
    last_report = SensorReading(house.sensor_value("living"), clock.seconds())
    history = [last_report]
    result = Run()
    started = clock.seconds()
    while clock.seconds() - started < hours * 3600:
        clock.advance(TICK)
        now = clock.seconds()
        if dead_after is None or now - started < dead_after:
            last_report = SensorReading(house.sensor_value("living"), now)
            history = [r for r in history if r.at >= now - TREND_WINDOW] + [last_report]
        step = decide_step(plugin, options, HEATING, {"living": last_report}, {}, equipment, now, 120, limits,
                           history={"living": history})
        result.lockouts += step.decision.lockout is not None
        before = equipment
        equipment = step.equipment
        if before.heat.on and not equipment.heat.on:
            result.runs.append(equipment.heat.last_run() or 0.0)
        if not before.heat.on and equipment.heat.on and before.heat.last_off is not None:
            result.rests.append(now - before.heat.last_off)
        house.set_equipment(**{f: equipment.of(f).on for f in ("heat", "cool", "fan")})
        result.air.append(house.state.air)
    return result


def test_hysteresis_holds_the_setpoint_without_short_cycles() -> None:
    run = simulate(hysteresis, {"tolerance": 0.3, "min_on_time": 300, "min_off_time": 300}, hours=48)
    settled = run.air[int(2 * 3600 / TICK):]
    assert min(settled) > 20.0 and max(settled) < 22.0
    assert sum(settled) / len(settled) == pytest.approx(21.0, abs=0.5)
    assert len(run.runs) > 20, "it should cycle on a cold day"
    assert min(run.runs) >= 300 and min(run.rests) >= 300


def test_with_a_noisy_sensor_hysteresis_cycles_far_less_than_bang_bang() -> None:
    noisy = SensorModel(noise=0.3)
    one_minute = SafetyLimits(min_on={"heat": 60.0, "cool": 60.0, "fan": 0.0},
                              min_off={"heat": 60.0, "cool": 60.0, "fan": 0.0})
    smart = simulate(hysteresis, {}, hours=24, sensor=noisy, limits=one_minute)
    baseline = simulate(bangbang, {}, hours=24, sensor=noisy, limits=one_minute)
    assert len(smart.runs) * 2 < len(baseline.runs)
    assert min(smart.runs) >= hysteresis.options_schema["properties"]["min_on_time"]["default"]


def test_a_dead_sensor_stops_the_furnace() -> None:
    run = simulate(hysteresis, {}, hours=12, dead_after=3 * 3600)
    after_death = run.air[int((3 * 3600 + 300) / TICK):]
    assert after_death[-1] < after_death[0] - 2.0, "the house must cool once the sensor is gone"
