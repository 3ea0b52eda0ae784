"""The built-in weather plugin: the last days' course, from the latest reading on; nothing when there is nothing recent."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from rpymostat.decisions.weighting import SensorReading
from rpymostat.weather.recent_days import recent_days

DAY = 86400.0
NOW = 1_800_000_000.0


def sinusoid(mean: float, amplitude: float, phase: float):
    return lambda t: mean + amplitude * math.sin(2 * math.pi * t / DAY + phase)


def sampled(course, start: float, end: float, every: float) -> list[SensorReading]:
    count = int((end - start) // every)
    return [SensorReading(course(end - i * every), end - i * every) for i in range(count + 1)]


@settings(max_examples=60, deadline=None)
@given(
    mean=st.floats(min_value=-25, max_value=35),
    amplitude=st.floats(min_value=0, max_value=10),
    phase=st.floats(min_value=0, max_value=2 * math.pi),
    days=st.integers(min_value=1, max_value=5),
    every=st.sampled_from([60.0, 300.0, 900.0, 1800.0]),
    late=st.floats(min_value=0, max_value=1800),
)
def test_a_steady_daily_course_is_forecast_within_a_tenth_of_a_degree(mean, amplitude, phase, days, every, late):
    """Linear interpolation of readings at most 30 min apart misses a sine of 10 °C amplitude by under 0.1 °C."""
    course = sinusoid(mean, amplitude, phase)
    history = sampled(course, NOW - late - days * DAY - every, NOW - late, every)
    forecast = recent_days.forecast(history, NOW, 24, {})
    assert forecast is not None
    assert forecast.start == NOW and forecast.end == NOW + 24 * 3600
    for minute in range(0, 24 * 60 + 1, 10):
        when = NOW + minute * 60
        assert abs(forecast.at(when) - course(when)) < 0.1, (minute, forecast.at(when), course(when))


def test_today_colder_than_the_last_days_starts_colder_and_fades_to_their_course():
    course = sinusoid(5.0, 4.0, 0.0)
    history = sampled(course, NOW - 3 * DAY, NOW - 600, 300)
    history.append(SensorReading(course(NOW) - 6.0, NOW))
    forecast = recent_days.forecast(history, NOW, 24, {"fade_hours": 2})
    assert forecast is not None
    assert forecast.at(NOW) == course(NOW) - 6.0
    assert course(NOW + 3600) - 6.0 < forecast.at(NOW + 3600) < course(NOW + 3600) - 3.0
    assert abs(forecast.at(NOW + 20 * 3600) - course(NOW + 20 * 3600)) < 0.01


def test_a_single_reading_is_held_flat():
    forecast = recent_days.forecast([SensorReading(7.5, NOW - 120)], NOW, 24, {})
    assert forecast is not None
    assert [forecast.at(NOW + h * 3600) for h in (0, 6, 24, 48)] == [7.5] * 4
    assert (forecast.start, forecast.end) == (NOW, NOW + 24 * 3600)


def test_under_a_day_of_readings_holds_the_latest_one_flat():
    history = [SensorReading(2.0 + i, NOW - 20 * 3600 + i * 3600) for i in range(20)]
    forecast = recent_days.forecast(list(reversed(history)), NOW, 12, {})
    assert forecast is not None and {forecast.at(NOW), forecast.at(NOW + 12 * 3600)} == {21.0}


def test_without_a_recent_reading_there_is_no_forecast():
    assert recent_days.forecast([], NOW, 24, {}) is None
    old = sampled(sinusoid(5, 3, 0), NOW - 4 * DAY, NOW - 4 * 3600, 600)
    assert recent_days.forecast(old, NOW, 24, {}) is None
    assert recent_days.forecast(old, NOW, 24, {"max_age_hours": 5}) is not None
    assert recent_days.forecast([SensorReading(None, NOW - 60)], NOW, 24, {}) is None


def test_readings_after_now_and_failed_reads_are_ignored():
    history = [SensorReading(4.0, NOW - 300), SensorReading(None, NOW - 60), SensorReading(30.0, NOW + 600)]
    forecast = recent_days.forecast(history, NOW, 6, {})
    assert forecast is not None and forecast.at(NOW + 3600) == 4.0


def test_more_days_average_out_an_odd_day():
    course = sinusoid(10.0, 0.0, 0.0)
    history = sampled(course, NOW - 3 * DAY, NOW, 600)
    odd = [SensorReading(r.value + 3.0 if NOW - 1.5 * DAY < r.at < NOW - 0.25 * DAY else r.value, r.at) for r in history]
    one_day = recent_days.forecast(odd, NOW, 24, {"days": 1, "fade_hours": 0.25})
    three_days = recent_days.forecast(odd, NOW, 24, {"days": 3, "fade_hours": 0.25})
    assert one_day is not None and three_days is not None
    assert abs(one_day.at(NOW + 12 * 3600) - 13.0) < 0.01
    assert abs(three_days.at(NOW + 12 * 3600) - 11.0) < 0.01
