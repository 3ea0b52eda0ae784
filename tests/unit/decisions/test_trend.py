"""The trend a plugin sees: a least-squares line through the recent reports."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rpymostat.decisions.trend import MIN_SPAN, TREND_WINDOW, sensor_trend, weighted_trend
from rpymostat.decisions.weighting import SensorReading

NOW = 1_800_000_000.0


def line(rate_per_hour: float, at_now: float, ages: list[float]) -> list[SensorReading]:
    """Reports lying exactly on a line through ``at_now`` at ``NOW``, taken ``ages`` seconds ago."""
    return [SensorReading(at_now - rate_per_hour / 3600 * age, NOW - age) for age in ages]


def test_irregular_spacing_and_order_give_the_line_through_the_reports() -> None:
    reports = line(1.8, 21.0, [0, 37, 52, 190, 260, 431])
    trend = sensor_trend(list(reversed(reports[3:])) + reports[:3], NOW)
    assert trend is not None
    assert trend.rate_per_hour == pytest.approx(1.8)
    assert trend.value == pytest.approx(21.0)
    assert trend.readings == 6 and trend.span == pytest.approx(431)


def test_the_value_is_at_the_newest_report_not_at_the_middle_of_the_window() -> None:
    # A plain moving average of this steady rise would read 0.2 °C low.
    trend = sensor_trend(line(2.4, 21.0, [60 * k for k in range(11)]), NOW)
    assert trend is not None and trend.value == pytest.approx(21.0)


def test_reports_older_than_the_window_are_ignored() -> None:
    recent = line(-0.6, 20.5, [0, 60, 120, 180])
    stale = [SensorReading(30.0, NOW - TREND_WINDOW - 1), SensorReading(10.0, NOW - 2 * TREND_WINDOW)]
    trend = sensor_trend(recent + stale, NOW)
    assert trend is not None
    assert trend.readings == 4
    assert trend.value == pytest.approx(20.5) and trend.rate_per_hour == pytest.approx(-0.6)


def test_reports_up_to_the_last_switch_are_ignored() -> None:
    # Falling while the furnace rested, rising since it started 150 s ago.
    resting = line(-1.2, 20.8, [200, 260, 320, 380, 440])
    running = [SensorReading(20.7 + 0.001 * (150 - age), NOW - age) for age in (0, 60, 120)]
    trend = sensor_trend(resting + running, NOW, since=NOW - 150)
    assert trend is not None and trend.readings == 3
    assert trend.rate == pytest.approx(0.001)


def test_failed_reads_are_skipped() -> None:
    reports = line(0.0, 19.0, [0, 60, 120, 180]) + [SensorReading(None, NOW - 30)]
    trend = sensor_trend(reports, NOW)
    assert trend is not None and trend.readings == 4 and trend.value == 19.0


@pytest.mark.parametrize("ages", [[0, 60], [0, 30, MIN_SPAN - 1]])
def test_too_few_or_too_close_reports_give_no_trend(ages: list[float]) -> None:
    assert sensor_trend(line(1.0, 20.0, ages), NOW) is None


@given(value=st.floats(min_value=-20, max_value=40), count=st.integers(min_value=3, max_value=40))
def test_steady_reports_give_exactly_their_value_and_no_rate(value: float, count: int) -> None:
    trend = sensor_trend([SensorReading(value, NOW - 60.0 * k) for k in range(count)], NOW)
    assert trend is not None and trend.value == value and trend.rate == 0.0


def test_weighted_trend_mixes_each_sensors_line_with_the_weights_used() -> None:
    history = {"living": line(1.2, 21.0, [0, 60, 120, 180]), "bedroom": line(-0.6, 19.0, [10, 70, 130, 190])}
    trend = weighted_trend({"living": 0.75, "bedroom": 0.25}, history, NOW)
    assert trend is not None
    assert trend.rate_per_hour == pytest.approx(0.75 * 1.2 + 0.25 * -0.6)
    bedroom_at_its_newest = 19.0 + 0.6 / 3600 * 10
    assert trend.value == pytest.approx(0.75 * 21.0 + 0.25 * bedroom_at_its_newest)
    assert trend.readings == 8


def test_no_weighted_trend_while_a_counted_sensor_has_none() -> None:
    history = {"living": line(1.2, 21.0, [0, 60, 120, 180]), "bedroom": line(0.0, 19.0, [0])}
    assert weighted_trend({"living": 0.5, "bedroom": 0.5}, history, NOW) is None
    assert weighted_trend({"living": 1.0}, history, NOW) is not None
