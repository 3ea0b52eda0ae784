"""Equipment state keeps its own switching history, so decisions need no clock."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from rpymostat.decisions.equipment import EquipmentState, switch
from rpymostat.decisions.model import apply_desired, functions_for


def test_switching_on_records_when() -> None:
    state = switch(EquipmentState.all_off_since(100.0), "heat", True, 250.0)
    assert state.heat.on and state.heat.since == 250.0
    assert state.heat.on_for(400.0) == 150.0
    assert state.heat.last_off == 100.0
    assert state.running == ("heat",)


def test_switching_off_records_run_length() -> None:
    state = switch(switch(EquipmentState(), "cool", True, 10.0), "cool", False, 70.0)
    assert not state.cool.on
    assert state.cool.off_for(100.0) == 30.0
    assert state.cool.last_run() == 60.0


def test_switching_to_present_state_keeps_history() -> None:
    state = switch(EquipmentState(), "fan", True, 10.0)
    assert switch(state, "fan", True, 99.0) is state


def test_unknown_history_is_reported_as_unknown() -> None:
    state = EquipmentState()
    assert state.heat.off_for(5.0) is None and state.heat.since is None


def test_last_switch_is_the_latest_change_of_any_function() -> None:
    assert EquipmentState().last_switch is None
    state = switch(switch(EquipmentState.all_off_since(100.0), "heat", True, 250.0), "fan", True, 260.0)
    assert state.last_switch == 260.0
    assert switch(state, "heat", False, 400.0).last_switch == 400.0


def test_apply_desired_leaves_exactly_one_function_on() -> None:
    state = EquipmentState.all_off_since(0.0)
    for now, desired in [(10.0, "heat"), (20.0, "cool"), (30.0, "fan"), (40.0, "idle")]:
        state = apply_desired(state, desired, now)  # type: ignore[arg-type]
        assert state.running == tuple(f for f, on in functions_for(desired).items() if on)  # type: ignore[arg-type]
    assert state.heat.last_run() == 10.0 and state.cool.last_run() == 10.0


@given(st.lists(st.tuples(st.sampled_from(["heat", "cool", "fan"]), st.booleans()), max_size=30))
def test_since_is_always_the_last_change(switches: list[tuple[str, bool]]) -> None:
    state = EquipmentState()
    last_change: dict[str, float] = {}
    for step, (function, on) in enumerate(switches):
        before = state.of(function).on  # type: ignore[arg-type]
        state = switch(state, function, on, float(step))  # type: ignore[arg-type]
        if before != on:
            last_change[function] = float(step)
    for function in ("heat", "cool", "fan"):
        assert state.of(function).since == last_change.get(function)  # type: ignore[arg-type]
