"""Skipping the turns that would decide the same changes nothing a user would notice, only the time it takes."""

from __future__ import annotations

from rpymostat.sim.closed_loop import engine_controller
from rpymostat.sim.house import SensorModel
from tests.unit.sim.week_builders import DAY, HOUR, winter_loop


def run(skip: bool, sensor: SensorModel = SensorModel()) -> tuple[list[object], list[object], list[object]]:
    loop = winter_loop(controller=engine_controller(skip_steady_turns=skip), sensor=sensor)
    loop.run_for(2 * DAY + 7 * HOUR)
    loop.stop()
    recording = loop.recording
    return recording.switches, recording.alerts, [round(s.air, 9) for s in recording.samples]


def test_two_learning_days_of_setback_are_switched_the_same_with_and_without_skipping() -> None:
    assert run(skip=True) == run(skip=False)


def test_a_noisy_sensor_is_switched_the_same_with_and_without_skipping() -> None:
    noisy = SensorModel(noise=0.25)
    assert run(skip=True, sensor=noisy) == run(skip=False, sensor=noisy)
