"""The last few minutes of every sensor's readings, kept in memory for the decision loop.

The loop needs each counted sensor's readings of the last
:data:`~rpymostat.decisions.trend.TREND_WINDOW` seconds on every turn. Asking
the store for them costs one query per sensor per turn, each waiting behind
the group commits on the store's one connection, so a turn grew with the
house. Here the window is filled as updates are acknowledged, and read from
the store only for sensors it has not seen since the engine started, all of
them in one query, so a steady turn makes no store call for them at all.
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Iterable, Sequence

from rpymostat.decisions.trend import TREND_WINDOW
from rpymostat.decisions.weighting import SensorReading
from rpymostat.store.interface import Store
from rpymostat.store.records import ReadingInput

HISTORY_LIMIT = 200
"""At most this many readings per sensor (the newest), which covers the window even for a daemon reporting every few
seconds."""


class RecentReadings:
    """Each sensor's readings taken in the last :data:`TREND_WINDOW` seconds, oldest first.

    A reading is known by its sensor and the time it was taken: a spooled
    update replayed after it was stored is not counted twice.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self._window: dict[str, list[SensorReading]] = {}  # oldest first
        self._loaded: set[str] = set()

    def add(self, readings: Sequence[ReadingInput], now: float) -> None:
        """Take in the readings of an acknowledged update."""
        for reading in readings:
            self._insert(reading.sensor_id, reading.at, reading.value, now)

    def _insert(self, sensor_id: str, at: float, value: float | None, now: float) -> None:
        if at <= now - TREND_WINDOW:
            return
        window = self._window.setdefault(sensor_id, [])
        if not window or window[-1].at < at:
            window.append(SensorReading(value, at))  # the usual case: a new reading is the newest
        elif any(kept.at == at for kept in window):
            return
        else:
            insort(window, SensorReading(value, at), key=lambda kept: kept.at)
        if len(window) > HISTORY_LIMIT:
            del window[:len(window) - HISTORY_LIMIT]

    async def window(self, sensor_ids: Iterable[str], now: float) -> dict[str, list[SensorReading]]:
        """Each sensor's readings of the last :data:`TREND_WINDOW` seconds, newest first.

        Sensors asked for the first time are read from the store, together,
        so readings stored before the engine started count too.
        """
        wanted = list(sensor_ids)
        unseen = [sensor_id for sensor_id in wanted if sensor_id not in self._loaded]
        if unseen:
            stored = await self.store.recent_readings(unseen, now - TREND_WINDOW)
            self._loaded.update(unseen)
            for record in stored:
                self._insert(record.sensor_id, record.at, record.value, now)
        found: dict[str, list[SensorReading]] = {}
        oldest = now - TREND_WINDOW
        for sensor_id in wanted:
            window = self._window.get(sensor_id)
            if not window:
                found[sensor_id] = []
                continue
            if window[0].at <= oldest:
                del window[:sum(1 for kept in window if kept.at <= oldest)]
            found[sensor_id] = window[::-1]
        return found
