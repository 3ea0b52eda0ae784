"""History query speed: a chart's week and year against a raw scan of the same range.

``python -m benchmarks.history`` stores five years of one-minute readings
from ten sensors (26.3 million readings; about 3 GB of temporary disk, a few
minutes on two cores) in a fresh SQLite file, then times the history reads
the API makes, through the store method and through HTTP on loopback,
beside a raw scan (the same aggregation computed from the readings table).
``--quick`` stores two weeks from three sensors (a few seconds) and also
checks the bulk path against the store's own write path. The temporary
directory is removed at the end; the exit status is 0 whatever the figures.

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
import math
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
AIMS_MS = {"week": 50.0, "year": 200.0}
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


def sensor_ids(size: Size) -> list[str]:
    return [f"28-bench{n:04d}" for n in range(size.sensors)]


def reading_value(n: int, i: int) -> float | None:
    """The value GENERATE stores for sensor number ``n`` at minute ``i`` (for the store-path check)."""
    if (i + n) % NULL_EVERY == 0:
        return None
    raw = 19.0 + n * 0.5 + 2.5 * math.sin(i * 2 * math.pi / 1440) + 6.0 * math.sin(i * 2 * math.pi / 525960) \
        + ((i * 7919 + n) % 13 - 6) / 16.0
    return round(raw * 16) / 16.0


def bulk_load(path: str, size: Size) -> None:
    """Readings generated in SQLite at schema 2, then the store's migration builds the rollups."""
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


async def measure(call: Callable[[], Awaitable[Any]], repeat: int) -> tuple[list[float], Any]:
    samples, result = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        result = await call()
        samples.append((time.perf_counter() - began) * 1000)
    return samples, result


async def run_queries(path: str, size: Size, repeat: int) -> None:
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
    missed = []
    try:
        for name, days, resolution in (("day", 1, None), ("week", 7, None), ("month", 30, None),
                                       ("year", 365, None), ("year at 6 h", 365, 21600)):
            start, end = float(END - days * DAY), float(END)
            step = resolution or auto_resolution(start, end, DEFAULT_POINTS)
            plan = choose_level(levels, start, step, END)
            rollup_ms, points = await measure(
                lambda plan=plan, start=start, end=end: store.read_history(
                    sensors, plan.level.step, start, end, plan.resolution), repeat)
            raw_ms, raw_points = await measure(
                lambda plan=plan, start=start, end=end: store.read_history(sensors, RAW, start, end, plan.resolution),
                max(1, repeat // 2))
            query = f"?start={to_iso(start)}&end={to_iso(end)}&resolution={step}"

            async def over_http(query: str = query) -> int:
                response = await treq.get(url + query, headers={"Authorization": f"Bearer {key}"})
                body = await response.content()
                assert response.code == 200, body[:200]
                return len(body)

            http_ms, body_bytes = await measure(over_http, repeat)
            same = [(p.sensor_id, p.at, p.count, p.minimum, p.maximum) for p in points] == \
                   [(p.sensor_id, p.at, p.count, p.minimum, p.maximum) for p in raw_points]
            ratio = statistics.median(raw_ms) / statistics.median(rollup_ms)
            print(f"\n{name}: {step} s buckets from level {plan.level.name}, {len(points)} buckets "
                  f"({len(points) // len(sensors)} per sensor), same as raw scan: {'yes' if same else 'NO'}")
            print(f"  store.read_history   {timed(rollup_ms)}")
            print(f"  GET /v1/history      {timed(http_ms)}  ({body_bytes} bytes)")
            print(f"  raw scan (readings)  {timed(raw_ms)}  -> rollups {ratio:.0f}x faster")
            aim = AIMS_MS.get(name)
            if aim is not None:
                met = statistics.median(rollup_ms) < aim
                print(f"  aim < {aim:g} ms through the store: {'met' if met else 'MISSED'}")
                if not met:
                    missed.append(name)
    finally:
        await port.stopListening()
        await store.close()
    print("\nall aims met" if not missed else f"\naims missed: {', '.join(missed)}")


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
    args = parser.parse_args(argv)
    size = QUICK if args.quick else FULL
    folder = tempfile.mkdtemp(prefix="rpymostat-history-bench-")
    try:
        path = f"{folder}/history.sqlite"
        print(f"Storing {size.readings:,} one-minute readings ({size.sensors} sensors x {size.days} days) "
              f"in {path} ...", flush=True)
        began = time.perf_counter()
        bulk_load(path, size)
        megabytes = sum(f.stat().st_size for f in Path(folder).iterdir()) / 1e6
        print(f"stored in {time.perf_counter() - began:.1f} s, {megabytes:,.0f} MB on disk", flush=True)
        await run_queries(path, size, args.repeat)
        if args.quick:
            same = await verify_bulk_path(folder, size)
            print(f"\nbulk rows identical to record_readings rows: {'yes' if same else 'NO'}")
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
