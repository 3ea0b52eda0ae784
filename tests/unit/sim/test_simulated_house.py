"""The simulated house as the sensor source and relay backend see it."""

from __future__ import annotations

import statistics

import pytest
from twisted.internet.task import Clock

from rpymostat.sim.house import HouseInputs, HouseParameters, HouseState, SensorModel, SimulatedHouse, step
from rpymostat.sim.outdoor import Constant

EXACT = SensorModel(lag=1e-6, noise=0.0, resolution=0.0)


def make(**kwargs) -> tuple[Clock, SimulatedHouse]:  # type: ignore[no-untyped-def]
    clock = Clock()
    clock.advance(1_800_000_000.0)
    return clock, SimulatedHouse(clock, **kwargs)


def test_follows_its_clock_like_the_pure_model() -> None:
    clock, house = make(outdoor=Constant(0.0), initial=HouseState(20.0, 20.0))
    house.set_equipment(heat=True)
    clock.advance(3600)
    expected = HouseState(20.0, 20.0)
    for _ in range(60):
        expected = step(expected, HouseInputs(0.0, heat=True), 60)
    assert house.state.air == pytest.approx(expected.air, abs=0.01)
    assert house.state.air > 22.0


def test_relays_drive_it_and_runtime_is_counted() -> None:
    clock, house = make(outdoor=Constant(0.0))
    house.set_equipment(heat=True, fan=True)
    clock.advance(600)
    house.set_equipment(heat=False)
    clock.advance(300)
    assert house.equipment == {"heat": False, "cool": False, "fan": True}
    assert house.runtime == {"heat": pytest.approx(600), "cool": 0.0, "fan": pytest.approx(900)}


def test_untouched_house_cools_towards_outdoors() -> None:
    clock, house = make(outdoor=Constant(-10.0), initial=HouseState(20.0, 20.0))
    clock.advance(6 * 3600)
    assert -10.0 < house.state.air < 17.0
    assert house.outdoor_temperature() == -10.0


def test_sensor_lags_behind_the_air() -> None:
    lagging = SensorModel(lag=300.0, noise=0.0, resolution=0.0)
    clock, house = make(outdoor=Constant(0.0), sensors={"slow": lagging, "exact": EXACT})
    house.sensor_value("slow"), house.sensor_value("exact")
    house.set_equipment(heat=True)
    clock.advance(600)
    assert house.sensor_value("exact") == pytest.approx(house.state.air, abs=1e-3)
    assert 20.0 < house.sensor_value("slow") < house.state.air - 0.1


def test_sensor_offset_and_resolution() -> None:
    model = SensorModel(lag=1e-6, noise=0.0, offset=1.0, resolution=0.5)
    _, house = make(initial=HouseState(20.3, 20.3), sensors={"s": model})
    assert house.sensor_value("s") == 21.5  # 20.3 + 1.0, to the nearest 0.5


def test_noise_is_seeded_and_about_the_configured_size() -> None:
    noisy = {"s": SensorModel(lag=1e-6, noise=0.2, resolution=0.0)}
    params = HouseParameters()
    readings = []
    for seed in (7, 7, 8):
        _, house = make(outdoor=Constant(20.0), initial=HouseState(20.0, 20.0), sensors=noisy, params=params,
                            seed=seed)
        readings.append([house.sensor_value("s") for _ in range(500)])
    assert readings[0] == readings[1]
    assert readings[0] != readings[2]
    assert statistics.pstdev(readings[0]) == pytest.approx(0.2, rel=0.2)
    assert statistics.mean(readings[0]) == pytest.approx(20.0, abs=0.05)


def test_unknown_sensor_ids_get_the_default_model() -> None:
    _, house = make(initial=HouseState(19.0, 19.0))
    assert house.sensor_value("anything") == pytest.approx(19.0, abs=0.5)
