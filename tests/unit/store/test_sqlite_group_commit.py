"""SQLite group commit: writes that arrive during a commit share the next one, each still on its own.

Commits are observed through SQLite itself: a second connection's
``PRAGMA data_version`` changes whenever the store's connection has
committed, so callers told in the same commit see the same value.
"""

from __future__ import annotations

import random
import sqlite3

import pytest
import pytest_twisted
from twisted.internet.defer import Deferred, DeferredList, gatherResults

from rpymostat.store.interface import StoreError
from rpymostat.store.records import DeviceRecord, ReadingInput
from rpymostat.store.sqlite import SQLiteStore


def reading(sensor_id: str, value: object = 21.5, at: float = 1000.0, key: str | None = None) -> ReadingInput:
    return ReadingInput(sensor_id, "DS18B20", value, at, idempotency_key=key)  # type: ignore[arg-type]


class CommitProbe:
    """Another connection to the same file, asked which commit a caller was told in."""

    def __init__(self, path: str) -> None:
        self.conn = sqlite3.connect(path)
        self.seen: list[tuple[str, int]] = []

    def version(self) -> int:
        return self.conn.execute("PRAGMA data_version").fetchone()[0]

    def note(self, label: str) -> None:
        self.seen.append((label, self.version()))

    def commits(self) -> int:
        """How many different commits the noted callers were told in."""
        return len({version for _, version in self.seen})

    def count(self, sql: str, *params: object) -> int:
        return self.conn.execute(sql, params).fetchone()[0]


def told(d: Deferred, probe: CommitProbe, label: str) -> Deferred:
    """Note the commit visible when the caller hears back, success or failure."""

    def note(outcome: object) -> object:
        probe.note(label)
        return outcome

    return d.addBoth(note)


@pytest.fixture
def path(tmp_path):
    return str(tmp_path / "store.sqlite")


@pytest_twisted.ensureDeferred
async def test_updates_arriving_during_a_commit_share_fewer_commits_and_are_visible_when_answered(path):
    store = await SQLiteStore.open(path)
    probe = CommitProbe(path)
    probe.version()
    visible_when_told: dict[str, int] = {}

    def check_visible(ids: list[str]) -> list[str]:
        visible_when_told[ids[0]] = probe.count("SELECT count(*) FROM readings WHERE sensor_id = ?", ids[0])
        return ids

    calls = [store.record_readings("h", [reading(f"s{i}", 20.0 + i)], 1001.0) for i in range(20)]
    for i, call in enumerate(calls):
        told(call.addCallback(check_visible), probe, f"s{i}")
    assert await gatherResults(calls) == [[f"s{i}"] for i in range(20)]
    assert 1 <= probe.commits() < 20
    assert visible_when_told == {f"s{i}": 1 for i in range(20)}
    assert probe.count("SELECT count(*) FROM readings") == 20
    await store.close()


@pytest_twisted.ensureDeferred
async def test_a_failing_update_is_undone_alone_and_fails_only_its_caller(path):
    store = await SQLiteStore.open(path)
    probe = CommitProbe(path)
    first = store.record_readings("h", [reading("first")], 1001.0)
    # Queued behind the first commit, these three are written together.
    before = told(store.record_readings("h", [reading("before", 19.0)], 1002.0), probe, "before")
    broken = told(store.record_readings("h", [reading("half", 20.0), reading("bad", "not a number")], 1002.0),
                  probe, "broken")
    after = told(store.record_readings("h", [reading("after", 21.0)], 1002.0), probe, "after")
    outcomes = await DeferredList([first, before, broken, after], consumeErrors=True)
    assert [ok for ok, _ in outcomes] == [True, True, False, True]
    assert outcomes[2][1].check(StoreError)
    assert probe.commits() == 1
    assert [s.sensor_id for s in await store.list_sensors()] == ["after", "before", "first"]
    assert await store.list_readings("half", limit=10) == []
    assert probe.count("SELECT count(*) FROM rollups WHERE sensor_id = 'half'") == 0
    await store.close()


@pytest_twisted.ensureDeferred
async def test_batched_updates_apply_in_the_order_they_were_made(path):
    store = await SQLiteStore.open(path)
    probe = CommitProbe(path)
    calls = [told(store.record_readings("h", [reading("s", float(i), 1000.0, key=f"k{i}")], 1001.0 + i), probe, str(i))
             for i in range(10)]
    replay = told(store.record_readings("h", [reading("s", 99.0, 1000.0, key="k3")], 1020.0), probe, "replay")
    await gatherResults([*calls, replay])
    assert probe.commits() < 11
    sensor = await store.get_sensor("s")
    assert (sensor.last_value, sensor.last_seen) == (9.0, 1020.0)
    assert [r.value for r in await store.list_readings("s", limit=20)] == [float(i) for i in reversed(range(10))]
    await store.close()


@pytest_twisted.ensureDeferred
async def test_a_device_contact_is_written_in_the_same_commit_as_readings(path):
    store = await SQLiteStore.open(path)
    await store.put_device(DeviceRecord("pi-1", "sensor", "secret", "approved", 1.0))
    probe = CommitProbe(path)
    first = store.record_readings("pi-1", [reading("warmup")], 10.0)
    readings = told(store.record_readings("pi-1", [reading("a")], 50.0), probe, "readings")
    touched = told(store.touch_device("pi-1", 50.0), probe, "touch")
    await gatherResults([first, readings, touched])
    assert probe.commits() == 1
    assert (await store.get_device("pi-1")).last_seen == 50.0
    await store.close()


@pytest_twisted.ensureDeferred
async def test_closing_waits_for_queued_writes_and_later_writes_are_refused(path):
    store = await SQLiteStore.open(path)
    calls = [store.record_readings("h", [reading(f"s{i}")], 1001.0) for i in range(5)]
    await store.close()
    assert all(d.called for d in calls)
    await gatherResults(calls)
    with pytest.raises(StoreError):
        await store.record_readings("h", [reading("late")], 1002.0)
    again = await SQLiteStore.open(path)
    assert len(await again.list_sensors()) == 5
    await again.close()


def random_calls(seed: int) -> list[tuple[str, float, float, str | None]]:
    """Up to 12 updates over two sensors, with ties in time, rollup buckets and repeated idempotency keys."""
    rng = random.Random(seed)
    return [(rng.choice(["a", "b"]), rng.choice([10.0, 20.5, 30.25]), rng.choice([1000.0, 1045.0, 5000.0]),
             rng.choice([None, "k1", "k2"])) for _ in range(rng.randint(1, 12))]


TABLES = ("SELECT * FROM readings ORDER BY reading_id", "SELECT * FROM sensors ORDER BY sensor_id",
          "SELECT * FROM rollups ORDER BY level, sensor_id, at")


def dump(path: str) -> list[list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        return [conn.execute(sql).fetchall() for sql in TABLES]
    finally:
        conn.close()


async def apply(path: str, calls: list[tuple[str, float, float, str | None]], one_at_a_time: bool) -> None:
    store = await SQLiteStore.open(path)
    pending = []
    for index, (sensor, value, at, key) in enumerate(calls):
        d = store.record_readings("h", [reading(sensor, value, at, key)], 2000.0 + index)
        if one_at_a_time:
            await d
        pending.append(d)
    await gatherResults(pending)
    await store.close()


@pytest.mark.parametrize("seed", range(25))
@pytest_twisted.ensureDeferred
async def test_batched_writes_leave_the_same_rows_as_one_at_a_time(tmp_path, seed):
    calls = random_calls(seed)
    await apply(str(tmp_path / "sequential.sqlite"), calls, one_at_a_time=True)
    await apply(str(tmp_path / "batched.sqlite"), calls, one_at_a_time=False)
    assert dump(str(tmp_path / "batched.sqlite")) == dump(str(tmp_path / "sequential.sqlite"))
