"""The periodic job that keeps history within its retention.

Runs on the injected clock (a ``LoopingCall``), once at start and then every
hour; a failed pass is logged and the next one tries again, so a database
hiccup never stops pruning for good.
"""

from __future__ import annotations

from collections.abc import Sequence

from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IReactorTime
from twisted.internet.task import LoopingCall
from twisted.logger import Logger

from rpymostat.history.levels import RAW, Level
from rpymostat.store.interface import Store

log = Logger()

PRUNE_EVERY = 3600.0


async def prune_history(store: Store, levels: Sequence[Level], now: float) -> dict[str, int]:
    """Delete what each level keeps no longer; returns how many rows went, by level name."""
    removed: dict[str, int] = {}
    for level in levels:
        if level.retention is None:
            continue
        cutoff = now - level.retention
        if level.step == RAW:
            removed[level.name] = await store.prune_readings(cutoff)
        else:
            removed[level.name] = await store.prune_rollups(level.step, cutoff)
    return removed


class HistoryMaintenance:
    """Prunes raw readings and rollups past their retention, every ``interval`` seconds."""

    def __init__(self, store: Store, levels: Sequence[Level], clock: IReactorTime,
                 interval: float = PRUNE_EVERY) -> None:
        self.store = store
        self.levels = tuple(levels)
        self.clock = clock
        self.interval = interval
        self._loop = LoopingCall(self._pass)
        self._loop.clock = clock

    def start(self) -> None:
        self._loop.start(self.interval, now=True)

    def stop(self) -> None:
        if self._loop.running:
            self._loop.stop()

    async def _run(self) -> None:
        try:
            removed = await prune_history(self.store, self.levels, self.clock.seconds())
        except Exception:
            log.failure("Pruning history failed; trying again in {interval:g} s", interval=self.interval)
            return
        if any(removed.values()):
            log.info("Pruned history past its retention: {removed}", removed=removed)

    def _pass(self) -> Deferred[None]:
        return Deferred.fromCoroutine(self._run())
