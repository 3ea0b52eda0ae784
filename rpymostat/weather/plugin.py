"""The interface every weather plugin meets.

Plugins are found through the ``rpymostat.weather`` entry-point group, like
the decision plugins, and declare their options as a JSON Schema with
defaults so the API can list and validate them and the UI can render them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

from rpymostat.decisions.weighting import SensorReading
from rpymostat.weather.forecast import OutdoorForecast


@runtime_checkable
class WeatherPlugin(Protocol):
    """Turns the outdoor sensors' recent readings into the outdoor temperature ahead.

    ``forecast`` must be pure (no clock, no I/O): the engine reads the stored
    readings and the time and passes them in, so a plugin is tested with
    plain data and a slow or failing one can never stall the decision loop.
    A plugin that wants an online forecast fetches it elsewhere and caches
    it; what it answers here must come from its arguments and that cache.
    """

    name: str
    description: str
    options_schema: Mapping[str, Any]

    def forecast(
        self, history: Sequence[SensorReading], now: float, hours: float, options: Mapping[str, Any]
    ) -> OutdoorForecast | None:
        """The outdoor temperature for the next ``hours`` hours from ``now``; None when it cannot tell.

        ``history`` holds the outdoor readings of the last few days, in any
        order (a value of None is a failed read).
        """
        ...
