"""The spool keeps undelivered readings in order, bounded, across restarts."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

import pytest
import pytest_twisted
from hypothesis import given, settings
from hypothesis import strategies as st
from twisted.internet.defer import gatherResults

from rpymostat_sensor.sources.base import SensorSample
from rpymostat_sensor.spool import Spool
from tests.unit.sensor.deferreds import result_of, run_now

HOST = "00000000c0ffee01"


def open_spool(path: Path, max_entries: int = 1000) -> Spool:
    return result_of(Spool.open(path, HOST, max_entries=max_entries, runner=run_now))


def sample(number: int, value: float | None = 20.0, **fields) -> SensorSample:
    return SensorSample(f"sensor-{number}", "DS18B20", value, 1_790_000_000.0 + number, **fields)


def spooled_sensor_ids(spool: Spool) -> list[str]:
    return [entry.sample.sensor_id for entry in result_of(spool.peek(10_000))]


def test_readings_come_back_whole_and_in_order(tmp_path: Path) -> None:
    spool = open_spool(tmp_path / "spool.sqlite")
    taken = [
        sample(1, 21.5),
        sample(2, None, extra="not found on the 1-wire bus (unplugged?)"),
        sample(3, 19.0, alias="kitchen"),
    ]
    result_of(spool.append(taken))

    entries = result_of(spool.peek(10))

    assert [entry.sample for entry in entries] == taken
    assert {entry.host_id for entry in entries} == {HOST}
    assert result_of(spool.count()) == 3


def test_peek_does_not_remove_and_ack_removes_only_what_was_delivered(tmp_path: Path) -> None:
    spool = open_spool(tmp_path / "spool.sqlite")
    result_of(spool.append([sample(n) for n in range(5)]))

    first_two = result_of(spool.peek(2))
    assert [e.sample.sensor_id for e in first_two] == ["sensor-0", "sensor-1"]
    assert result_of(spool.count()) == 5

    assert result_of(spool.ack([e.entry_id for e in first_two])) == 2
    assert spooled_sensor_ids(spool) == ["sensor-2", "sensor-3", "sensor-4"]
    assert result_of(spool.ack([first_two[0].entry_id])) == 0


def test_the_same_reading_is_spooled_once(tmp_path: Path) -> None:
    spool = open_spool(tmp_path / "spool.sqlite")
    reading = sample(1)
    result_of(spool.append([reading]))
    result_of(spool.append([reading]))

    assert result_of(spool.count()) == 1


def test_when_full_the_oldest_are_dropped_and_counted(tmp_path: Path) -> None:
    spool = open_spool(tmp_path / "spool.sqlite", max_entries=3)
    result_of(spool.append([sample(1), sample(2)]))

    dropped_now = result_of(spool.append([sample(3), sample(4), sample(5)]))

    assert dropped_now == 2
    assert spooled_sensor_ids(spool) == ["sensor-3", "sensor-4", "sensor-5"]
    assert result_of(spool.dropped()) == 2


def test_survives_a_restart_with_order_keys_and_drop_count(tmp_path: Path) -> None:
    path = tmp_path / "spool.sqlite"
    spool = open_spool(path, max_entries=2)
    taken = [sample(1), sample(2, None, extra="reported 85 °C"), sample(3, alias="hall")]
    result_of(spool.append(taken))
    result_of(spool.close())

    reopened = open_spool(path, max_entries=2)

    assert [entry.sample for entry in result_of(reopened.peek(10))] == taken[1:]
    assert result_of(reopened.dropped()) == 1


def test_order_holds_after_the_newest_were_delivered_and_the_process_restarted(tmp_path: Path) -> None:
    path = tmp_path / "spool.sqlite"
    spool = open_spool(path)
    result_of(spool.append([sample(1), sample(2)]))
    result_of(spool.ack([entry.entry_id for entry in result_of(spool.peek(10))]))
    result_of(spool.append([sample(3)]))
    result_of(spool.close())

    reopened = open_spool(path)
    result_of(reopened.append([sample(4)]))

    entries = result_of(reopened.peek(10))
    assert [e.sample.sensor_id for e in entries] == ["sensor-3", "sensor-4"]
    assert entries[0].entry_id < entries[1].entry_id


def test_the_file_is_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "spool.sqlite"
    result_of(open_spool(path).close())

    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_creates_missing_parent_directories(tmp_path: Path) -> None:
    path = tmp_path / "var" / "lib" / "rpymostat" / "spool.sqlite"
    spool = open_spool(path)
    result_of(spool.append([sample(1)]))

    assert path.exists()


def test_refuses_a_bound_below_one(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least one"):
        Spool.open(tmp_path / "spool.sqlite", HOST, max_entries=0, runner=run_now)


@settings(max_examples=40, deadline=None)
@given(
    max_entries=st.integers(min_value=1, max_value=20),
    batches=st.lists(st.integers(min_value=0, max_value=15), max_size=8),
)
def test_keeps_exactly_the_newest_readings_and_counts_the_rest(max_entries: int, batches: list[int]) -> None:
    with tempfile.TemporaryDirectory() as directory:
        spool = open_spool(Path(directory) / "spool.sqlite", max_entries=max_entries)
        appended = []
        for size in batches:
            batch = [sample(len(appended) + n) for n in range(size)]
            appended.extend(batch)
            result_of(spool.append(batch))

        kept = [entry.sample for entry in result_of(spool.peek(1000))]

        assert kept == appended[-max_entries:]
        assert result_of(spool.dropped()) == max(0, len(appended) - max_entries)
        result_of(spool.close())


@pytest_twisted.inlineCallbacks
def test_appends_made_at_once_on_threads_keep_the_order_they_were_made_in(tmp_path: Path) -> None:
    spool = yield Spool.open(tmp_path / "spool.sqlite", HOST)
    batches = [[sample(batch * 10 + n) for n in range(3)] for batch in range(20)]

    yield gatherResults([spool.append(batch) for batch in batches])
    entries = yield spool.peek(1000)
    yield spool.close()

    assert [entry.sample for entry in entries] == [reading for batch in batches for reading in batch]


@pytest_twisted.inlineCallbacks
def test_works_with_the_default_thread_runner(tmp_path: Path) -> None:
    spool = yield Spool.open(tmp_path / "spool.sqlite", HOST)
    yield spool.append([sample(1), sample(2)])

    entries = yield spool.peek(10)
    yield spool.ack([entries[0].entry_id])
    remaining = yield spool.count()
    yield spool.close()

    assert remaining == 1
