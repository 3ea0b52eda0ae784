"""The embedded SQLite backend (the default).

One file in WAL mode with ``synchronous=FULL``: a write the API acknowledged
is on disk before the response leaves, so it survives ``kill -9`` and power
loss. All sqlite3 calls run on adbapi's single worker thread, never on the
reactor thread, and that one connection serialises writes.

The writes that come at the rate of readings (readings, device contact,
log entries) are group committed: those that arrive while a commit is in progress wait and are then
written together in one transaction, so one ``fsync`` covers them all. Each
keeps its own savepoint, so a failing one is undone alone, and each caller
hears back only after the commit that holds its rows.

The schema is versioned with ``PRAGMA user_version`` and upgraded on open
from the numbered files in ``migrations/``, so an upgrade keeps the data.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections import deque
from collections.abc import Callable, Sequence
from importlib import resources
from typing import Any, NamedTuple

from twisted.enterprise import adbapi
from twisted.internet.defer import Deferred, fail, inlineCallbacks, succeed
from twisted.logger import Logger
from twisted.python.failure import Failure

from rpymostat.common.private_files import create_private_file
from rpymostat.history.levels import RAW, ROLLUP_STEPS, bucket_start
from rpymostat.store.interface import LastAdminKeyError, StoreError
from rpymostat.store.records import (
    ApiKeyRecord,
    DeviceRecord,
    DeviceStatus,
    HistoryPoint,
    LogEntry,
    ReadingInput,
    ReadingRecord,
    SensorRecord,
)

log = Logger()

SENSOR_COLUMNS = (
    "sensor_id, host_id, sensor_type, alias, extra, last_value, last_reading_at, "
    "last_seen, first_seen, name, room, hidden, outdoor"
)
USER_SENSOR_FIELDS = ("name", "room", "hidden", "outdoor")
ADD_TO_ROLLUP = (
    "INSERT INTO rollups (level, sensor_id, at, count, total, minimum, maximum) VALUES (?, ?, ?, 1, ?, ?, ?) "
    "ON CONFLICT (level, sensor_id, at) DO UPDATE SET count = count + 1, total = total + excluded.total,"
    " minimum = min(minimum, excluded.minimum), maximum = max(maximum, excluded.maximum)"
)


def migrations() -> list[tuple[int, str]]:
    """The shipped schema steps as (version, SQL), in order."""
    folder = resources.files("rpymostat.store") / "migrations"
    steps = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            steps.append((int(entry.name.split("_", 1)[0]), entry.read_text(encoding="utf-8")))
    return sorted(steps)


def migrate(conn: sqlite3.Connection, target: int | None = None) -> int:
    """Apply every step newer than the file's version (up to ``target``); return the new version."""
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    for version, script in migrations():
        if version <= current or target is not None and version > target:
            continue
        conn.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {version};\nCOMMIT;")
        log.info("SQLite schema upgraded to version {version}", version=version)
        current = version
    return current


def _open_connection(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=5000")


def _as_store_error(failure: Failure) -> Failure:
    """sqlite3's own errors become StoreError, as the interface promises."""
    if failure.check(sqlite3.Error):
        raise StoreError(f"SQLite: {failure.value}") from failure.value
    return failure


def add_to_rollups(cur: sqlite3.Cursor, sensor_id: str, at: float, value: float) -> None:
    """Count one new reading in its bucket at every level (inside the caller's transaction)."""
    cur.executemany(ADD_TO_ROLLUP, [(step, sensor_id, bucket_start(at, step), value, value, value)
                                    for step in ROLLUP_STEPS])


def history_query(sensor_count: int, level: int, step: int) -> str:
    """SQL merging one level's rows (or raw readings) into ``step``-second buckets.

    Parameters: the sensor IDs, then level (rollups only), step, step,
    first bucket, end.
    """
    marks = ", ".join("?" * sensor_count)
    if level == RAW:
        return (
            "SELECT sensor_id, CAST(at / ? AS INTEGER) * ? AS bucket, count(value), sum(value), min(value),"
            f" max(value) FROM readings WHERE sensor_id IN ({marks}) AND at >= ? AND at < ?"
            " AND value IS NOT NULL GROUP BY sensor_id, bucket ORDER BY sensor_id, bucket"
        )
    if step == level:
        # Stored buckets are the answer's: read in key order, nothing to merge.
        return (
            "SELECT sensor_id, at, count, total, minimum, maximum"
            f" FROM rollups WHERE level = ? AND sensor_id IN ({marks}) AND at >= ? AND at < ?"
            " ORDER BY sensor_id, at"
        )
    return (
        "SELECT sensor_id, (at / ?) * ? AS bucket, sum(count), sum(total), min(minimum), max(maximum)"
        f" FROM rollups WHERE level = ? AND sensor_id IN ({marks}) AND at >= ? AND at < ?"
        " GROUP BY sensor_id, bucket ORDER BY sensor_id, bucket"
    )


def history_parameters(sensor_ids: Sequence[str], level: int, start: float, end: float, step: int) -> list[Any]:
    """The parameters of :func:`history_query`, in its order."""
    if level == RAW:
        return [step, step, *sensor_ids, bucket_start(start, step), end]
    if step == level:
        return [level, *sensor_ids, bucket_start(start, step), end]
    return [step, step, level, *sensor_ids, bucket_start(start, step), end]


def _sensor(row: Sequence[Any]) -> SensorRecord:
    (sensor_id, host_id, sensor_type, alias, extra, last_value, last_reading_at, last_seen, first_seen, name, room,
     hidden, outdoor) = row
    return SensorRecord(sensor_id, host_id, sensor_type, alias, extra, last_value, last_reading_at, last_seen,
                        first_seen, name, room, hidden=bool(hidden), outdoor=bool(outdoor))


def _device(row: Sequence[Any]) -> DeviceRecord:
    host_id, kind, secret, status, created_at, last_seen, info, url = row
    return DeviceRecord(host_id, kind, secret, status, created_at, last_seen, json.loads(info), url)


class QueuedWrite(NamedTuple):
    """One caller's write waiting for the next group commit."""

    work: Callable[..., Any]
    args: tuple[Any, ...]
    done: Deferred[Any]


def write_batch(conn: sqlite3.Connection, queue: deque[QueuedWrite], batch: list[QueuedWrite]) -> list[Any]:
    """Take everything queued and write it in one transaction; one outcome (result or Failure) per write.

    Runs on the worker thread. ``batch`` is filled with the writes taken, so
    the reactor knows whom to tell when the transaction as a whole fails.
    The writes are first tried together, which is one statement per write
    cheaper than giving each its savepoint; only if one of them fails is
    the batch undone and written again with a savepoint each, so the failing
    write is undone alone.
    """
    while queue:
        batch.append(queue.popleft())
    cur = conn.cursor()
    cur.execute("BEGIN IMMEDIATE")
    try:
        outcomes = [write.work(cur, *write.args) for write in batch]
    except Exception:
        conn.rollback()
        cur.execute("BEGIN IMMEDIATE")
        outcomes = [_write_alone(cur, write) for write in batch]
    conn.commit()
    return outcomes


def _write_alone(cur: sqlite3.Cursor, write: QueuedWrite) -> Any:
    """One write inside its own savepoint: its outcome, or its Failure with its changes undone."""
    cur.execute("SAVEPOINT queued_write")
    try:
        outcome = write.work(cur, *write.args)
    except Exception:
        outcome = Failure()
        outcome.cleanFailure()
        cur.execute("ROLLBACK TO queued_write")
    cur.execute("RELEASE queued_write")
    return outcome


class SQLiteStore:
    """:class:`~rpymostat.store.interface.Store` on one SQLite file."""

    backend_name = "sqlite"

    def __init__(self, path: str) -> None:
        self.path = path
        self._pool: adbapi.ConnectionPool | None = None
        self._queue: deque[QueuedWrite] = deque()
        self._committing = False
        self._commit_started = 0.0
        self._closing = False
        self._idle_waiters: list[Deferred[None]] = []
        #: Told how many seconds each group commit took (the metrics' store commit time).
        self.commit_observers: list[Callable[[float], None]] = []

    @classmethod
    @inlineCallbacks
    def open(cls, path: str):  # type: ignore[no-untyped-def]
        """Create the file if needed, migrate it, and return a ready store."""
        if path != ":memory:":
            # Private before SQLite opens it: its -wal and -shm files then take the same mode.
            create_private_file(path)
        store = cls(path)
        store._pool = adbapi.ConnectionPool(
            "sqlite3",
            path,
            check_same_thread=False,
            cp_min=1,
            cp_max=1,
            cp_openfun=_open_connection,
            cp_noisy=False,
        )
        try:
            yield store._pool.runWithConnection(migrate)
        except sqlite3.Error as exc:
            store._pool.close()
            raise StoreError(f"cannot open SQLite database {path}: {exc}") from exc
        return store

    def _interaction(self, func, *args):  # type: ignore[no-untyped-def]
        if self._pool is None:
            return fail(StoreError("the store is closed"))
        return self._pool.runInteraction(func, *args).addErrback(_as_store_error)

    def _group_write(self, work: Callable[..., Any], *args: Any) -> Deferred[Any]:
        """Run ``work(cursor, *args)`` in the next group commit; fires after that commit."""
        if self._pool is None or self._closing:
            return fail(StoreError("the store is closed"))
        done: Deferred[Any] = Deferred()
        self._queue.append(QueuedWrite(work, args, done))
        if not self._committing:
            self._commit_queued()
        return done.addErrback(_as_store_error)

    def _commit_queued(self) -> None:
        assert self._pool is not None
        self._committing = True
        self._commit_started = time.perf_counter()
        batch: list[QueuedWrite] = []
        d = self._pool.runWithConnection(write_batch, self._queue, batch)
        d.addCallbacks(lambda outcomes: self._deliver(batch, outcomes), lambda failure: self._fail(batch, failure))

    def _fail(self, batch: list[QueuedWrite], failure: Failure) -> None:
        """The transaction failed as a whole: none of its writes was stored."""
        if not batch:
            # It failed before taking any write; fail those waiting rather than retry for ever.
            while self._queue:
                batch.append(self._queue.popleft())
        self._deliver(batch, [failure] * len(batch))

    def _deliver(self, batch: list[QueuedWrite], outcomes: list[Any]) -> None:
        # The next commit starts before callers are told, so its fsync overlaps their answers;
        # writes they make meanwhile wait for the commit after it.
        self._committing = False
        took = time.perf_counter() - self._commit_started
        for observer in self.commit_observers:
            try:
                observer(took)
            except Exception:  # a metrics bug must never keep a write's caller waiting
                log.failure("a commit observer failed")
        if self._queue:
            self._commit_queued()
        for write, outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, Failure):
                write.done.errback(outcome)
            else:
                write.done.callback(outcome)
        if not self._committing:
            waiters, self._idle_waiters = self._idle_waiters, []
            for waiter in waiters:
                waiter.callback(None)

    def _query(self, sql: str, *params: Any) -> Deferred[list[tuple[Any, ...]]]:
        return self._interaction(lambda cur: cur.execute(sql, params).fetchall())

    def _execute(self, sql: str, *params: Any) -> Deferred[int]:
        """Run one statement; fires with the number of rows it changed."""
        return self._interaction(lambda cur: cur.execute(sql, params).rowcount)

    def ping(self) -> Deferred[bool]:
        d = self._query("SELECT 1")
        return d.addCallback(lambda rows: rows == [(1,)])

    def close(self) -> Deferred[None]:
        self._closing = True
        if self._committing:
            drained: Deferred[None] = Deferred()
            self._idle_waiters.append(drained)
            return drained.addCallback(lambda _: self.close())
        if self._pool is not None:
            self._pool.close()
            self._pool = None
        return succeed(None)

    # Sensors and readings

    def record_readings(self, host_id: str, readings: Sequence[ReadingInput], received_at: float) -> Deferred[list[str]]:
        return self._group_write(self._record_readings, host_id, list(readings), received_at)

    @staticmethod
    def _record_readings(cur: sqlite3.Cursor, host_id: str, readings: list[ReadingInput], received_at: float) -> list[str]:
        touched: list[str] = []
        for reading in readings:
            cur.execute(
                "INSERT INTO readings (sensor_id, host_id, value, at, received_at, extra, idempotency_key) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (reading.sensor_id, host_id, reading.value, reading.at, received_at, reading.extra,
                 reading.idempotency_key),
            )
            inserted = cur.rowcount == 1
            if inserted and reading.value is not None:
                add_to_rollups(cur, reading.sensor_id, reading.at, reading.value)
            cur.execute(
                "INSERT INTO sensors (sensor_id, host_id, sensor_type, alias, extra, last_value, last_reading_at,"
                " last_seen, first_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (sensor_id) DO UPDATE SET host_id = excluded.host_id,"
                " sensor_type = excluded.sensor_type, alias = excluded.alias,"
                " last_seen = max(last_seen, excluded.last_seen),"
                " extra = CASE WHEN ? AND coalesce(last_reading_at, -1e18) <= excluded.last_reading_at"
                "   THEN excluded.extra ELSE extra END,"
                " last_value = CASE WHEN ? AND coalesce(last_reading_at, -1e18) <= excluded.last_reading_at"
                "   THEN excluded.last_value ELSE last_value END,"
                " last_reading_at = CASE WHEN ? AND coalesce(last_reading_at, -1e18) <= excluded.last_reading_at"
                "   THEN excluded.last_reading_at ELSE last_reading_at END",
                (reading.sensor_id, host_id, reading.sensor_type, reading.alias, reading.extra, reading.value,
                 reading.at, received_at, received_at, inserted, inserted, inserted),
            )
            touched.append(reading.sensor_id)
        return touched

    def list_sensors(self) -> Deferred[list[SensorRecord]]:
        d = self._query(f"SELECT {SENSOR_COLUMNS} FROM sensors ORDER BY sensor_id")
        return d.addCallback(lambda rows: [_sensor(row) for row in rows])

    def get_sensor(self, sensor_id: str) -> Deferred[SensorRecord | None]:
        d = self._query(f"SELECT {SENSOR_COLUMNS} FROM sensors WHERE sensor_id = ?", sensor_id)
        return d.addCallback(lambda rows: _sensor(rows[0]) if rows else None)

    def update_sensor(self, sensor_id: str, changes: dict[str, Any]) -> Deferred[SensorRecord | None]:
        unknown = set(changes) - set(USER_SENSOR_FIELDS)
        if unknown:
            raise ValueError(f"not user-editable: {sorted(unknown)}")

        def update(cur: sqlite3.Cursor) -> SensorRecord | None:
            if changes:
                assignments = ", ".join(f"{name} = ?" for name in changes)
                cur.execute(f"UPDATE sensors SET {assignments} WHERE sensor_id = ?", (*changes.values(), sensor_id))
            rows = cur.execute(f"SELECT {SENSOR_COLUMNS} FROM sensors WHERE sensor_id = ?", (sensor_id,)).fetchall()
            return _sensor(rows[0]) if rows else None

        return self._interaction(update)

    def delete_sensor(self, sensor_id: str) -> Deferred[bool]:
        def delete(cur: sqlite3.Cursor) -> bool:
            cur.execute("DELETE FROM readings WHERE sensor_id = ?", (sensor_id,))
            cur.execute("DELETE FROM rollups WHERE sensor_id = ?", (sensor_id,))
            return cur.execute("DELETE FROM sensors WHERE sensor_id = ?", (sensor_id,)).rowcount > 0

        return self._interaction(delete)

    def list_readings(
        self,
        sensor_id: str,
        limit: int,
        offset: int = 0,
        before: float | None = None,
        after: float | None = None,
    ) -> Deferred[list[ReadingRecord]]:
        sql = "SELECT reading_id, sensor_id, host_id, value, at, received_at, extra FROM readings WHERE sensor_id = ?"
        params: list[Any] = [sensor_id]
        if before is not None:
            sql += " AND at < ?"
            params.append(before)
        if after is not None:
            sql += " AND at > ?"
            params.append(after)
        sql += " ORDER BY at DESC, reading_id DESC LIMIT ? OFFSET ?"
        params += [limit, offset]
        d = self._query(sql, *params)
        return d.addCallback(lambda rows: [ReadingRecord(*row) for row in rows])

    def recent_readings(self, sensor_ids: Sequence[str], after: float) -> Deferred[list[ReadingRecord]]:
        if not sensor_ids:
            return succeed([])
        marks = ", ".join("?" * len(sensor_ids))
        d = self._query("SELECT reading_id, sensor_id, host_id, value, at, received_at, extra FROM readings"
                        f" WHERE sensor_id IN ({marks}) AND at > ?", *sensor_ids, after)
        return d.addCallback(lambda rows: [ReadingRecord(*row) for row in rows])

    # History

    def read_history(
        self, sensor_ids: Sequence[str], level: int, start: float, end: float, step: int
    ) -> Deferred[list[HistoryPoint]]:
        if not sensor_ids:
            return succeed([])
        d = self._query(history_query(len(sensor_ids), level, step),
                        *history_parameters(sensor_ids, level, start, end, step))
        return d.addCallback(lambda rows: [HistoryPoint(s, float(at), n, total, low, high)
                                           for s, at, n, total, low, high in rows])

    def prune_readings(self, older_than: float) -> Deferred[int]:
        # Sensor by sensor, so each delete is a range of the (sensor_id, at) index, not a scan.
        def prune(cur: sqlite3.Cursor) -> int:
            sensors = [row[0] for row in cur.execute("SELECT sensor_id FROM sensors").fetchall()]
            return sum(cur.execute("DELETE FROM readings WHERE sensor_id = ? AND at < ?",
                                   (sensor_id, older_than)).rowcount for sensor_id in sensors)

        return self._interaction(prune)

    def prune_rollups(self, level: int, older_than: float) -> Deferred[int]:
        def prune(cur: sqlite3.Cursor) -> int:
            sensors = [row[0] for row in cur.execute("SELECT sensor_id FROM sensors").fetchall()]
            return sum(cur.execute("DELETE FROM rollups WHERE level = ? AND sensor_id = ? AND at <= ?",
                                   (level, sensor_id, older_than - level)).rowcount for sensor_id in sensors)

        return self._interaction(prune)

    # API keys

    def add_api_key(self, record: ApiKeyRecord) -> Deferred[None]:
        d = self._execute(
            "INSERT INTO api_keys (key_id, name, role, key_hash, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?)",
            record.key_id, record.name, record.role, record.key_hash, record.created_at, record.revoked_at,
        )
        return d.addCallback(lambda _: None)

    def get_api_key(self, key_id: str) -> Deferred[ApiKeyRecord | None]:
        d = self._query("SELECT key_id, name, role, key_hash, created_at, revoked_at FROM api_keys WHERE key_id = ?",
                        key_id)
        return d.addCallback(lambda rows: ApiKeyRecord(*rows[0]) if rows else None)

    def list_api_keys(self) -> Deferred[list[ApiKeyRecord]]:
        d = self._query("SELECT key_id, name, role, key_hash, created_at, revoked_at FROM api_keys "
                        "ORDER BY created_at, key_id")
        return d.addCallback(lambda rows: [ApiKeyRecord(*row) for row in rows])

    def revoke_api_key(self, key_id: str, at: float) -> Deferred[bool]:
        def revoke(cur: sqlite3.Cursor) -> bool:
            # One statement, so two revocations at once (even from two processes) cannot both pass the check.
            if cur.execute(
                "UPDATE api_keys SET revoked_at = ? WHERE key_id = ? AND revoked_at IS NULL AND (role != 'admin' "
                "OR (SELECT count(*) FROM api_keys WHERE role = 'admin' AND revoked_at IS NULL) > 1)",
                (at, key_id),
            ).rowcount == 1:
                return True
            if cur.execute("SELECT 1 FROM api_keys WHERE key_id = ? AND revoked_at IS NULL", (key_id,)).fetchone():
                raise LastAdminKeyError(key_id)
            return False

        return self._interaction(revoke)

    # Devices

    def put_device(self, record: DeviceRecord) -> Deferred[None]:
        d = self._execute(
            "INSERT OR REPLACE INTO devices (host_id, kind, secret, status, created_at, last_seen, info, url) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            record.host_id, record.kind, record.secret, record.status, record.created_at, record.last_seen,
            json.dumps(record.info), record.url,
        )
        return d.addCallback(lambda _: None)

    def get_device(self, host_id: str) -> Deferred[DeviceRecord | None]:
        d = self._query("SELECT host_id, kind, secret, status, created_at, last_seen, info, url FROM devices "
                        "WHERE host_id = ?", host_id)
        return d.addCallback(lambda rows: _device(rows[0]) if rows else None)

    def list_devices(self) -> Deferred[list[DeviceRecord]]:
        d = self._query("SELECT host_id, kind, secret, status, created_at, last_seen, info, url FROM devices "
                        "ORDER BY host_id")
        return d.addCallback(lambda rows: [_device(row) for row in rows])

    def set_device_status(self, host_id: str, status: DeviceStatus) -> Deferred[bool]:
        d = self._execute("UPDATE devices SET status = ? WHERE host_id = ?", status, host_id)
        return d.addCallback(lambda changed: changed == 1)

    def delete_device(self, host_id: str) -> Deferred[bool]:
        d = self._execute("DELETE FROM devices WHERE host_id = ?", host_id)
        return d.addCallback(lambda changed: changed == 1)

    def touch_device(self, host_id: str, at: float, info: dict[str, Any] | None = None,
                     url: str | None = None) -> Deferred[None]:
        # Group committed like readings: a signed update's contact shares their transaction.
        columns: list[str] = ["last_seen = ?"]
        values: list[Any] = [at]
        if info is not None:
            columns.append("info = ?")
            values.append(json.dumps(info))
        if url is not None:
            columns.append("url = ?")
            values.append(url)
        sql, params = f"UPDATE devices SET {', '.join(columns)} WHERE host_id = ?", (*values, host_id)

        def touch(cur: sqlite3.Cursor) -> None:
            cur.execute(sql, params)

        return self._group_write(touch)

    # Settings

    def get_setting(self, name: str) -> Deferred[Any]:
        d = self._query("SELECT value FROM settings WHERE name = ?", name)
        return d.addCallback(lambda rows: json.loads(rows[0][0]) if rows else None)

    def put_setting(self, name: str, value: Any) -> Deferred[None]:
        d = self._execute(
            "INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            name, json.dumps(value),
        )
        return d.addCallback(lambda _: None)

    # Documents

    def put_document(self, collection: str, doc_id: str, data: dict[str, Any]) -> Deferred[None]:
        d = self._execute(
            "INSERT INTO documents (collection, doc_id, data) VALUES (?, ?, ?) "
            "ON CONFLICT (collection, doc_id) DO UPDATE SET data = excluded.data",
            collection, doc_id, json.dumps(data),
        )
        return d.addCallback(lambda _: None)

    def get_document(self, collection: str, doc_id: str) -> Deferred[dict[str, Any] | None]:
        d = self._query("SELECT data FROM documents WHERE collection = ? AND doc_id = ?", collection, doc_id)
        return d.addCallback(lambda rows: json.loads(rows[0][0]) if rows else None)

    def list_documents(self, collection: str) -> Deferred[list[tuple[str, dict[str, Any]]]]:
        d = self._query("SELECT doc_id, data FROM documents WHERE collection = ? ORDER BY doc_id", collection)
        return d.addCallback(lambda rows: [(doc_id, json.loads(data)) for doc_id, data in rows])

    def delete_document(self, collection: str, doc_id: str) -> Deferred[bool]:
        d = self._execute("DELETE FROM documents WHERE collection = ? AND doc_id = ?", collection, doc_id)
        return d.addCallback(lambda changed: changed == 1)

    # Logs

    def append_log(self, stream: str, at: float, data: dict[str, Any]) -> Deferred[int]:
        # Group committed: events and decisions come at the rate of readings, and share their commits.
        return self.append_logs([(stream, at, data)]).addCallback(lambda ids: ids[0])

    def append_logs(self, entries: Sequence[tuple[str, float, dict[str, Any]]]) -> Deferred[list[int]]:
        rows = [(stream, at, json.dumps(data)) for stream, at, data in entries]

        def append(cur: sqlite3.Cursor) -> list[int]:
            ids = []
            for row in rows:
                entry_id = cur.execute("INSERT INTO log (stream, at, data) VALUES (?, ?, ?)", row).lastrowid
                if entry_id is None:  # never after a successful INSERT; typeshed allows it
                    raise StoreError("SQLite gave no ID for the new log entry")
                ids.append(entry_id)
            return ids

        return self._group_write(append)

    def list_log(
        self,
        stream: str,
        limit: int,
        offset: int = 0,
        before: float | None = None,
        after: float | None = None,
        after_id: int | None = None,
        newest_first: bool = True,
        before_id: int | None = None,
    ) -> Deferred[list[LogEntry]]:
        sql = "SELECT entry_id, stream, at, data FROM log WHERE stream = ?"
        params: list[Any] = [stream]
        for clause, value in (("at < ?", before), ("at > ?", after), ("entry_id > ?", after_id),
                              ("entry_id < ?", before_id)):
            if value is not None:
                sql += f" AND {clause}"
                params.append(value)
        sql += " ORDER BY entry_id DESC" if newest_first else " ORDER BY entry_id"
        sql += " LIMIT ? OFFSET ?"
        params += [limit, offset]
        d = self._query(sql, *params)
        return d.addCallback(lambda rows: [LogEntry(i, s, at, json.loads(data)) for i, s, at, data in rows])

    def prune_log(self, stream: str, older_than: float) -> Deferred[int]:
        return self._execute("DELETE FROM log WHERE stream = ? AND at < ?", stream, older_than)

    def trim_log(self, stream: str, keep: int) -> Deferred[int]:
        return self._execute(
            "DELETE FROM log WHERE stream = ? AND entry_id <= (SELECT entry_id FROM log WHERE stream = ?"
            " ORDER BY entry_id DESC LIMIT 1 OFFSET ?)", stream, stream, keep)
