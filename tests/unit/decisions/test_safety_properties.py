"""Safety properties over random histories: whatever a plugin asks, the rules hold."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from rpymostat.decisions.equipment import FUNCTIONS, EquipmentState
from rpymostat.decisions.model import DESIRED, Decision, DecisionContext, apply_desired, mode_allows
from rpymostat.decisions.safety import SafetyLimits, apply_safety
from rpymostat.decisions.weighting import WeightedTemperature
from rpymostat.scheduling.instruction import Instruction


@dataclass(frozen=True)
class Step:
    dt: float
    plugin: str
    mode: str
    fan: str
    temperature: float | None


steps = st.builds(
    Step,
    dt=st.floats(min_value=1, max_value=1200),
    plugin=st.sampled_from(DESIRED),
    mode=st.sampled_from(["off", "heat", "cool", "auto"]),
    fan=st.sampled_from(["auto", "on"]),
    temperature=st.one_of(st.none(), st.floats(min_value=-5, max_value=35)),
)


@st.composite
def limits(draw: st.DrawFn) -> SafetyLimits:
    min_on = {f: draw(st.floats(min_value=0, max_value=900)) for f in FUNCTIONS}
    min_off = {f: draw(st.floats(min_value=0, max_value=900)) for f in FUNCTIONS}
    max_run = {
        f: draw(st.one_of(st.none(), st.floats(min_value=min_on[f] + 1, max_value=7200))) for f in FUNCTIONS
    }
    return SafetyLimits(
        min_on=min_on,
        min_off=min_off,
        max_run=max_run,
        forced_rest=draw(st.floats(min_value=1, max_value=1800)),
        frost_floor=draw(st.one_of(st.none(), st.floats(min_value=0, max_value=10))),
        frost_margin=draw(st.floats(min_value=0, max_value=2)),
    )


@settings(max_examples=300)
@given(limits(), st.lists(steps, min_size=1, max_size=60))
def test_rules_hold_over_any_history(limits: SafetyLimits, history: list[Step]) -> None:
    now = 1_800_000_000.0
    state = EquipmentState.all_off_since(now)
    for step in history:
        now += step.dt
        instruction = Instruction(mode=step.mode, heat_setpoint=21.0, cool_setpoint=25.0, fan=step.fan)  # type: ignore[arg-type]
        temperature = None if step.temperature is None else WeightedTemperature(step.temperature, {"s": 1.0})
        ctx = DecisionContext(instruction, temperature, state, now)
        decision = apply_safety(Decision(step.plugin, "random plugin"), ctx, limits)  # type: ignore[arg-type]
        after = apply_desired(state, decision.desired, now)

        assert not (after.heat.on and after.cool.on), "heat and cool together"
        if temperature is None:
            assert after.running == (), "running without a usable temperature"
        for function in FUNCTIONS:
            before_f, after_f = state.of(function), after.of(function)
            if after_f.on and not before_f.on:
                rested = before_f.off_for(now)
                assert rested is None or rested >= limits.min_off[function], "started before minimum off time"
                longest, last_run = limits.max_run[function], before_f.last_run()
                if longest is not None and last_run is not None and last_run >= longest:
                    assert rested is None or rested >= limits.forced_rest, "started during a forced rest"
            if before_f.on and not after_f.on:
                ran = before_f.on_for(now)
                stopped_early = ran is not None and ran < limits.min_on[function]
                if stopped_early:
                    assert temperature is None or not mode_allows(instruction, function), "stopped before minimum run"
            if after_f.on:
                longest = limits.max_run[function]
                ran = before_f.on_for(now) if before_f.on else 0.0
                assert longest is None or ran is None or ran < longest, "ran past its maximum"
        if temperature is not None and limits.frost_floor is not None:
            if temperature.value < limits.frost_floor and not after.heat.on:
                assert decision.lockout is not None, "below the frost floor without heat and without a lockout"
            if step.mode == "off" and temperature.value >= limits.frost_floor + limits.frost_margin:
                assert not (after.heat.on or after.cool.on), "heating or cooling in mode off above the floor"
        if decision.lockout is not None:
            assert decision.lockout.remaining > 0
        state = after
