"""``PUT /v1/relays/report``: an event sent again with its idempotency key is kept in the relay's history once.

A control daemon re-sends a report whose answer it did not get; the engine
may have stored it already (or part of it, if it stopped half-way), so it
records each keyed event the first time only. The engine runs over real
SQLite on a loopback socket; the reports are signed as the daemon would.
"""

from __future__ import annotations

import pytest_twisted

from rpymostat.common.timeutil import to_iso
from rpymostat.store.records import DeviceRecord

HOST = "boiler-pi"
SECRET = "pre-shared-secret-for-the-boiler-pi"
HEAT = f"{HOST}:heat"
RELAYS = [{"id": HEAT, "name": "heat", "pin": 17, "active_high": True, "function": "heat", "on": False}]


def report(*events: dict) -> dict:
    return {"host_id": HOST, "relays": RELAYS, "events": list(events), "failsafe": {"timeout": 180, "tripped": False}}


def change(at: float, on: bool, key: str | None, reason: str = "too cold") -> dict:
    event = {"kind": "change", "relay_id": HEAT, "on": on, "at": to_iso(at), "reason": reason}
    if key is not None:
        event["idempotency_key"] = key
    return event


async def history(engine) -> list[dict]:
    answer = await engine.request("GET", f"/v1/relays/{HEAT}/history?limit=1000", key="read")
    return list(reversed(answer.json["history"]))


@pytest_twisted.async_yield_fixture
async def engine(engine):
    await engine.store.put_device(DeviceRecord(HOST, "control", SECRET, "approved", engine.clock.seconds()))
    yield engine


@pytest_twisted.ensureDeferred
async def test_a_report_sent_again_adds_only_the_events_not_yet_recorded(engine):
    at = engine.clock.seconds() - 60
    first = await engine.signed("PUT", "/v1/relays/report", HOST, SECRET, report(change(at, True, "a")))
    again = await engine.signed("PUT", "/v1/relays/report", HOST, SECRET,
                                report(change(at, True, "a"), change(at + 30, False, "b", "warm enough")))
    entries = await history(engine)

    assert (first.code, again.code) == (200, 200)
    assert [(e["on"], e["at"], e["reason"], e["idempotency_key"]) for e in entries] == [
        (True, to_iso(at), "too cold", "a"),
        (False, to_iso(at + 30), "warm enough", "b"),
    ]


@pytest_twisted.ensureDeferred
async def test_two_events_at_the_same_moment_with_different_keys_are_both_kept(engine):
    at = engine.clock.seconds()

    await engine.signed("PUT", "/v1/relays/report", HOST, SECRET,
                        report(change(at, False, "a", "failsafe"), change(at, False, "b", "failsafe")))

    assert [e["idempotency_key"] for e in await history(engine)] == ["a", "b"]


@pytest_twisted.ensureDeferred
async def test_a_bad_key_is_refused_naming_it_and_nothing_is_stored(engine):
    at = engine.clock.seconds()

    answers = [await engine.signed("PUT", "/v1/relays/report", HOST, SECRET,
                                   report(change(at, True, "fine"), {**change(at, True, None), "idempotency_key": bad}))
               for bad in ("", 42, "k" * 129)]

    assert [answer.code for answer in answers] == [422, 422, 422]
    assert {answer.json["status"] for answer in answers} == {"error"}
    assert all("events[1].idempotency_key" in answer.json["error"] for answer in answers)
    assert (await engine.request("GET", "/v1/relays", key="read")).json["relays"] == []
