"""Engine events: one place that tells live listeners what just happened.

Readings, equipment changes, decisions, schedule changes and alerts are
published here. Listeners inside the engine (the decision loop, the
WebSocket feed) subscribe; events worth catching up on are also appended to
the ``events`` log, whose increasing IDs let a reconnecting client ask for
everything after the last ID it saw.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from twisted.internet.interfaces import IReactorTime
from twisted.logger import Logger

from rpymostat.store.interface import Store

log = Logger()

EVENTS_STREAM = "events"
#: An admin deleted a sensor (``sensor_id``, ``host_id``): its series and Home Assistant entity go with it.
SENSOR_DELETED = "sensor.deleted"
#: An admin deleted relays (``host_id``, ``relay_ids``): likewise.
RELAY_DELETED = "relay.deleted"


@dataclass(frozen=True)
class Event:
    """One published event; ``event_id`` is None for events that are not kept."""

    type: str
    at: float
    data: dict[str, Any]
    event_id: int | None = None


Listener = Callable[[Event], None]


class EventBus:
    def __init__(self, store: Store, clock: IReactorTime) -> None:
        self.store = store
        self.clock = clock
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` for every event from now on; returns the unsubscribe function."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    async def publish(self, type: str, data: dict[str, Any], keep: bool = True) -> Event:
        """Tell every listener; keep the event in the log first when ``keep``.

        A failing listener is logged and does not stop the others.
        """
        at = self.clock.seconds()
        event_id = await self.store.append_log(EVENTS_STREAM, at, {"type": type, **data}) if keep else None
        event = Event(type, at, data, event_id)
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                log.failure("An event listener failed on {type}", type=type)
        return event
