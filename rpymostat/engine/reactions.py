"""The engine's side of the reactions: their saved switches, and the state the events build.

The decisions themselves stay pure (:mod:`rpymostat.decisions.reactions`);
this keeps what they are computed from: the window reaction's settings (saved
in the store, changed through ``/v1/reactions``) and the windows the device
events say are open. That state is rebuilt from the stored events on start,
so a restart does not forget an open window, and follows the bus after.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import asdict, replace
from typing import Any

from twisted.logger import Logger

from rpymostat.common.timeutil import from_iso
from rpymostat.decisions.reactions import OpenWindow, Pause, WindowSettings, track_windows, window_pause
from rpymostat.engine.context import EngineContext
from rpymostat.engine.device_events import BUS_TYPE, DEVICE_EVENTS_STREAM
from rpymostat.engine.events import Event

log = Logger()

SETTING = "reactions"
#: How many of the newest stored events are replayed on start to find the windows still open.
REPLAYED_ON_START = 1000


class Reactions:
    """Holds the window reaction's settings and the open windows; answers which pause is in force."""

    def __init__(self, context: EngineContext) -> None:
        self.context = context
        self.window = WindowSettings()
        self.windows: dict[str, OpenWindow] = {}
        self._unsubscribe: Callable[[], None] | None = None
        self._loaded = False

    async def load(self) -> None:
        """Read the saved settings and replay the recent events; safe to call more than once."""
        if self._loaded:
            return
        saved = await self.context.store.get_setting(SETTING) or {}
        self.window = replace(WindowSettings(), **saved.get("window", {}))
        entries = await self.context.store.list_log(DEVICE_EVENTS_STREAM, REPLAYED_ON_START, newest_first=False)
        for entry in entries:
            self.windows = track_windows(self.windows, entry.data, entry.at)
        self._loaded = True

    def start(self) -> None:
        self._unsubscribe = self.context.events.subscribe(self._on_event)

    def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def _on_event(self, event: Event) -> None:
        if event.type == BUS_TYPE:
            self.windows = track_windows(self.windows, event.data, from_iso(event.data["at"]))

    def pause(self, now: float, counted_rooms: Collection[str]) -> Pause | None:
        """The pause in force now for a decision counting sensors in these rooms."""
        return window_pause(list(self.windows.values()), counted_rooms, self.window, now, self.context.timezone)

    async def change_window(self, changes: dict[str, Any]) -> WindowSettings:
        """Apply validated changes to the window reaction and save them."""
        await self.load()
        self.window = replace(self.window, **changes)
        await self.context.store.put_setting(SETTING, {"window": asdict(self.window)})
        return self.window
