"""The simulated source reports functions of the injected clock's time."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from twisted.internet.task import Clock

from rpymostat_sensor.sources import DailyWave, SimulatedSource
from tests.unit.sensor.deferreds import result_of


def test_each_sensor_reads_its_function_at_the_clock_time() -> None:
    clock = Clock()
    clock.advance(1000)
    source = SimulatedSource(clock, {"kitchen": lambda now: now / 100, "hall": lambda now: 18.0})

    first = result_of(source.read())
    clock.advance(500)
    second = result_of(source.read())

    assert [(s.sensor_id, s.sensor_type, s.value, s.at) for s in first + second] == [
        ("hall", "simulated", 18.0, 1000),
        ("kitchen", "simulated", 10.0, 1000),
        ("hall", "simulated", 18.0, 1500),
        ("kitchen", "simulated", 15.0, 1500),
    ]


def test_a_failing_model_is_a_null_reading_and_others_still_read() -> None:
    def broken(now: float) -> float:
        raise ZeroDivisionError("model diverged")

    samples = result_of(SimulatedSource(Clock(), {"attic": broken, "hall": lambda now: 19.0}).read())

    assert [(s.sensor_id, s.value) for s in samples] == [("attic", None), ("hall", 19.0)]
    assert "model diverged" in samples[0].extra


def test_the_daily_wave_peaks_a_quarter_period_in_and_dips_at_three_quarters() -> None:
    wave = DailyWave(base=20.0, amplitude=2.0, period=86400.0, noise=0.0)

    assert (wave(0.0), wave(21600.0), wave(64800.0)) == (20.0, 22.0, 18.0)


@given(now=st.floats(min_value=0, max_value=4e9), seed=st.integers(0, 2**32))
def test_the_daily_wave_is_repeatable_and_stays_near_its_band(now: float, seed: int) -> None:
    wave = DailyWave(base=20.0, amplitude=1.5, noise=0.05, seed=seed)

    assert wave(now) == wave(now)
    assert 20.0 - 1.5 - 0.5 <= wave(now) <= 20.0 + 1.5 + 0.5


def test_the_noise_depends_on_the_seed() -> None:
    values = {DailyWave(noise=0.1, seed=seed)(3600.0) for seed in range(20)}

    assert len(values) == 20
    assert all(math.isfinite(value) for value in values)
    assert sum(values) / len(values) == pytest.approx(DailyWave(noise=0.0)(3600.0), abs=0.1)
