"""The benchmark's baseline: switch beyond ±0.3 °C, nothing else."""

from __future__ import annotations

import pytest

from rpymostat.decisions.bangbang import bangbang

from .builders import context, rested, running


@pytest.mark.parametrize(
    ("mode", "temp", "equipment", "expected"),
    [
        ("heat", 20.69, rested(), "heat"),
        ("heat", 20.71, rested(), "idle"),
        ("heat", 21.29, running("heat", 5), "heat"),
        ("heat", 21.31, running("heat", 5), "idle"),
        ("cool", 25.31, rested(), "cool"),
        ("cool", 24.71, running("cool", 5), "cool"),
        ("cool", 24.69, running("cool", 5), "idle"),
        ("off", 10.0, rested(), "idle"),
    ],
)
def test_band_table(mode: str, temp: float, equipment, expected: str) -> None:  # type: ignore[no-untyped-def]
    assert bangbang.decide(context(mode, temp, equipment), {}).desired == expected


def test_no_minimum_times() -> None:
    # Just started, already above the band: stops at once; just stopped, below: starts at once.
    assert bangbang.decide(context("heat", 21.5, running("heat", 1)), {}).desired == "idle"
    assert bangbang.decide(context("heat", 20.0, rested("heat", 1)), {}).desired == "heat"
    assert bangbang.decide(context("heat", 20.0, rested("heat", 1)), {}).lockout is None


def test_band_option() -> None:
    assert bangbang.decide(context("heat", 20.5, rested()), {"band": 1.0}).desired == "idle"
