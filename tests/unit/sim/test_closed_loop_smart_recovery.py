"""Smart recovery in the closed loop: the engine learns the house and has it warm at the scheduled minute.

A winter week on an injected clock with the engine's own controller (the
predictive plugin through the safety layer, learning as it goes): while
the model is learning, mornings are late as on any thermostat; once it is
confident, the house is within 0.3 °C of 21 °C at 06:30, having started no
more than the maximum early start before.
"""

from __future__ import annotations

import pytest

from rpymostat.decisions.predictive import planned_early_starts
from rpymostat.prediction.learner import ModelBook
from rpymostat.prediction.recovery import HousePrediction
from rpymostat.scheduling.instruction import Instruction
from rpymostat.sim.closed_loop import ClosedLoop, engine_controller
from tests.unit.sim.week_builders import DAY, HOUR, at, winter_loop

ON_TIME = 0.3


@pytest.fixture(scope="module")
def week() -> ClosedLoop:
    loop = winter_loop()
    loop.run_for(7 * DAY)
    loop.stop()
    return loop


def air_at(loop: ClosedLoop, moment: float) -> float:
    return next(s.air for s in loop.recording.samples if s.at >= moment)


def test_the_first_morning_is_late_as_on_any_thermostat(week: ClosedLoop) -> None:
    assert air_at(week, at(0, 6.5)) < 21.0 - 1.0


def test_once_learned_every_morning_is_at_the_target_at_the_scheduled_minute(week: ClosedLoop) -> None:
    for day in (3, 4, 5, 6):
        assert abs(air_at(week, at(day, 6.5)) - 21.0) <= ON_TIME, f"day {day}"


def test_the_early_start_begins_no_earlier_than_three_hours_before(week: ClosedLoop) -> None:
    for day in (3, 4, 5, 6):
        runs = [s for s in week.recording.switches if s.function == "heat" and s.on
                and at(day, 6.5) - 4 * HOUR <= s.at <= at(day, 6.5)]
        last_night_start = max(s.at for s in runs)
        assert last_night_start >= at(day, 6.5) - 3 * HOUR


def test_a_house_the_engine_learned_is_planned_for_in_the_timeline_the_evening_before() -> None:
    book = ModelBook()
    loop = winter_loop(controller=engine_controller(book=book))
    loop.run_for(4 * DAY + 23 * HOUR)
    learner = book.learner(["living"])
    assert learner is not None
    night = Instruction("heat", heat_setpoint=17.0)
    morning = at(5, 6.5)
    planned = planned_early_starts(HousePrediction(learner.model, loop.clock.seconds(), 0.0), 19.0, night,
                                   [(morning, Instruction("heat", heat_setpoint=21.0))], {})
    start, function, target = planned[morning]
    assert function == "heat" and target == 21.0
    assert morning - 3 * HOUR <= start < morning - 30 * 60
