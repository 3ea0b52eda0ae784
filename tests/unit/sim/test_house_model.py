"""The thermal model: believable rates, stable steps, bounded temperatures."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rpymostat.sim.house import HouseInputs, HouseParameters, HouseState, step


def run(state: HouseState, inputs: HouseInputs, seconds: float, dt: float = 10.0) -> HouseState:
    for _ in range(round(seconds / dt)):
        state = step(state, inputs, dt)
    return state


def test_furnace_warms_a_cold_day_house_by_two_to_four_degrees_an_hour() -> None:
    start = HouseState(20.0, 20.0)
    after = run(start, HouseInputs(outdoor=0.0, heat=True), 3600)
    assert 2.0 <= after.air - start.air <= 4.0


def test_air_conditioner_cools_a_hot_day_house_by_one_to_two_degrees_an_hour() -> None:
    start = HouseState(26.0, 26.0)
    after = run(start, HouseInputs(outdoor=32.0, cool=True), 3600)
    assert 1.0 <= start.air - after.air <= 2.0


def test_house_with_furnace_off_cools_half_to_one_degree_an_hour() -> None:
    settled = run(HouseState(20.0, 20.0), HouseInputs(outdoor=0.0), 3600)
    after = run(settled, HouseInputs(outdoor=0.0), 3600)
    assert 0.5 <= settled.air - after.air <= 1.0


def test_mass_lags_the_air() -> None:
    after = run(HouseState(20.0, 20.0), HouseInputs(outdoor=0.0, heat=True), 1800)
    assert after.air > after.mass > 20.0


def test_fan_mixes_air_and_mass() -> None:
    start = HouseState(23.0, 19.0)
    with_fan = run(start, HouseInputs(outdoor=10.0, fan=True), 600)
    without = run(start, HouseInputs(outdoor=10.0), 600)
    assert with_fan.air - with_fan.mass < without.air - without.mass


def test_zero_step_changes_nothing_and_negative_is_refused() -> None:
    state = HouseState(20.0, 18.0)
    assert step(state, HouseInputs(0.0, heat=True), 0.0) == state
    with pytest.raises(ValueError):
        step(state, HouseInputs(0.0), -1.0)


def test_parameters_are_checked() -> None:
    with pytest.raises(ValueError, match="air_capacity"):
        HouseParameters(air_capacity=0)


temps = st.floats(min_value=-30, max_value=45)


@given(air=temps, mass=temps, outdoor=temps, dt=st.floats(min_value=0.1, max_value=3600))
def test_with_everything_off_temperatures_stay_between_their_drivers(
    air: float, mass: float, outdoor: float, dt: float
) -> None:
    after = step(HouseState(air, mass), HouseInputs(outdoor), dt)
    low, high = min(air, mass, outdoor), max(air, mass, outdoor)
    assert low - 1e-9 <= after.air <= high + 1e-9
    assert low - 1e-9 <= after.mass <= high + 1e-9


@given(dt=st.sampled_from([30.0, 60.0, 120.0, 300.0, 600.0]), heat=st.booleans(), cool=st.booleans())
def test_coarse_steps_agree_with_fine_ones(dt: float, heat: bool, cool: bool) -> None:
    inputs = HouseInputs(outdoor=-5.0, heat=heat, cool=cool)
    start = HouseState(21.0, 19.0)
    coarse = run(start, inputs, 6 * 3600, dt)
    fine = run(start, inputs, 6 * 3600, 1.0)
    assert coarse.air == pytest.approx(fine.air, abs=0.05)
    assert coarse.mass == pytest.approx(fine.mass, abs=0.05)


@given(air=temps, mass=temps, outdoor=temps)
def test_heat_warms_and_cool_cools_compared_with_the_blower_alone(air: float, mass: float, outdoor: float) -> None:
    # The furnace and the air conditioner run the blower too, so the blower alone is the fair comparison.
    start = HouseState(air, mass)
    blower = step(start, HouseInputs(outdoor, fan=True), 300)
    assert step(start, HouseInputs(outdoor, heat=True), 300).air > blower.air
    assert step(start, HouseInputs(outdoor, cool=True), 300).air < blower.air


def test_a_week_of_ten_second_steps_is_fast() -> None:
    began = time.perf_counter()
    state = run(HouseState(20.0, 20.0), HouseInputs(outdoor=0.0, heat=True), 7 * 86_400)
    assert time.perf_counter() - began < 0.5
    assert state.air > 20.0
