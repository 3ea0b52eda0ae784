"""The safety layer, one rule at a time, whatever the plugin asked for."""

from __future__ import annotations

import pytest

from rpymostat.decisions.model import Decision, Lockout
from rpymostat.decisions.safety import SafetyLimits, apply_safety
from rpymostat.decisions.weighting import DroppedSensor, WeightedTemperature

from .builders import context, rested, running

# heat 120 s on / 120 s off, cool 180 s on / 300 s off, 4 h max run, 10 min rest, floor 5 °C
LIMITS = SafetyLimits(min_on={"heat": 120.0, "cool": 180.0, "fan": 0.0},
                      min_off={"heat": 120.0, "cool": 300.0, "fan": 0.0})


def test_by_default_no_run_and_no_rest_of_heat_or_cool_is_shorter_than_five_minutes() -> None:
    defaults = SafetyLimits()
    for function in ("heat", "cool"):
        assert defaults.min_on[function] == 300.0 and defaults.min_off[function] == 300.0
    held = safe("idle", context("heat", 23.0, running("heat", 299)), defaults)
    assert held.desired == "heat" and held.lockout is not None and held.lockout.rule == "minimum run time"
    rested_too_little = safe("heat", context("heat", 18.0, rested("heat", 299)), defaults)
    assert rested_too_little.desired == "idle" and rested_too_little.lockout is not None


def safe(desired: str, ctx, limits: SafetyLimits = LIMITS) -> Decision:  # type: ignore[no-untyped-def]
    return apply_safety(Decision(desired, "plugin says so"), ctx, limits)  # type: ignore[arg-type]


def codes(decision: Decision) -> set[str]:
    return {alert.code for alert in decision.alerts}


@pytest.mark.parametrize(
    ("plugin", "ctx", "desired", "lockout"),
    [
        # minimum off time, per function, never bypassed
        ("cool", context("cool", 27.0, rested("cool", 100)), "idle", ("cool", "start", "minimum off time", 200)),
        ("cool", context("cool", 27.0, rested("cool", 300)), "cool", None),
        ("heat", context("heat", 18.0, rested("heat", 20)), "idle", ("heat", "start", "minimum off time", 100)),
        ("cool", context("cool", 27.0, rested("cool", 100), fan="on"), "fan", ("cool", "start", "minimum off time", 200)),
        # minimum run time is honoured when the plugin wants to stop...
        ("idle", context("cool", 23.0, running("cool", 60)), "cool", ("cool", "stop", "minimum run time", 120)),
        ("idle", context("heat", 23.0, running("heat", 119)), "heat", ("heat", "stop", "minimum run time", 1)),
        ("idle", context("heat", 23.0, running("heat", 120)), "idle", None),
        # ... and holds the running function rather than starting the other one
        ("cool", context("auto", 26.0, running("heat", 10)), "heat", ("heat", "stop", "minimum run time", 110)),
        ("cool", context("auto", 26.0, running("heat", 600)), "cool", None),
        # ... but the user turning the system off (or away from the function) stops at once
        ("idle", context("off", 23.0, running("cool", 60)), "idle", None),
        ("idle", context("heat", 23.0, running("cool", 60)), "idle", None),
        # maximum continuous run, then a forced rest
        ("heat", context("heat", 18.0, running("heat", 4 * 3600)), "idle", ("heat", "start", "rest after maximum run time", 600)),
        ("heat", context("heat", 18.0, rested("heat", 200, last_run=4 * 3600)), "idle",
         ("heat", "start", "rest after maximum run time", 400)),
        ("heat", context("heat", 18.0, rested("heat", 600, last_run=4 * 3600)), "heat", None),
        ("heat", context("heat", 18.0, rested("heat", 200, last_run=3 * 3600)), "heat", None),
    ],
)
def test_timing_rules(plugin: str, ctx, desired: str, lockout) -> None:  # type: ignore[no-untyped-def]
    decision = safe(plugin, ctx)
    assert decision.desired == desired
    if lockout is None:
        assert decision.lockout is None
    else:
        assert decision.lockout is not None
        function, action, rule, remaining = lockout
        assert (decision.lockout.function, decision.lockout.action, decision.lockout.rule) == (function, action, rule)
        assert decision.lockout.remaining == pytest.approx(remaining)
        assert decision.lockout.describe() in decision.reason


def test_lockout_is_said_in_words() -> None:
    decision = safe("cool", context("cool", 27.0, rested("cool", 100)))
    assert decision.lockout is not None
    assert decision.lockout.describe() == "cool starts in 3 min 20 s: minimum off time"


def test_max_run_raises_an_alert() -> None:
    assert "max_run" in codes(safe("heat", context("heat", 18.0, running("heat", 4 * 3600))))
    assert "max_run" in codes(safe("heat", context("heat", 18.0, rested("heat", 200, last_run=4 * 3600))))
    assert "max_run" not in codes(safe("heat", context("heat", 18.0, running("heat", 3600))))


@pytest.mark.parametrize(
    ("mode", "temp", "equipment", "desired"),
    [
        ("off", 4.0, rested(), "heat"),
        ("cool", 4.0, rested(), "heat"),
        ("off", 5.5, running("heat", 900), "heat"),  # keeps going until floor + margin
        ("off", 6.0, running("heat", 900), "idle"),
        ("off", 5.5, rested(), "idle"),  # above the floor: no new frost start
        ("off", 4.0, rested("heat", 30), "idle"),  # minimum off time still holds
    ],
)
def test_frost_floor_holds_in_every_mode(mode: str, temp: float, equipment, desired: str) -> None:  # type: ignore[no-untyped-def]
    decision = safe("idle", context(mode, temp, equipment))
    assert decision.desired == desired
    assert ("frost" in codes(decision)) == (temp < 5.0)


def test_no_frost_floor_when_disabled() -> None:
    assert safe("idle", context("off", -10.0), SafetyLimits(frost_floor=None)).desired == "idle"


@pytest.mark.parametrize("equipment", [running("heat", 10), running("cool", 10), running("fan", 10), rested()])
@pytest.mark.parametrize("plugin", ["heat", "cool", "fan", "idle"])
def test_no_temperature_turns_everything_off_with_an_alert(plugin: str, equipment) -> None:  # type: ignore[no-untyped-def]
    decision = safe(plugin, context("heat", None, equipment))
    assert decision.desired == "idle"
    assert "no_temperature" in codes(decision)
    assert "living" in next(a.message for a in decision.alerts if a.code == "no_temperature")


def test_dropped_sensors_are_reported() -> None:
    ctx = context("heat", 21.0)
    ctx = type(ctx)(
        instruction=ctx.instruction,
        temperature=WeightedTemperature(21.0, {"living": 1.0}, (DroppedSensor("attic", "stale", 900.0),)),
        equipment=ctx.equipment,
        now=ctx.now,
    )
    decision = safe("idle", ctx)
    assert "sensors_dropped" in codes(decision)
    assert "attic" in " ".join(a.message for a in decision.alerts)


def test_plugin_lockout_and_alerts_pass_through_when_safety_agrees() -> None:
    held = Lockout("heat", "start", "minimum off time", 50)
    decision = apply_safety(Decision("idle", "waiting", held), context("heat", 19.0), LIMITS)
    assert decision.desired == "idle" and decision.lockout == held


def test_nonsense_from_a_plugin_becomes_idle_with_an_alert() -> None:
    decision = safe("boil", context("heat", 19.0, running("heat", 600)))
    assert decision.desired == "idle" and "plugin_error" in codes(decision)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"min_on": {"heat": -1.0}},
        {"max_run": {"heat": 60.0}, "min_on": {"heat": 120.0}},
        {"forced_rest": -5.0},
    ],
)
def test_inconsistent_limits_are_refused(kwargs) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError):
        SafetyLimits(**kwargs)


@pytest.mark.parametrize(("mode", "plugin"), [("off", "heat"), ("off", "cool"), ("cool", "heat"), ("heat", "cool")])
def test_a_plugin_cannot_run_what_the_mode_forbids(mode: str, plugin: str) -> None:
    assert safe(plugin, context(mode, 15.0 if plugin == "heat" else 30.0)).desired == "idle"
    assert safe(plugin, context(mode, 15.0 if plugin == "heat" else 30.0, fan="on")).desired == "fan"
