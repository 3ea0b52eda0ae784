"""Outdoor temperature ahead: forecasts for the decision step.

- :mod:`~rpymostat.weather.forecast` — the forecast a plugin returns (time, °C points);
- :mod:`~rpymostat.weather.plugin` — the plugin interface (entry-point group ``rpymostat.weather``);
- :mod:`~rpymostat.weather.recent_days` — the built-in plugin, which needs nothing but the outdoor sensor.
"""
