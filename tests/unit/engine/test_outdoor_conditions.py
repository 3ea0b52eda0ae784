"""The outdoor temperature and forecast each decision turn gets, over a real store and an injected clock."""

from __future__ import annotations

import math

import pytest
import pytest_twisted

from rpymostat.engine.loop.decision_loop import DecisionLoop
from rpymostat.engine.loop.outdoor import REFRESH, ForecastCache, outdoor_conditions
from rpymostat.engine.plugin_settings import PluginSettings
from rpymostat.plugins.registry import LoadedPlugin, load_plugins
from rpymostat.scheduling.instruction import Instruction
from rpymostat.store.records import ReadingInput
from rpymostat.weather.forecast import OutdoorForecast

from .test_decision_loop import FixedTimeline, RecordingCommander

DAY = 86400.0


class RecordingWeather:
    """A weather plugin that remembers each history it was given and forecasts a fixed 4 °C."""

    name, description = "recording", "test double"
    options_schema = {"type": "object", "properties": {"bias": {"type": "number", "default": 0}},
                      "additionalProperties": False}

    def __init__(self, answer=None):
        self.histories = []
        self.answer = answer

    def forecast(self, history, now, hours, options):
        self.histories.append(list(history))
        if self.answer is not None:
            return self.answer
        return OutdoorForecast(((now, 4.0 + options.get("bias", 0)), (now + hours * 3600, 4.0)))


class FailingWeather(RecordingWeather):
    def forecast(self, history, now, hours, options):
        raise RuntimeError("the weather service is down")


async def plugins_with(engine, weather) -> PluginSettings:
    """Plugin settings with ``weather`` the only weather plugin, and chosen."""
    settings = PluginSettings(engine.store, {
        "decisions": load_plugins("decisions"),
        "schedulers": load_plugins("schedulers"),
        "weather": {weather.name: LoadedPlugin("weather", weather.name, weather, "test")},
    })
    await settings.choose("weather", weather.name, {})
    return settings


async def report(engine, sensor_id, value, at=None, sensor_type="DS18B20"):
    at = engine.clock.seconds() if at is None else at
    await engine.store.record_readings("h", [ReadingInput(sensor_id, sensor_type, value, at)], at)


async def conditions(engine, plugins, cache=None):
    now = engine.clock.seconds()
    sensors = await engine.store.list_sensors()
    return await outdoor_conditions(engine.store, sensors, plugins, now, engine.context.config.sensor_stale_after,
                                    cache)


@pytest_twisted.ensureDeferred
async def test_without_an_outdoor_sensor_there_is_nothing_and_no_weather_plugin_is_asked(engine):
    await report(engine, "28-living", 20.0)
    plugins = PluginSettings(engine.store, {"decisions": load_plugins("decisions")})  # no weather kind at all
    assert await conditions(engine, plugins) == (None, None)


@pytest_twisted.ensureDeferred
async def test_the_outdoor_temperature_is_the_mean_of_the_fresh_outdoor_sensors(engine):
    weather = RecordingWeather()
    plugins = await plugins_with(engine, weather)
    stale_after = engine.context.config.sensor_stale_after
    await report(engine, "28-north", 2.0, at=engine.clock.seconds() - stale_after - 1)
    for sensor_id, value in (("28-garden", 4.0), ("28-balcony", 7.0), ("28-living", 20.0)):
        await report(engine, sensor_id, value)
    for sensor_id in ("28-north", "28-garden", "28-balcony"):
        await engine.store.update_sensor(sensor_id, {"outdoor": True})
    temperature, forecast = await conditions(engine, plugins)
    assert temperature == pytest.approx(5.5)
    assert forecast is not None and forecast.at(engine.clock.seconds()) == 4.0
    engine.clock.advance(stale_after + 1)
    temperature, forecast = await conditions(engine, plugins)
    assert temperature is None and forecast is not None


@pytest_twisted.ensureDeferred
async def test_the_plugin_gets_the_outdoor_days_in_quarter_hours_and_the_last_report(engine):
    weather = RecordingWeather()
    plugins = await plugins_with(engine, weather)
    now = engine.clock.seconds()
    for minute in range(0, 2 * 24 * 60, 5):  # two days, a reading every 5 minutes, 0 to 20 °C
        at = now - 2 * DAY + minute * 60
        await report(engine, "28-garden", 10 + 10 * math.sin(2 * math.pi * at / DAY), at=at)
        await report(engine, "28-living", 21.0, at=at)
    await report(engine, "28-garden", 3.25)
    await engine.store.update_sensor("28-garden", {"outdoor": True})
    await conditions(engine, plugins)
    (history,) = weather.histories
    assert 2 * 96 <= len(history) - 1 <= 2 * 96 + 1  # a mean per quarter hour (two days), then the last report
    latest = max(history, key=lambda r: r.at)
    assert (latest.at, latest.value) == (now, 3.25)
    assert min(r.at for r in history) < now - 2 * DAY + 900
    assert all(-0.01 <= r.value <= 20.01 for r in history if r is not latest)


@pytest_twisted.ensureDeferred
async def test_the_forecast_is_made_again_only_every_quarter_hour_or_on_a_change(engine):
    weather = RecordingWeather()
    plugins = await plugins_with(engine, weather)
    cache = ForecastCache()
    await report(engine, "28-garden", 5.0)
    await engine.store.update_sensor("28-garden", {"outdoor": True})
    first = await conditions(engine, plugins, cache)
    for _ in range(10):
        engine.clock.advance(60)
        await report(engine, "28-garden", 6.0)
        temperature, forecast = await conditions(engine, plugins, cache)
        assert (temperature, forecast) == (6.0, first[1])
    assert len(weather.histories) == 1
    engine.clock.advance(REFRESH)
    await conditions(engine, plugins, cache)
    assert len(weather.histories) == 2
    await report(engine, "28-balcony", 8.0)
    await engine.store.update_sensor("28-balcony", {"outdoor": True})
    await conditions(engine, plugins, cache)
    assert len(weather.histories) == 3
    await plugins.choose("weather", "recording", {"bias": 1.0})
    _, forecast = await conditions(engine, plugins, cache)
    assert len(weather.histories) == 4 and forecast.at(engine.clock.seconds()) == 5.0


@pytest_twisted.ensureDeferred
async def test_a_failing_or_ill_answering_weather_plugin_leaves_no_forecast(engine):
    await report(engine, "28-garden", 5.0)
    await engine.store.update_sensor("28-garden", {"outdoor": True})
    assert await conditions(engine, await plugins_with(engine, FailingWeather())) == (5.0, None)
    assert await conditions(engine, await plugins_with(engine, RecordingWeather(answer=[(0, 1.0)]))) == (5.0, None)


@pytest_twisted.ensureDeferred
async def test_the_decision_loop_keeps_the_outdoor_conditions_and_never_weighs_the_outdoor_sensor(engine):
    weather = RecordingWeather()
    plugins = await plugins_with(engine, weather)
    await report(engine, "28-living", 20.0)
    await report(engine, "28-garden", -3.0)
    await engine.store.update_sensor("28-garden", {"outdoor": True})
    loop = DecisionLoop(engine.context, FixedTimeline(Instruction("heat", heat_setpoint=21.0)), RecordingCommander(),
                        plugins)
    result = await loop.evaluate()
    assert loop.outdoor == -3.0 and loop.forecast is not None and loop.forecast.at(0) == 4.0
    assert dict(result.temperature.weights) == {"28-living": 1.0}
    assert loop.latest["outdoor"] == -3.0
    assert loop.latest["temperature"]["value"] == 20.0
    for _ in range(5):
        engine.clock.advance(5)
        await loop.evaluate()
    assert len(weather.histories) == 1
