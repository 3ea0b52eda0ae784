"""The shipped weather plugin meets the interface the engine and the API rely on."""

from __future__ import annotations

import jsonschema  # type: ignore[import-untyped]
import pytest

from rpymostat.decisions.plugin import options_with_defaults
from rpymostat.decisions.weighting import SensorReading
from rpymostat.weather.forecast import OutdoorForecast
from rpymostat.weather.plugin import WeatherPlugin
from rpymostat.weather.recent_days import recent_days

PLUGINS = [recent_days]


@pytest.mark.parametrize("plugin", PLUGINS, ids=lambda p: p.name)
def test_plugin_meets_interface(plugin: WeatherPlugin) -> None:
    assert isinstance(plugin, WeatherPlugin)
    assert plugin.name and plugin.description
    jsonschema.Draft202012Validator.check_schema(plugin.options_schema)
    defaults = options_with_defaults(plugin.options_schema, {})
    jsonschema.validate(defaults, plugin.options_schema)
    assert set(defaults) == set(plugin.options_schema["properties"])
    assert isinstance(plugin.forecast([SensorReading(3.0, 990.0)], 1000.0, 24, {}), OutdoorForecast)


@pytest.mark.parametrize("plugin", PLUGINS, ids=lambda p: p.name)
def test_unknown_options_are_refused_by_the_schema(plugin: WeatherPlugin) -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"bogus": 1}, plugin.options_schema)
