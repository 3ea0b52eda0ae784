"""What every API component needs: storage, the clock and the configuration."""

from __future__ import annotations

from dataclasses import dataclass, field

from twisted.internet.interfaces import IReactorTime

from rpymostat.config import EngineConfig
from rpymostat.engine.events import EventBus
from rpymostat.store.interface import Store


@dataclass
class EngineContext:
    """Shared collaborators, passed to components rather than found globally."""

    store: Store
    clock: IReactorTime
    config: EngineConfig
    events: EventBus = field(init=False)

    def __post_init__(self) -> None:
        self.events = EventBus(self.store, self.clock)

    def now(self) -> float:
        return self.clock.seconds()
