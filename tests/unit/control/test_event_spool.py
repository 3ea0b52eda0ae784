"""The control daemon's spool keeps relay events whole, in order, bounded and counted, across restarts."""

from __future__ import annotations

from pathlib import Path

import pytest
import pytest_twisted

from rpymostat_control.spool import EventSpool
from tests.unit.sensor.deferreds import result_of, run_now


def open_spool(path: Path, max_entries: int = 1000) -> EventSpool:
    return result_of(EventSpool.open(path, max_entries, runner=run_now))


def event(number: int, **fields) -> dict:
    return {"kind": "change", "relay_id": "boiler-pi:heat", "on": number % 2 == 0,
            "at": f"2026-09-21T10:00:{number:02d}.000Z", "reason": f"switch {number}",
            "idempotency_key": f"key-{number}", **fields}


def test_events_come_back_whole_and_in_order_until_acknowledged(tmp_path: Path) -> None:
    spool = open_spool(tmp_path / "spool.sqlite")
    made = [event(1), event(2, kind="refusal", refusal="interlock", requested="too cold"), event(3)]
    for item in made:
        result_of(spool.append(item))

    first_two = result_of(spool.peek(2))
    result_of(spool.ack([entry.entry_id for entry in first_two]))

    assert [entry.event for entry in first_two] == made[:2]
    assert [entry.event for entry in result_of(spool.peek(10))] == made[2:]


def test_the_same_event_is_spooled_once(tmp_path: Path) -> None:
    spool = open_spool(tmp_path / "spool.sqlite")
    result_of(spool.append(event(1)))
    result_of(spool.append(event(1)))

    assert result_of(spool.count()) == 1


def test_when_full_the_oldest_are_dropped_named_and_counted_across_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "control" / "spool.sqlite"
    spool = open_spool(path, max_entries=2)
    dropped = [result_of(spool.append(event(number))) for number in range(4)]
    result_of(spool.close())

    reopened = open_spool(path, max_entries=2)

    assert dropped == [[], [], [event(0)], [event(1)]]
    assert [entry.event for entry in result_of(reopened.peek(10))] == [event(2), event(3)]
    assert result_of(reopened.dropped()) == 2


def test_refuses_a_bound_below_one(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least one relay event"):
        EventSpool.open(tmp_path / "spool.sqlite", 0, runner=run_now)


@pytest_twisted.inlineCallbacks
def test_works_with_the_default_thread_runner(tmp_path: Path) -> None:
    spool = yield EventSpool.open(tmp_path / "spool.sqlite")
    yield spool.append(event(1))

    entries = yield spool.peek(10)
    yield spool.close()

    assert [entry.event for entry in entries] == [event(1)]
