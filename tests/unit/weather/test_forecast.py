"""A forecast answers any moment: interpolated between its points, held beyond them, refused when malformed."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rpymostat.weather.forecast import OutdoorForecast


def test_between_points_the_temperature_is_interpolated():
    forecast = OutdoorForecast(((1000.0, 0.0), (2000.0, 10.0), (4000.0, 6.0)))
    assert (forecast.start, forecast.end) == (1000.0, 4000.0)
    assert forecast.at(1500.0) == pytest.approx(5.0)
    assert forecast.at(3000.0) == pytest.approx(8.0)
    assert forecast.at(2000.0) == 10.0


def test_outside_the_points_the_nearest_end_holds():
    forecast = OutdoorForecast(((1000.0, -3.0), (2000.0, 4.0)))
    assert forecast.at(0.0) == -3.0
    assert forecast.at(10**9) == 4.0
    assert OutdoorForecast(((5.0, 12.5),)).at(-1e6) == 12.5


@pytest.mark.parametrize(("points", "message"), [
    ((), "at least one point"),
    (((2.0, 1.0), (1.0, 1.0)), "sorted"),
    (((1.0, math.nan),), "finite"),
    (((math.inf, 1.0),), "finite"),
    (((1.0, 2.0, 3.0),), "(time, temperature)"),
])
def test_a_malformed_forecast_is_refused_where_it_is_made(points, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        OutdoorForecast(points)


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


@given(st.lists(st.tuples(finite, st.floats(min_value=-60, max_value=60)), min_size=1, max_size=20), finite)
def test_the_answer_always_lies_within_the_forecast_values(raw, when):
    forecast = OutdoorForecast(tuple(sorted(raw)))
    values = [value for _, value in raw]
    assert min(values) - 1e-9 <= forecast.at(when) <= max(values) + 1e-9
