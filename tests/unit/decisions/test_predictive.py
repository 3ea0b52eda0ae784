"""The predictive plugin: separate tolerances, smart recovery and learned anticipation, as pure decisions."""

from __future__ import annotations

from dataclasses import replace

import pytest

from rpymostat.decisions.model import DecisionContext
from rpymostat.decisions.predictive import planned_early_starts, predictive
from rpymostat.prediction.recovery import HousePrediction, RunStart
from rpymostat.prediction.thermal_model import AfterStop, Drift, RunProfile, ThermalModel
from rpymostat.scheduling.instruction import Instruction
from tests.unit.decisions.builders import NOW, context, rested, running

# A learned house: warms 2 °C an hour whatever the weather, no quick part, holds its temperature when off.
STEADY = RunProfile(jump=0.0, rate=2.0, slope=0.0, tau=600.0, error=0.05, runs=20.0, hours=20.0)
LEARNED = ThermalModel(heat=STEADY, cool=replace(STEADY, rate=1.5), drift=Drift(0.0, 0.0, 0.05, 20.0))
UNSURE = ThermalModel(heat=replace(STEADY, runs=1.0, hours=0.2), drift=Drift(0.0, 0.0, 0.05, 1.0))
NIGHT = Instruction("heat", heat_setpoint=17.0, sensors={"living": 1.0}, source="schedule:night")
DAY = Instruction("heat", heat_setpoint=21.0, sensors={"living": 1.0}, source="schedule:day")


def morning(temp: float, hours_before: float, model: ThermalModel = LEARNED, equipment=None,  # type: ignore[no-untyped-def]
            options: dict | None = None) -> DecisionContext:  # type: ignore[type-arg]
    """At NOW, the night rule is in force and the day rule starts ``hours_before`` hours later."""
    base = context("heat", temp, equipment if equipment is not None else rested(), heat=17.0)
    return replace(base, instruction=NIGHT, next_change=(NOW + hours_before * 3600.0, DAY),
                   prediction=HousePrediction(model, NOW, 0.0), zone="Europe/London")


def test_heating_starts_early_at_the_latest_moment_that_reaches_the_target_on_time() -> None:
    # 17 → 21 °C at 2 °C an hour takes 2 h; with a 2-minute margin, the start is 2 h 2 min before.
    assert predictive.decide(morning(17.0, 2.2), {}).desired == "idle"
    early = predictive.decide(morning(17.0, 2.0), {})
    assert early.desired == "heat"
    assert early.reason.startswith("heating early to reach 21.0 °C at ")


def test_the_reason_names_the_scheduled_minute_in_the_home_time_zone() -> None:
    decision = predictive.decide(morning(17.0, 1.0), {})
    at = NOW + 3600.0
    from datetime import datetime
    from zoneinfo import ZoneInfo

    expected = datetime.fromtimestamp(at, ZoneInfo("Europe/London")).strftime("%H:%M")
    assert f"at {expected}" in decision.reason


def test_no_early_start_without_a_confident_model_or_when_switched_off() -> None:
    assert predictive.decide(morning(17.0, 1.0, UNSURE), {}).desired == "idle"
    assert predictive.decide(morning(17.0, 1.0), {"smart_recovery": False}).desired == "idle"
    assert predictive.decide(morning(17.0, 1.0), {"max_early_start": 1800}).desired == "idle"


def test_no_early_start_for_a_change_to_a_cooler_heat_target() -> None:
    evening = replace(morning(21.0, 0.5), instruction=DAY, next_change=(NOW + 1800.0, NIGHT))
    assert predictive.decide(evening, {}).desired == "idle"


def test_a_house_that_reached_the_new_target_shortly_before_the_change_is_held_there() -> None:
    resting = predictive.decide(morning(21.05, 0.4), {})
    assert resting.desired == "idle" and resting.reason.startswith("heating early to reach 21.0 °C")
    assert predictive.decide(morning(20.95, 0.4), {}).desired == "heat", "held at the target, not below it"
    assert predictive.decide(morning(20.75, 0.6), {}).reason.startswith("in band"), "not held earlier than that"


def test_cold_and_hot_tolerances_are_separate_and_inclusive_at_their_edges() -> None:
    options = {"cold_tolerance": 2.0, "hot_tolerance": 4.0}
    assert predictive.decide(context("heat", 19.01, rested()), options).desired == "idle"
    assert predictive.decide(context("heat", 19.0, rested()), options).desired == "heat"
    assert predictive.decide(context("heat", 24.99, running("heat", 600)), options).desired == "heat"
    assert predictive.decide(context("heat", 25.0, running("heat", 600)), options).desired == "idle"
    # cooling mirrors it: start at the setpoint plus the hot tolerance, stop at it minus the cold one
    assert predictive.decide(context("cool", 28.99, rested(), cool=25.0), options).desired == "idle"
    assert predictive.decide(context("cool", 29.0, rested(), cool=25.0), options).desired == "cool"
    assert predictive.decide(context("cool", 23.01, running("cool", 600), cool=25.0), options).desired == "cool"
    assert predictive.decide(context("cool", 23.0, running("cool", 600), cool=25.0), options).desired == "idle"


def test_a_rule_s_own_tolerance_sets_both() -> None:
    assert predictive.decide(context("heat", 20.5, rested(), tolerance=0.5), {"cold_tolerance": 2.0}).desired == "heat"


def test_heating_stops_early_by_what_the_model_expects_after_a_stop() -> None:
    coasting = replace(LEARNED, after_heat=AfterStop(amount=0.2, events=10.0))
    warm = replace(context("heat", 21.1, running("heat", 900)), prediction=HousePrediction(coasting, NOW, 0.0))
    stopped = predictive.decide(warm, {})
    assert stopped.desired == "idle" and "still to come" in stopped.reason
    assert predictive.decide(warm, {"anticipation": False}).desired == "heat"


@pytest.mark.parametrize("temp,expected", [(17.0, True), (21.0, False)])
def test_the_timeline_is_told_of_planned_early_starts(temp: float, expected: bool) -> None:
    at = NOW + 5 * 3600.0
    planned = planned_early_starts(HousePrediction(LEARNED, NOW, 0.0), temp, NIGHT, [(at, DAY)], {})
    if expected:
        start, function, target = planned[at]
        assert function == "heat" and target == 21.0
        assert at - 2.2 * 3600 < start < at - 2.0 * 3600
    else:
        assert planned == {}


def test_a_house_far_on_the_other_side_of_the_new_target_is_not_held_for_it() -> None:
    auto_night = Instruction("auto", heat_setpoint=19.0, cool_setpoint=25.0, sensors={"living": 1.0})
    auto_day = Instruction("auto", heat_setpoint=21.0, cool_setpoint=23.0, sensors={"living": 1.0})
    # 27 minutes before: heating is not due yet (it needs 24 min and a 2-min margin), and 20.2 °C is no reason
    # to hold the house at the new cool target of 23 °C.
    cool_morning = replace(morning(20.2, 0.45), instruction=auto_night, next_change=(NOW + 0.45 * 3600, auto_day))
    decision = predictive.decide(cool_morning, {})
    assert "early" not in decision.reason


def test_an_early_start_goes_on_when_the_run_has_since_taught_the_model_a_quick_first_rise() -> None:
    # Started 20 minutes ago from 17 °C, 2 h 10 min before the change, by the steady model's plan (2 h 2 min).
    # The run's first minutes made the model see a quick 1.5 °C: re-planned with it, the start would look early.
    quick = replace(LEARNED, heat=replace(STEADY, jump=1.5))
    started = NOW - 1200.0
    now = morning(17.7, 110 / 60, model=quick, equipment=running("heat", 1200))
    planned_then = RunStart(started, 17.0, 17.0, 0.0, model=LEARNED)
    relearned = RunStart(started, 17.0, 17.0, 0.0)
    assert now.prediction is not None
    going_on = replace(now, prediction=replace(now.prediction, run=planned_then))
    assert predictive.decide(going_on, {}).desired == "heat"
    stopped = replace(now, prediction=replace(now.prediction, run=relearned))
    assert predictive.decide(stopped, {}).desired == "idle", "judged with the newer model it would stop"
