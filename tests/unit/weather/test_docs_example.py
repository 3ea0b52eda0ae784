"""The worked weather plugin in docs/weather.rst runs and does what the page says."""

from __future__ import annotations

from typing import Any

import pytest

from rpymostat.decisions.weighting import SensorReading
from rpymostat.plugins.registry import check_plugin
from rpymostat.weather.plugin import WeatherPlugin
from tests.support.docs_examples import load_example

NOW = 1_800_000_000.0


def load_plugin() -> Any:
    return load_example("weather.rst", "trend-weather-example", "trend")


def warming(per_hour: float) -> list[SensorReading]:
    """Readings every 10 minutes for the last 3 hours, reaching 10 °C now."""
    return [SensorReading(10.0 - per_hour * minutes / 60, NOW - minutes * 60) for minutes in range(0, 181, 10)]


def test_example_is_a_weather_plugin():
    plugin = load_plugin()
    assert isinstance(plugin, WeatherPlugin)
    assert check_plugin("weather", plugin) is None


def test_example_continues_the_trend_up_to_its_limit():
    plugin = load_plugin()
    forecast = plugin.forecast(warming(1.0), NOW, 24, {})
    assert (forecast.start, forecast.end) == (NOW, NOW + 24 * 3600)
    assert forecast.at(NOW + 2 * 3600) == pytest.approx(12.0)
    assert forecast.at(NOW + 12 * 3600) == pytest.approx(15.0)  # max_change 5 °C
    cooling = plugin.forecast(warming(-2.0), NOW, 6, {"max_change": 1})
    assert cooling.at(NOW + 6 * 3600) == pytest.approx(9.0)


def test_example_has_nothing_to_say_without_recent_readings():
    plugin = load_plugin()
    assert plugin.forecast([SensorReading(4.0, NOW - 5 * 3600)], NOW, 24, {}) is None
    assert plugin.forecast([], NOW, 24, {}) is None
