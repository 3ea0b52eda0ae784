"""The outdoor conditions each decision turn hands on: the temperature now and the forecast ahead.

The temperature now is read from the outdoor sensors' last reports on every
turn (it costs nothing: the loop has them already). The forecast comes from
the active weather plugin (entry-point group ``rpymostat.weather``) over the
outdoor sensors' stored history of the last days, which is a real query:
it is cached and made again at most every :data:`REFRESH` seconds, or at
once when the outdoor sensors, the plugin or its options change. Without an
outdoor sensor both are None and nothing is read.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from twisted.logger import Logger

from rpymostat.decisions.weighting import SensorReading
from rpymostat.engine.plugin_settings import PluginSettings
from rpymostat.plugins.registry import LoadedPlugin
from rpymostat.store.interface import Store
from rpymostat.store.records import SensorRecord
from rpymostat.weather.forecast import OutdoorForecast

log = Logger()

FORECAST_HOURS = 24.0
REFRESH = 900.0
HISTORY_DAYS = 7
HISTORY_LEVEL = 300
HISTORY_STEP = 900


@dataclass
class ForecastCache:
    """The last forecast, what it was made from (``key``) and when."""

    key: tuple[object, ...] | None = None
    made_at: float = -math.inf
    forecast: OutdoorForecast | None = None

    def fresh(self, key: tuple[object, ...], now: float) -> bool:
        return key == self.key and 0 <= now - self.made_at < REFRESH


def outdoor_temperature(sensors: Sequence[SensorRecord], now: float, stale_after: float) -> float | None:
    """Mean of the fresh outdoor sensors' last values; None when none is fresh."""
    values = [s.last_value for s in sensors
              if s.outdoor and s.last_value is not None and math.isfinite(s.last_value)
              and now - s.last_seen <= stale_after]
    return math.fsum(values) / len(values) if values else None


async def outdoor_history(store: Store, sensors: Sequence[SensorRecord], now: float) -> list[SensorReading]:
    """The outdoor sensors' last :data:`HISTORY_DAYS` days in 15-minute means, plus their last reports.

    Several outdoor sensors are averaged bucket by bucket into one series.
    Each mean is timed at the middle of the part of its bucket that has
    passed, so a plugin sees one reading per quarter hour whatever the
    daemons' interval, the last report stays the latest, and the rollups
    keep the query small.
    """
    points = await store.read_history([s.sensor_id for s in sensors], HISTORY_LEVEL,
                                      now - HISTORY_DAYS * 86400.0, now, HISTORY_STEP)
    buckets: dict[float, tuple[float, int]] = {}
    for point in points:
        total, count = buckets.get(point.at, (0.0, 0))
        buckets[point.at] = (total + point.total, count + point.count)
    history = [SensorReading(total / count, min(at + HISTORY_STEP / 2, (at + now) / 2))
               for at, (total, count) in buckets.items()]
    history += [SensorReading(s.last_value, s.last_reading_at) for s in sensors
                if s.last_reading_at is not None and s.last_reading_at <= now]
    return history


async def outdoor_forecast(
    store: Store, sensors: Sequence[SensorRecord], active: LoadedPlugin, options: Mapping[str, Any], now: float
) -> OutdoorForecast | None:
    """A weather plugin's forecast of the next :data:`FORECAST_HOURS` hours; None if it fails.

    A plugin that raises or answers something else than a forecast is
    logged and ignored: a third-party plugin must never stop a decision.
    """
    history = await outdoor_history(store, sensors, now)
    try:
        forecast = active.plugin.forecast(history, now, FORECAST_HOURS, options)
    except Exception:
        log.failure("Weather plugin {name} failed; deciding without a forecast", name=active.name)
        return None
    if forecast is not None and not isinstance(forecast, OutdoorForecast):
        log.error("Weather plugin {name} answered {kind}, not an OutdoorForecast; deciding without a forecast",
                  name=active.name, kind=type(forecast).__name__)
        return None
    return forecast


async def outdoor_conditions(
    store: Store,
    sensors: Sequence[SensorRecord],
    plugins: PluginSettings,
    now: float,
    stale_after: float,
    cache: ForecastCache | None = None,
) -> tuple[float | None, OutdoorForecast | None]:
    """The outdoor temperature now and the forecast ahead (each None when unknown).

    With a ``cache`` (the decision loop keeps one), the forecast is reused
    for up to :data:`REFRESH` seconds while the outdoor sensors, the active
    weather plugin and its options stay the same.
    """
    outdoor = sorted((s for s in sensors if s.outdoor), key=lambda s: s.sensor_id)
    temperature = outdoor_temperature(outdoor, now, stale_after)
    if not outdoor:
        return temperature, None
    active, options = await plugins.active("weather")
    key = (tuple(s.sensor_id for s in outdoor), active.name, json.dumps(options, sort_keys=True))
    if cache is not None and cache.fresh(key, now):
        return temperature, cache.forecast
    forecast = await outdoor_forecast(store, outdoor, active, options, now)
    if cache is not None:
        cache.key, cache.made_at, cache.forecast = key, now, forecast
    return temperature, forecast
