"""The default plugin: a band around the setpoint, minimum on and off times."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rpymostat.decisions.hysteresis import hysteresis
from rpymostat.decisions.model import DecisionContext
from rpymostat.decisions.trend import TemperatureTrend

from .builders import context, rested, running

NO_MINIMUMS = {"min_on_time": 0, "min_off_time": 0}


@pytest.mark.parametrize(
    ("mode", "temp", "equipment", "expected"),
    [
        # heat: start at or below 21 - 0.5, stop at or above 21 + 0.5
        ("heat", 20.5, rested(), "heat"),
        ("heat", 20.6, rested(), "idle"),
        ("heat", 21.4, running("heat", 600), "heat"),
        ("heat", 21.5, running("heat", 600), "idle"),
        ("heat", 30.0, rested(), "idle"),
        # cool: start at or above 25 + 0.5, stop at or below 25 - 0.5
        ("cool", 25.5, rested(), "cool"),
        ("cool", 25.4, rested(), "idle"),
        ("cool", 24.6, running("cool", 600), "cool"),
        ("cool", 24.5, running("cool", 600), "idle"),
        ("cool", 10.0, rested(), "idle"),
        # auto picks whichever setpoint is violated
        ("auto", 20.0, rested(), "heat"),
        ("auto", 26.0, rested(), "cool"),
        ("auto", 23.0, rested(), "idle"),
        ("auto", 21.2, running("heat", 600), "heat"),
        # off is off
        ("off", 5.0, rested(), "idle"),
        ("off", 40.0, rested(), "idle"),
    ],
)
def test_band_table(mode: str, temp: float, equipment, expected: str) -> None:  # type: ignore[no-untyped-def]
    decision = hysteresis.decide(context(mode, temp, equipment, tolerance=0.5), NO_MINIMUMS)
    assert decision.desired == expected
    assert decision.reason


def test_tolerance_option_applies_when_instruction_has_none() -> None:
    ctx = context("heat", 20.3, tolerance=None)
    assert hysteresis.decide(ctx, {**NO_MINIMUMS, "tolerance": 0.5}).desired == "heat"
    assert hysteresis.decide(ctx, {**NO_MINIMUMS, "tolerance": 1.0}).desired == "idle"


@pytest.mark.parametrize("equipment", [rested(), running("heat", 600)])
def test_zero_tolerance_exactly_at_target_nothing_flips(equipment) -> None:  # type: ignore[no-untyped-def]
    decision = hysteresis.decide(context("heat", 21.0, equipment, tolerance=0.0), NO_MINIMUMS)
    assert decision.desired == ("heat" if equipment.heat.on else "idle")


@pytest.mark.parametrize("equipment", [rested(), running("cool", 600)])
def test_zero_tolerance_exactly_at_cool_target_nothing_flips(equipment) -> None:  # type: ignore[no-untyped-def]
    decision = hysteresis.decide(context("cool", 25.0, equipment, tolerance=0.0), NO_MINIMUMS)
    assert decision.desired == ("cool" if equipment.cool.on else "idle")


def test_fan_on_runs_the_fan_when_not_heating() -> None:
    assert hysteresis.decide(context("heat", 22.0, fan="on"), NO_MINIMUMS).desired == "fan"
    assert hysteresis.decide(context("heat", 19.0, fan="on"), NO_MINIMUMS).desired == "heat"
    assert hysteresis.decide(context("off", 19.0, fan="on"), NO_MINIMUMS).desired == "fan"


def test_no_temperature_means_idle() -> None:
    assert hysteresis.decide(context("heat", None, running("heat", 10)), {}).desired == "idle"


def test_minimum_on_time_holds_a_run() -> None:
    decision = hysteresis.decide(context("heat", 23.0, running("heat", 100)), {"min_on_time": 300})
    assert decision.desired == "heat"
    assert decision.lockout is not None
    assert (decision.lockout.function, decision.lockout.action) == ("heat", "stop")
    assert decision.lockout.remaining == pytest.approx(200)
    assert "minimum run time" in decision.lockout.describe()


def test_minimum_off_time_holds_a_start() -> None:
    decision = hysteresis.decide(context("heat", 19.0, rested("heat", 100)), {"min_off_time": 300})
    assert decision.desired == "idle"
    assert decision.lockout is not None
    assert decision.lockout.describe() == "heat starts in 3 min 20 s: minimum off time"


def test_turning_the_system_off_stops_at_once() -> None:
    decision = hysteresis.decide(context("off", 19.0, running("heat", 10)), {"min_on_time": 300})
    assert decision.desired == "idle" and decision.lockout is None


def test_changing_mode_away_from_a_running_function_stops_it() -> None:
    decision = hysteresis.decide(context("cool", 19.0, running("heat", 10)), {"min_on_time": 300})
    assert decision.desired == "idle"


@given(
    setpoint=st.floats(min_value=10, max_value=30),
    tolerance=st.floats(min_value=0, max_value=3),
    offset=st.floats(min_value=-5, max_value=5),
    heating=st.booleans(),
)
def test_heating_band_property(setpoint: float, tolerance: float, offset: float, heating: bool) -> None:
    temp = setpoint + offset
    equipment = running("heat", 3600) if heating else rested()
    ctx = context("heat", temp, equipment, heat=setpoint, cool=None, tolerance=tolerance)
    desired = hysteresis.decide(ctx, NO_MINIMUMS).desired
    if temp == setpoint:
        assert desired == ("heat" if heating else "idle")
    elif heating:
        assert desired == ("idle" if temp >= setpoint + tolerance else "heat")
    else:
        assert desired == ("heat" if temp <= setpoint - tolerance else "idle")


def trending(ctx: DecisionContext, value: float, per_hour: float = 0.0) -> DecisionContext:
    """The context with a trend of ten reports at ``value``, changing by ``per_hour`` °C an hour."""
    return replace(ctx, trend=TemperatureTrend(value=value, rate=per_hour / 3600, readings=10, span=540))


@pytest.mark.parametrize(("last_report", "equipment"), [(20.5, rested()), (21.6, running("heat", 600))])
def test_one_noisy_report_beyond_an_edge_does_not_flip_the_equipment(last_report: float, equipment) -> None:  # type: ignore[no-untyped-def]
    ctx = trending(context("heat", last_report, equipment, tolerance=0.3), 21.0)
    expected = "heat" if equipment.heat.on else "idle"
    assert hysteresis.decide(ctx, NO_MINIMUMS).desired == expected
    assert hysteresis.decide(ctx, {**NO_MINIMUMS, "smoothing": False}).desired != expected


def test_the_trend_crossing_an_edge_does_flip_it_and_the_reason_says_so() -> None:
    decision = hysteresis.decide(trending(context("heat", 21.0, tolerance=0.3), 20.65, -0.6), NO_MINIMUMS)
    assert decision.desired == "heat"
    assert decision.reason == "heat: 20.6 °C is at or below 20.7 °C (trend of 10 reports, -0.6 °C/h)"


def test_without_a_trend_the_last_report_decides() -> None:
    assert hysteresis.decide(context("heat", 20.6, tolerance=0.3), NO_MINIMUMS).desired == "heat"


def test_anticipation_stops_a_fast_rise_before_the_upper_edge() -> None:
    # 21.1 °C and rising 9 °C/h: in 90 s the room is past 21.3 °C.
    ctx = trending(context("heat", 21.1, running("heat", 300), tolerance=0.3), 21.1, 9.0)
    assert hysteresis.decide(ctx, NO_MINIMUMS).desired == "heat"
    decision = hysteresis.decide(ctx, {**NO_MINIMUMS, "anticipation": 90})
    assert decision.desired == "idle"
    assert decision.reason.endswith("(trend of 10 reports, +9.0 °C/h, 90 s ahead)")


def test_anticipation_starts_a_fast_fall_before_the_lower_edge() -> None:
    ctx = trending(context("heat", 20.8, tolerance=0.3), 20.8, -3.0)
    assert hysteresis.decide(ctx, NO_MINIMUMS).desired == "idle"
    assert hysteresis.decide(ctx, {**NO_MINIMUMS, "anticipation": 180}).desired == "heat"


def test_anticipation_without_smoothing_looks_ahead_from_the_last_report() -> None:
    ctx = trending(context("heat", 21.2, running("heat", 300), tolerance=0.3), 20.9, 9.0)
    assert hysteresis.decide(ctx, {**NO_MINIMUMS, "smoothing": False, "anticipation": 60}).desired == "idle"
    assert hysteresis.decide(ctx, {**NO_MINIMUMS, "anticipation": 60}).desired == "heat"


@pytest.mark.parametrize("equipment", [rested(), running("heat", 600)])
def test_zero_tolerance_steady_at_target_nothing_flips_when_looking_ahead(equipment) -> None:  # type: ignore[no-untyped-def]
    ctx = trending(context("heat", 21.0, equipment, tolerance=0.0), 21.0)
    decision = hysteresis.decide(ctx, {**NO_MINIMUMS, "anticipation": 600})
    assert decision.desired == ("heat" if equipment.heat.on else "idle")


def test_the_system_off_stops_at_once_whatever_the_trend() -> None:
    ctx = trending(context("off", 19.0, running("heat", 10)), 19.0, -6.0)
    decision = hysteresis.decide(ctx, {"anticipation": 120})
    assert decision.desired == "idle" and decision.lockout is None
    assert decision.reason == "the system is off"
