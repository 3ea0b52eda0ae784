"""What every API component needs: storage, the clock and the configuration."""

from __future__ import annotations

from dataclasses import dataclass

from twisted.internet.interfaces import IReactorTime

from rpymostat.config import EngineConfig
from rpymostat.store.interface import Store


@dataclass
class EngineContext:
    """Shared collaborators, passed to components rather than found globally."""

    store: Store
    clock: IReactorTime
    config: EngineConfig

    def now(self) -> float:
        return self.clock.seconds()
