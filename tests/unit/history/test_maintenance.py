"""Raw readings and rollups are pruned past their retention, on the engine's clock."""

from __future__ import annotations

import pytest_twisted
from twisted.internet.defer import succeed
from twisted.internet.task import Clock

from rpymostat.history.levels import bucket_start, history_levels
from rpymostat.history.maintenance import HistoryMaintenance, prune_history
from rpymostat.store.records import ReadingInput
from rpymostat.store.sqlite import SQLiteStore

DAY = 86400.0
NOW = 1_790_000_000.0


class RecordingStore:
    """Answers at once and remembers what it was asked to prune."""

    def __init__(self, fail_first: bool = False) -> None:
        self.calls: list[tuple] = []
        self.fail_first = fail_first

    def prune_readings(self, older_than):
        if self.fail_first:
            self.fail_first = False
            raise RuntimeError("database hiccup")
        self.calls.append(("raw", older_than))
        return succeed(1)

    def prune_rollups(self, level, older_than):
        self.calls.append((level, older_than))
        return succeed(0)


def test_the_job_prunes_each_kept_level_at_start_and_every_hour():
    clock = Clock()
    clock.advance(NOW)
    store = RecordingStore()
    job = HistoryMaintenance(store, history_levels(30, 366, 3653, 0), clock)
    job.start()
    assert store.calls == [("raw", NOW - 30 * DAY), (300, NOW - 366 * DAY), (3600, NOW - 3653 * DAY)]
    clock.advance(3599)
    assert len(store.calls) == 3
    clock.advance(1)
    assert store.calls[3:] == [("raw", NOW + 3600 - 30 * DAY), (300, NOW + 3600 - 366 * DAY),
                               (3600, NOW + 3600 - 3653 * DAY)]
    job.stop()
    clock.advance(10 * 3600)
    assert len(store.calls) == 6


def test_a_failed_pass_does_not_stop_the_job():
    clock = Clock()
    store = RecordingStore(fail_first=True)
    job = HistoryMaintenance(store, history_levels(1, 0, 0, 0), clock)
    job.start()
    assert store.calls == []
    clock.advance(3600)
    assert store.calls == [("raw", 3600 - DAY)]
    job.stop()


@pytest_twisted.ensureDeferred
async def test_after_the_retention_only_rollups_answer_for_old_days(tmp_path):
    store = await SQLiteStore.open(str(tmp_path / "h.sqlite"))
    try:
        old = [ReadingInput("a", "DS18B20", 18.0 + i, NOW - 40 * DAY + i * 60, idempotency_key=f"o{i}")
               for i in range(3)]
        new = [ReadingInput("a", "DS18B20", 21.0, NOW - DAY, idempotency_key="n")]
        await store.record_readings("h", old + new, NOW)
        removed = await prune_history(store, history_levels(30, 366, 0, 0), NOW)
        assert removed == {"raw": 3, "5m": 0}
        assert [r.value for r in await store.list_readings("a", 10)] == [21.0]
        hourly = await store.read_history(["a"], 3600, NOW - 41 * DAY, NOW, 3600)
        assert [(p.count, p.mean, p.minimum, p.maximum) for p in hourly] == [(3, 19.0, 18.0, 20.0),
                                                                             (1, 21.0, 21.0, 21.0)]
        removed = await prune_history(store, history_levels(30, 10, 0, 0), NOW)
        assert removed == {"raw": 0, "5m": len({bucket_start(r.at, 300) for r in old})}
        assert len(await store.read_history(["a"], 300, NOW - 41 * DAY, NOW, 300)) == 1
    finally:
        await store.close()
