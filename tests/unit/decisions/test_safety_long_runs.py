"""The maximum run judges a run against what the learned model expects of it."""

from __future__ import annotations

from dataclasses import replace

from rpymostat.decisions.model import Decision
from rpymostat.decisions.safety import SafetyLimits, apply_safety
from rpymostat.prediction.recovery import HousePrediction, RunStart
from rpymostat.prediction.thermal_model import Drift, RunProfile, ThermalModel
from tests.unit.decisions.builders import NOW, context, running

SLOW = RunProfile(jump=0.5, rate=1.2, slope=0.03, tau=900.0, error=0.05, runs=30.0, hours=40.0)
MODEL = ThermalModel(heat=SLOW, drift=Drift(0.0, 0.03, 0.1, 30.0))
LIMITS = SafetyLimits()
FOUR_HOURS_AND_A_BIT = 4 * 3600.0 + 60.0


def long_run(now_temperature: float, started_at: float = 12.0) -> Decision:
    ctx = context("heat", now_temperature, running("heat", FOUR_HOURS_AND_A_BIT), heat=21.0)
    run = RunStart(NOW - FOUR_HOURS_AND_A_BIT, started_at, started_at - 0.0, 0.0)
    ctx = replace(ctx, prediction=HousePrediction(MODEL, NOW, 0.0, run=run))
    return apply_safety(Decision("heat", "heating"), ctx, LIMITS)


def test_a_slow_warm_up_that_is_on_track_runs_past_the_maximum_without_an_alarm() -> None:
    # From 12 °C at 0 °C outside the model expects about 0.5 + (1.2 − 0.36..0.5)·4 ≈ 3.3 °C in four hours.
    expected = SLOW.change(FOUR_HOURS_AND_A_BIT, 12.0)
    decision = long_run(12.0 + expected * 0.8)
    assert decision.desired == "heat"
    assert "max_run" not in {alert.code for alert in decision.alerts}


def test_a_run_that_falls_far_short_of_the_model_stops_with_the_open_window_alert() -> None:
    decision = long_run(12.5)
    assert decision.desired == "idle"
    assert "max_run" in {alert.code for alert in decision.alerts}


def test_without_a_model_the_maximum_run_holds_as_before() -> None:
    ctx = context("heat", 18.0, running("heat", FOUR_HOURS_AND_A_BIT), heat=21.0)
    assert apply_safety(Decision("heat", "heating"), ctx, LIMITS).desired == "idle"


def test_no_run_goes_on_past_three_times_the_maximum() -> None:
    ctx = context("heat", 19.0, running("heat", 3 * 4 * 3600.0 + 60), heat=21.0)
    run = RunStart(NOW - 3 * 4 * 3600.0 - 60, 5.0, 5.0, 0.0)
    ctx = replace(ctx, prediction=HousePrediction(MODEL, NOW, 0.0, run=run))
    assert apply_safety(Decision("heat", "heating"), ctx, LIMITS).desired == "idle"
