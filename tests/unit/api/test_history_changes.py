"""``GET /v1/history`` draws the target and the equipment from the recorded changes as it did from every decision.

Each scenario records the same random decisions twice: once as an engine of
an earlier version did (the decisions alone, so the chart decodes them all)
and once as the loop records them now (with the chart's changes beside
them). Both engines must give the same answer, byte for byte, over ranges
that start before, inside and after stops of the engine longer than it
records at least every (RECORD_AT_LEAST_EVERY).
"""

from __future__ import annotations

import random
from typing import Any
from urllib.parse import urlencode

import pytest_twisted

from rpymostat.common.timeutil import to_iso
from rpymostat.engine.loop.decision_loop import RECORD_AT_LEAST_EVERY
from rpymostat.engine.loop.recording import DECISIONS_STREAM, DecisionRecorder
from rpymostat.history.decisions import CHANGES_STREAM
from tests.support.engine import START, start_engine

HOUR = 3600.0
FUNCTIONS = ("heat", "cool", "fan")


def random_run(rng: random.Random, first: float, count: int) -> list[tuple[float, dict[str, Any], bool]]:
    """(at, decision, the engine restarted before it): turns of a few minutes, the odd long stop, random changes."""
    run, at, on, since = [], first, dict.fromkeys(FUNCTIONS, False), dict.fromkeys(FUNCTIONS, first)
    mode, heat, cool = "heat", 20.0, None
    for _ in range(count):
        stopped = rng.random() < 0.08
        at += rng.uniform(2, 6) * HOUR if stopped else rng.choice([60.0, 300.0, RECORD_AT_LEAST_EVERY])
        if rng.random() < 0.15:
            mode, heat, cool = rng.choice([("heat", 21.0, None), ("heat", 17.5, None), ("cool", None, 24.0),
                                           ("auto", 20.0, 25.0), (None, None, None)])
        for function in FUNCTIONS:
            if rng.random() < 0.2:
                on[function], since[function] = not on[function], at - rng.choice([0.0, 30.0])
        present = [f for f in FUNCTIONS if f != "fan" or rng.random() < 0.7]  # a function now and then unreported
        decision = {
            "at": to_iso(at), "desired": rng.choice(["heat", "idle"]), "summary": f"turn at {at}",
            "instruction": None if mode is None and rng.random() < 0.5 else
            {"mode": mode, "heat_setpoint": heat, "cool_setpoint": cool, "fan": "auto"},
            "equipment": {f: {"on": on[f], "since": to_iso(since[f]) if rng.random() < 0.9 else None}
                          for f in present},
        }
        run.append((at, decision, stopped))
    return run


async def record_as_before(engine, run) -> None:
    for at, decision, _ in run:
        await engine.store.append_log(DECISIONS_STREAM, at, decision)


async def record_as_now(engine, run) -> None:
    recorder = DecisionRecorder(engine.store)
    for at, decision, restarted in run:
        if restarted:
            recorder = DecisionRecorder(engine.store)
        await recorder.record(at, decision)


def ranges(run) -> list[dict[str, Any]]:
    first, last = run[0][0], run[-1][0]
    stop = next(at for at, _, stopped in run[1:] if stopped)
    return [
        {"start": to_iso(first - HOUR), "end": to_iso(last + 2 * HOUR), "resolution": 60},
        {"start": to_iso(first + 2000), "end": to_iso(last - 1000), "resolution": 60},
        {"start": to_iso(first + 2000), "end": to_iso(last - 1000), "resolution": 3600},
        {"start": to_iso(stop - 1.5 * HOUR), "end": to_iso(stop + 30), "resolution": 60},
        {"start": to_iso(stop - 30), "end": to_iso(stop + HOUR), "resolution": 60},
        {"start": to_iso(last - 600), "end": to_iso(last + 300), "resolution": 60},
        {"start": to_iso(last + 60), "end": to_iso(last + 1200), "resolution": 60},
        {"start": to_iso(first - 2 * HOUR), "end": to_iso(first - HOUR), "resolution": 60},
    ]


async def answers(engine, queries) -> list[Any]:
    found = []
    for query in queries:
        response = await engine.request("GET", "/v1/history?" + urlencode(query), key="read")
        assert response.code == 200, response.text
        found.append({k: response.json[k] for k in ("start", "end", "target", "equipment", "truncated")})
    return found


@pytest_twisted.ensureDeferred
async def test_the_changes_draw_the_same_chart_as_every_decision_did(tmp_path):
    for seed in range(6):
        run = random_run(random.Random(seed), START - 5 * 86400, 250)
        before = await start_engine(tmp_path / f"before-{seed}")
        now = await start_engine(tmp_path / f"now-{seed}")
        try:
            await record_as_before(before, run)
            await record_as_now(now, run)
            expected = await answers(before, ranges(run))
            assert any(a["equipment"] for a in expected) and any(len(a["target"]) > 1 for a in expected)
            assert await answers(now, ranges(run)) == expected, f"seed {seed}"
        finally:
            await before.close()
            await now.close()


@pytest_twisted.ensureDeferred
async def test_a_database_from_before_the_changes_still_charts_the_decisions_it_holds(tmp_path):
    run = random_run(random.Random(99), START - 5 * 86400, 250)
    stop = next(i for i, (_, _, stopped) in enumerate(run) if i > 100 and stopped)
    before = await start_engine(tmp_path / "before")
    upgraded = await start_engine(tmp_path / "upgraded")
    try:
        await record_as_before(before, run)
        await record_as_before(upgraded, run[:stop])  # then the engine is upgraded, and records the rest now
        await record_as_now(upgraded, run[stop:])
        assert await answers(upgraded, ranges(run)) == await answers(before, ranges(run))
    finally:
        await before.close()
        await upgraded.close()


class CountsDecisionsRead:
    """The real store, counting the whole decisions its callers read (each one decoded from JSON)."""

    def __init__(self, store: Any) -> None:
        self._store = store
        self.decisions_read = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def list_log(self, stream: str, *args: Any, **kwargs: Any) -> Any:
        def count(entries: list[Any]) -> list[Any]:
            if stream == DECISIONS_STREAM:
                self.decisions_read += len(entries)
            return entries

        return self._store.list_log(stream, *args, **kwargs).addCallback(count)


@pytest_twisted.ensureDeferred
async def test_a_weeks_chart_reads_the_changes_not_every_decision(tmp_path):
    engine = await start_engine(tmp_path, wrap_store=CountsDecisionsRead)
    try:
        recorder = DecisionRecorder(engine.store)
        first = START - 7 * 86400
        for i in range(7 * 144):  # a decision every ten minutes, the heating on for an hour in three
            on = i % 18 < 6
            since = first + (i - i % 18 + (0 if on else 6)) * 600.0
            await recorder.record(first + i * 600.0, {
                "at": to_iso(first + i * 600.0), "summary": f"turn {i}",
                "instruction": {"mode": "heat", "heat_setpoint": 21.0, "cool_setpoint": None},
                "equipment": {"heat": {"on": on, "since": to_iso(since)}}})
        assert len(await engine.store.list_log(CHANGES_STREAM, 10_000)) == 2 * 7 * 8  # on and off, 8 times a day
        engine.store.decisions_read = 0
        response = await engine.request("GET", "/v1/history?" + urlencode(
            {"start": to_iso(first), "end": to_iso(START)}), key="read")
        assert len(response.json["equipment"]) == 7 * 8
        assert engine.store.decisions_read <= 2, "a chart decoded every decision of its range"
    finally:
        await engine.close()
