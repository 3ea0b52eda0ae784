"""History query speed: a chart's week and year against a raw scan of the same range.

``python -m benchmarks.history`` stores five years of one-minute readings
from ten sensors (26.3 million readings; about 3 GB of temporary disk, a few
minutes on two cores) in a fresh SQLite file, then times the history reads
the API makes, through the store method and through HTTP on loopback,
beside a raw scan (the same aggregation computed from the readings table).
``--quick`` stores two weeks from three sensors (a few seconds) and also
checks the bulk path against the store's own write path (readings, and
the decisions' changes against the loop's recorder); ``--days`` and
``--sensors`` pick another size. Decisions are stored as the decision loop
records them (one every ten minutes, the furnace running a third of each
hour), so the HTTP figures include drawing the target and the equipment.

Every query is timed warm (files in the page cache) and cold: before each
cold run the database file is evicted from the page cache with
``posix_fadvise(POSIX_FADV_DONTNEED)`` and SQLite's own cache is emptied,
as a Pi reading its SD card after a while would find it. The report ends
with each aim of issue 15 and whether it held. The temporary directory is
removed at the end; the exit status is 0 whatever the figures.

How the data is stored quickly yet faithfully: the readings are generated
inside SQLite by a recursive query on a file at schema version 2, then the
store's own migration to version 3 builds every rollup level from them (the
upgrade path an existing installation takes). Values are multiples of
1/16 °C (a DS18B20's resolution), so sums are exact in any order and the
rows equal, bit for bit, those ``record_readings`` maintains one reading at
a time; ``--quick`` verifies exactly that.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

DAY = 86400
HTTP_AIMS_MS = {"week": 20.0}  # the whole answer over HTTP, warm
SPEEDUP_AIMS = {"month": 100.0, "year": 100.0}  # rollups against a raw scan of the same range, through the store
DECISION_EVERY = 600
END = 1_790_000_000 - 1_790_000_000 % DAY
NULL_EVERY = 9973


@dataclass(frozen=True)
class Size:
    sensors: int
    days: int

    @property
    def readings(self) -> int:
        return self.sensors * self.days * 1440


FULL = Size(10, 1826)
QUICK = Size(3, 14)

GENERATE = """
WITH RECURSIVE minute(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM minute WHERE i + 1 < :count)
INSERT INTO readings (sensor_id, host_id, value, at, received_at)
SELECT :sensor, 'bench-host',
       CASE WHEN (i + :offset) % :null_every = 0 THEN NULL
            ELSE round((:base + 2.5 * sin(i * :day_angle) + 6.0 * sin(i * :year_angle)
                        + ((i * 7919 + :offset) % 13 - 6) / 16.0) * 16) / 16.0 END,
       :first + i * 60.0, :first + i * 60.0 + 1.0
FROM minute
"""


DECISIONS = """
WITH RECURSIVE turn(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM turn WHERE i + 1 < :count),
state(i, heat_on, heat_since) AS (
    SELECT i, CASE WHEN i % 6 < 2 THEN 'true' ELSE 'false' END,
           strftime('%Y-%m-%dT%H:%M:%fZ', :first + (i - i % 6 + CASE WHEN i % 6 < 2 THEN 0 ELSE 2 END) * :every,
                    'unixepoch')
    FROM turn),
entry(i, kind, stream, data) AS (
    SELECT i, 0, 'decisions',
           json_set(:template, '$.at', strftime('%Y-%m-%dT%H:%M:%fZ', :first + i * :every, 'unixepoch'),
                    '$.desired', CASE WHEN i % 6 < 2 THEN 'heat' ELSE 'idle' END,
                    '$.equipment.heat.on', json(heat_on), '$.equipment.heat.since', heat_since)
    FROM state
    UNION ALL
    SELECT i, 1, :changes_stream, json_set(:fields, '$.equipment.heat.on', json(heat_on),
                                           '$.equipment.heat.since', heat_since)
    FROM state WHERE :with_changes AND i % 6 IN (0, 2)
)
INSERT INTO log (stream, at, data) SELECT stream, :first + i * :every, data FROM entry ORDER BY i, kind
"""


def decision_template(size: Size) -> str:
    """A decision as the loop records it (see ``rpymostat.engine.loop.render``), for every sensor of the run."""
    since = "2026-01-01T00:00:00.000Z"
    weights = {sensor_id: round(1 / size.sensors, 4) for sensor_id in sensor_ids(size)}
    return json.dumps({
        "at": since, "desired": "idle", "reason": "heat: 20.4 °C is at or below 20.7 °C",
        "summary": "heating: living room, bedroom 20.4 °C weighted, target 21.0 °C, on since 15:23",
        "plugin": "predictive", "lockout": None, "alerts": [],
        "temperature": {"value": 20.4, "weights": weights, "dropped": []}, "outdoor": 4.5,
        "instruction": {"mode": "heat", "heat_setpoint": 21.0, "cool_setpoint": None, "fan": "auto", "sensors": {},
                        "tolerance": None, "source": "default", "until": None},
        "equipment": {function: {"on": False, "since": since} for function in ("heat", "cool", "fan")},
    })


def sensor_ids(size: Size) -> list[str]:
    return [f"28-bench{n:04d}" for n in range(size.sensors)]


def reading_value(n: int, i: int) -> float | None:
    """The value GENERATE stores for sensor number ``n`` at minute ``i`` (for the store-path check)."""
    if (i + n) % NULL_EVERY == 0:
        return None
    raw = 19.0 + n * 0.5 + 2.5 * math.sin(i * 2 * math.pi / 1440) + 6.0 * math.sin(i * 2 * math.pi / 525960) \
        + ((i * 7919 + n) % 13 - 6) / 16.0
    return round(raw * 16) / 16.0


def bulk_load(path: str, size: Size, with_changes: bool = True) -> None:
    """Readings generated in SQLite at schema 2, then the store's migration builds the rollups.

    The decisions come with the chart's changes beside them, as the loop
    records them (:class:`rpymostat.engine.loop.recording.DecisionRecorder`:
    the heating turns on and off twice an hour, so two decisions in six
    change the chart); ``with_changes=False`` stores them as an engine of an
    earlier version did.
    """
    from rpymostat.history.decisions import CHANGES_STREAM, chart_fields
    from rpymostat.store.sqlite import migrate

    first = END - size.days * DAY
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    migrate(conn, target=2)
    conn.execute("BEGIN")
    for n, sensor_id in enumerate(sensor_ids(size)):
        conn.execute(
            "INSERT INTO sensors (sensor_id, host_id, sensor_type, last_seen, first_seen) "
            "VALUES (?, 'bench-host', 'DS18B20', ?, ?)", (sensor_id, float(END), float(first)))
        conn.execute(GENERATE, {
            "count": size.days * 1440, "sensor": sensor_id, "offset": n, "null_every": NULL_EVERY,
            "base": 19.0 + n * 0.5, "day_angle": 2 * math.pi / 1440, "year_angle": 2 * math.pi / 525960,
            "first": float(first)})
    template = decision_template(size)
    conn.execute(DECISIONS, {"count": size.days * DAY // DECISION_EVERY, "first": float(first),
                             "every": float(DECISION_EVERY), "template": template,
                             "fields": json.dumps(chart_fields(json.loads(template))),
                             "changes_stream": CHANGES_STREAM, "with_changes": with_changes})
    conn.execute("COMMIT")
    migrate(conn)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def table_rows(path: str) -> tuple[list[Any], list[Any]]:
    conn = sqlite3.connect(path)
    try:
        readings = conn.execute("SELECT sensor_id, at, value FROM readings ORDER BY sensor_id, at").fetchall()
        rollups = conn.execute("SELECT * FROM rollups ORDER BY level, sensor_id, at").fetchall()
        return readings, rollups
    finally:
        conn.close()


async def store_path_load(path: str, size: Size) -> None:
    """The same readings through ``SQLiteStore.record_readings``, an hour per update."""
    from rpymostat.store.records import ReadingInput
    from rpymostat.store.sqlite import SQLiteStore

    store = await SQLiteStore.open(path)
    first = END - size.days * DAY
    try:
        for n, sensor_id in enumerate(sensor_ids(size)):
            for hour in range(size.days * 24):
                batch = [ReadingInput(sensor_id, "DS18B20", reading_value(n, i), first + i * 60.0)
                         for i in range(hour * 60, hour * 60 + 60)]
                await store.record_readings("bench-host", batch, float(END))
    finally:
        await store.close()


def timed(samples: list[float]) -> str:
    return f"median {statistics.median(samples):8.2f} ms  (best {min(samples):.2f}, n={len(samples)})"


async def measure(call: Callable[[], Awaitable[Any]], repeat: int,
                  before: Callable[[], Awaitable[None]] | None = None) -> tuple[list[float], Any]:
    """Time ``call`` ``repeat`` times; ``before`` runs untimed ahead of each (to make the run cold)."""
    samples, result = [], None
    for _ in range(repeat):
        if before is not None:
            await before()
        began = time.perf_counter()
        result = await call()
        samples.append((time.perf_counter() - began) * 1000)
    return samples, result


def evict_from_page_cache(path: str) -> None:
    """Drop the database's files from the operating system's page cache (they are clean: nothing is writing)."""
    for name in (path, f"{path}-wal"):
        if os.path.exists(name):
            fd = os.open(name, os.O_RDONLY)
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)


@dataclass(frozen=True)
class Verdict:
    aim: str
    figure: str
    held: bool


async def run_queries(path: str, size: Size, repeat: int) -> list[Verdict]:
    import treq
    from twisted.internet import reactor
    from twisted.internet.task import Clock
    from twisted.web.server import Site

    from rpymostat.common.timeutil import to_iso
    from rpymostat.config import EngineConfig
    from rpymostat.engine.api.build import build_api
    from rpymostat.engine.context import EngineContext
    from rpymostat.history.levels import RAW, configured_levels
    from rpymostat.history.resolution import DEFAULT_POINTS, auto_resolution, choose_level
    from rpymostat.security.keys import new_api_key
    from rpymostat.store.sqlite import SQLiteStore

    store = await SQLiteStore.open(path)
    clock = Clock()
    clock.advance(END)
    config = replace(EngineConfig.from_environ({"RPYMOSTAT_DB_URI": f"sqlite:///{path}",
                                                "RPYMOSTAT_DISCOVERY": "off", "RPYMOSTAT_TIMEZONE": "UTC"}),
                     raw_retention_days=size.days + 1)
    key, record = new_api_key("benchmark", "read", END)
    await store.add_api_key(record)
    port = reactor.listenTCP(0, Site(build_api(EngineContext(store, clock, config)).resource()),
                             interface="127.0.0.1")
    url = f"http://127.0.0.1:{port.getHost().port}/v1/history"
    sensors = sensor_ids(size)
    levels = configured_levels(config)
    verdicts: list[Verdict] = []

    async def cold() -> None:
        # SQLite keeps pages it read in its own cache too: emptied, so the next query reads the file.
        await store._pool.runWithConnection(lambda conn: conn.execute("PRAGMA shrink_memory"))  # type: ignore[union-attr]
        evict_from_page_cache(path)

    try:
        for name, days, resolution in (("day", 1, None), ("week", 7, None), ("month", 30, None),
                                       ("year", 365, None), ("year at 6 h", 365, 21600)):
            start, end = float(END - days * DAY), float(END)
            step = resolution or auto_resolution(start, end, DEFAULT_POINTS)
            plan = choose_level(levels, start, step, END)

            async def rollups(plan: Any = plan, start: float = start, end: float = end) -> Any:
                return await store.read_history(sensors, plan.level.step, start, end, plan.resolution)

            async def raw_scan(plan: Any = plan, start: float = start, end: float = end) -> Any:
                return await store.read_history(sensors, RAW, start, end, plan.resolution)

            query = f"?start={to_iso(start)}&end={to_iso(end)}&resolution={step}"

            async def over_http(query: str = query) -> tuple[int, Any]:
                response = await treq.get(url + query, headers={"Authorization": f"Bearer {key}"})
                body = await response.content()
                assert response.code == 200, body[:200]
                return len(body), json.loads(body)

            rollup_ms, points = await measure(rollups, repeat)
            raw_ms, raw_points = await measure(raw_scan, max(1, repeat // 2))
            http_ms, (body_bytes, answer) = await measure(over_http, repeat)
            cold_store_ms, _ = await measure(rollups, max(1, repeat // 2), before=cold)
            cold_http_ms, _ = await measure(over_http, max(1, repeat // 2), before=cold)
            same = [(p.sensor_id, p.at, p.count, p.minimum, p.maximum) for p in points] == \
                   [(p.sensor_id, p.at, p.count, p.minimum, p.maximum) for p in raw_points]
            ratio = statistics.median(raw_ms) / statistics.median(rollup_ms)
            print(f"\n{name}: {step} s buckets from level {plan.level.name}, {len(points)} buckets "
                  f"({len(points) // len(sensors)} per sensor), same as raw scan: {'yes' if same else 'NO'}; "
                  f"{len(answer['equipment'])} equipment periods, {len(answer['target'])} target steps drawn "
                  f"from the recorded decisions")
            print(f"  store.read_history         warm {timed(rollup_ms)}")
            print(f"  store.read_history         cold {timed(cold_store_ms)}")
            print(f"  GET /v1/history            warm {timed(http_ms)}  ({body_bytes} bytes)")
            print(f"  GET /v1/history            cold {timed(cold_http_ms)}")
            print(f"  raw scan (readings)        warm {timed(raw_ms)}  -> rollups {ratio:.0f}x faster")
            aim = HTTP_AIMS_MS.get(name)
            if aim is not None:
                verdicts.append(Verdict(f"{name} over HTTP < {aim:g} ms (warm)",
                                        f"{statistics.median(http_ms):.1f} ms, cold {statistics.median(cold_http_ms):.1f} ms",
                                        statistics.median(http_ms) < aim))
            speedup = SPEEDUP_AIMS.get(name)
            if speedup is not None:
                verdicts.append(Verdict(f"{name} rollups >= {speedup:g}x a raw scan", f"{ratio:.0f}x",
                                        ratio >= speedup))
    finally:
        await port.stopListening()
        await store.close()
    return verdicts


def print_verdicts(verdicts: list[Verdict]) -> None:
    print("\naims (issue 15):")
    for verdict in verdicts:
        print(f"  {verdict.aim:40s} {verdict.figure:28s} {'held' if verdict.held else 'MISSED'}")
    missed = [v.aim for v in verdicts if not v.held]
    print("all aims held" if not missed else f"aims missed: {'; '.join(missed)}")


async def recorded_changes(path: str) -> tuple[list[Any], list[Any]]:
    """The bulk file's changes stream, and the one the loop's recorder writes for the same decisions."""
    from rpymostat.engine.loop.recording import DECISIONS_STREAM, DecisionRecorder
    from rpymostat.history.decisions import CHANGES_STREAM
    from rpymostat.store.sqlite import SQLiteStore

    store = await SQLiteStore.open(path)
    try:
        stored = await store.list_log(CHANGES_STREAM, 10**7, newest_first=False)
        decisions = await store.list_log(DECISIONS_STREAM, 10**7, newest_first=False)
    finally:
        await store.close()
    store = await SQLiteStore.open(f"{path}-recorded")
    try:
        recorder = DecisionRecorder(store)
        for entry in decisions:
            await recorder.record(entry.at, entry.data)
        recorded = await store.list_log(CHANGES_STREAM, 10**7, newest_first=False)
    finally:
        await store.close()
    return [(e.at, e.data) for e in stored], [(e.at, e.data) for e in recorded]


async def verify_bulk_path(folder: str, size: Size) -> bool:
    store_db = f"{folder}/store-path.sqlite"
    await store_path_load(store_db, size)
    bulk_db = f"{folder}/bulk-check.sqlite"
    bulk_load(bulk_db, size)
    return table_rows(store_db) == table_rows(bulk_db)


async def main(reactor: Any, argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small data (seconds), for the smoke test")
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per query (median shown)")
    parser.add_argument("--days", type=int, help="days of readings to store (default: 1826, or 14 with --quick)")
    parser.add_argument("--sensors", type=int, help="sensors to store them for (default: 10, or 3 with --quick)")
    parser.add_argument("--before-changes", action="store_true",
                        help="store the decisions alone, as an engine of an earlier version did (the chart decodes "
                             "every decision)")
    args = parser.parse_args(argv)
    size = QUICK if args.quick else FULL
    size = Size(args.sensors or size.sensors, args.days or size.days)
    folder = tempfile.mkdtemp(prefix="rpymostat-history-bench-")
    try:
        path = f"{folder}/history.sqlite"
        print(f"Storing {size.readings:,} one-minute readings ({size.sensors} sensors x {size.days} days) "
              f"in {path} ...", flush=True)
        began = time.perf_counter()
        bulk_load(path, size, with_changes=not args.before_changes)
        megabytes = sum(f.stat().st_size for f in Path(folder).iterdir()) / 1e6
        print(f"stored in {time.perf_counter() - began:.1f} s, {megabytes:,.0f} MB on disk", flush=True)
        verdicts = await run_queries(path, size, args.repeat)
        if args.quick:
            same = await verify_bulk_path(folder, size)
            print(f"\nbulk rows identical to record_readings rows: {'yes' if same else 'NO'}")
            stored, recorded = await recorded_changes(path)
            print(f"bulk decision changes identical to the recorder's: {'yes' if stored == recorded else 'NO'}")
        print_verdicts(verdicts)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run() -> None:
    from twisted.internet.defer import ensureDeferred
    from twisted.internet.task import react

    try:
        react(lambda reactor: ensureDeferred(main(reactor)))
    except SystemExit:
        pass


if __name__ == "__main__":
    run()
