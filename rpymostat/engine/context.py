"""What every API component needs: storage, the clock, the configuration and the home's zone."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from twisted.internet.interfaces import IReactorTime

from rpymostat.config import EngineConfig
from rpymostat.engine.events import EventBus
from rpymostat.engine.home_zone import HomeZone
from rpymostat.engine.loop.recent import RecentReadings
from rpymostat.store.interface import Store


@dataclass
class EngineContext:
    """Shared collaborators, passed to components rather than found globally."""

    store: Store
    clock: IReactorTime
    config: EngineConfig
    events: EventBus = field(init=False)
    zone: HomeZone = field(init=False)
    #: Each running optional integration's counters by name, for ``GET /v1/status``.
    integrations: dict[str, Callable[[], dict[str, Any]]] = field(init=False, default_factory=dict)
    recent: RecentReadings = field(init=False)

    def __post_init__(self) -> None:
        self.events = EventBus(self.store, self.clock)
        self.zone = HomeZone(self.config.timezone)
        self.recent = RecentReadings(self.store)

    @property
    def timezone(self) -> str:
        """The home's IANA zone now: read this, not ``config.timezone``, which a stored choice overrides."""
        return self.zone.name

    def now(self) -> float:
        return self.clock.seconds()
