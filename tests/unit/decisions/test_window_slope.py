"""Window-open detection from the temperature, on the simulated house's physics with a window opened.

The house is rpymostat.sim's model (``step``): heated at 0 °C outside, read
every 30 s as a DS18B20 would (lag, 1/16 °C steps). Opening a window is an
extra air exchange with outside of 600 W/K (about half a cubic metre of air a
second). The detector must see the window within minutes while heating,
and never call a closed, heated house — or one cooling down with the
furnace off, or just started — open.
"""

from __future__ import annotations

import math
from dataclasses import replace

from rpymostat.decisions.weighting import SensorReading
from rpymostat.decisions.window_slope import SlopeSettings, slope_verdict
from rpymostat.sim.house import HouseInputs, HouseParameters, HouseState, step

CLOSED = HouseParameters()
OPEN = replace(CLOSED, air_to_outdoor=CLOSED.air_to_outdoor + 600.0)
EVERY = 30.0
LAG = 90.0
SETTINGS = SlopeSettings()


def run(state: HouseState, params: HouseParameters, heat: bool, seconds: float, lagged: float,
        start: float) -> tuple[HouseState, float, list[SensorReading]]:
    """Run the house, returning its state, the lagged sensor and the sensor's reports (rounded to 1/16 °C)."""
    reports = []
    at = start
    while at < start + seconds:
        state = step(state, HouseInputs(0.0, heat, False, False), EVERY, params)
        lagged += (state.air - lagged) * -math.expm1(-EVERY / LAG)
        at += EVERY
        reports.append(SensorReading(round(lagged * 16) / 16, at))
    return state, lagged, reports


def first_open(reports: list[SensorReading], heating_since: float | None) -> float | None:
    for index in range(len(reports)):
        seen = reports[: index + 1]
        if slope_verdict(seen, heating_since, False, seen[-1].at, SETTINGS):
            return seen[-1].at
    return None


def warmed_house() -> tuple[HouseState, float]:
    state, lagged, _ = run(HouseState(19.0, 19.0), CLOSED, True, 1800, 19.0, 0.0)
    return state, lagged


def test_a_closed_heated_house_is_never_taken_for_an_open_window():
    state, lagged = warmed_house()
    _, _, reports = run(state, CLOSED, True, 3600, lagged, 0.0)
    assert first_open(reports, heating_since=-3600.0) is None


def test_a_window_opened_while_heating_is_seen_within_five_minutes():
    state, lagged = warmed_house()
    _, _, reports = run(state, OPEN, True, 1800, lagged, 0.0)
    seen = first_open(reports, heating_since=-3600.0)
    assert seen is not None and seen <= 300


def test_a_house_cooling_with_the_furnace_off_is_not_a_window():
    state, lagged = warmed_house()
    _, _, reports = run(state, OPEN, False, 1800, lagged, 0.0)
    assert first_open(reports, heating_since=None) is None


def test_the_fall_before_the_furnace_started_is_not_a_window():
    state, lagged = warmed_house()
    state, lagged, off = run(state, CLOSED, False, 1800, lagged, 0.0)
    _, _, on = run(state, CLOSED, True, 1800, lagged, 1800.0)
    assert first_open(off + on, heating_since=1800.0) is None


def test_the_window_counts_as_closed_once_the_fall_eases():
    state, lagged = warmed_house()
    state, lagged, falling = run(state, OPEN, False, 600, lagged, 0.0)
    assert slope_verdict(falling, None, True, falling[-1].at, SETTINGS) is None  # still falling fast
    _, _, settled = run(state, CLOSED, False, 900, lagged, 600.0)
    assert slope_verdict(settled, None, True, settled[-1].at, SETTINGS) is False
