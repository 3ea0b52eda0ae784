"""Outdoor profiles."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rpymostat.sim.outdoor import Constant, DailySinusoid

MIDNIGHT = 1_800_057_600.0  # a UTC midnight


def test_constant() -> None:
    assert Constant(-3.0)(MIDNIGHT) == Constant(-3.0)(MIDNIGHT + 12_345) == -3.0


def test_daily_sinusoid_coldest_and_warmest() -> None:
    profile = DailySinusoid(mean=2.0, amplitude=6.0, coldest_hour=5.0)
    assert MIDNIGHT % 86_400 == 0
    assert profile(MIDNIGHT + 5 * 3600) == pytest.approx(-4.0)
    assert profile(MIDNIGHT + 17 * 3600) == pytest.approx(8.0)
    assert profile(MIDNIGHT + 11 * 3600) == pytest.approx(2.0)


@given(st.floats(min_value=0, max_value=4e9))
def test_daily_sinusoid_repeats_daily_and_stays_in_range(at: float) -> None:
    profile = DailySinusoid(mean=0.0, amplitude=5.0)
    assert -5.0 - 1e-9 <= profile(at) <= 5.0 + 1e-9
    assert profile(at + 86_400) == pytest.approx(profile(at), abs=1e-6)
