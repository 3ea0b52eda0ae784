"""Temperature sources behind one interface.

:class:`~rpymostat_sensor.sources.w1.W1Source` lives in its own module
(``rpymostat_sensor.sources.w1``) because it needs the ``[sensor]`` extra;
the demo uses the simulated source without it.
"""

from __future__ import annotations

from rpymostat_sensor.sources.base import SensorSample, TemperatureSource
from rpymostat_sensor.sources.cpu import CpuTemperatureSource
from rpymostat_sensor.sources.simulated import DailyWave, SimulatedSource

__all__ = ["CpuTemperatureSource", "DailyWave", "SensorSample", "SimulatedSource", "TemperatureSource"]
