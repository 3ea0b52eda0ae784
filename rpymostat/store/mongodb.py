"""The MongoDB backend, through txmongo.

For a home that already runs MongoDB (or outgrows one SD card). The store
connects lazily and reconnects by itself; every operation is bounded by a
timeout on the injected reactor, because txmongo waits for an absent server
forever, and an engine must be able to answer "database unreachable".

Durability: unless the URI names a write concern, writes are acknowledged
only once journaled (``j: true``), and by a majority of members on a
replica set or sharded cluster, so a write the API acknowledged survives a
crash of the server (and a fail-over).

Readings get integer IDs from a counter document (``counters``, ``_id:
"readings"``) incremented with ``findAndModify``: IDs grow monotonically
across engines sharing a database; IDs reserved by a failed or duplicate
write are skipped. The counter is raised to the highest stored ID on open,
so losing it never reuses an ID.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from pymongo import ReturnDocument, UpdateOne
from pymongo.errors import BulkWriteError, PyMongoError
from pymongo.write_concern import WriteConcern
from twisted.internet.defer import (
    Deferred,
    TimeoutError,
    fail,
    gatherResults,
    succeed,
)
from twisted.internet.interfaces import IReactorTime
from twisted.logger import Logger
from twisted.python.failure import Failure
from txmongo import filter as qf  # type: ignore[import-untyped]
from txmongo.collection import Collection  # type: ignore[import-untyped]
from txmongo.connection import ConnectionPool  # type: ignore[import-untyped]
from txmongo.database import Database  # type: ignore[import-untyped]

from rpymostat.history.aggregate import readings_as_rows, regroup
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

T = TypeVar("T")

DEFAULT_DATABASE = "rpymostat"
DEFAULT_TIMEOUT = 5.0
RECONNECT_MAX_DELAY = 10.0
DUPLICATE_KEY = 11000
USER_SENSOR_FIELDS = ("name", "room", "hidden", "outdoor")
FLAG_SENSOR_FIELDS = ("hidden", "outdoor")
READING_COUNTER = "readings"

# (collection, index name, keys, options): created at start-up, idempotently.
INDEXES: tuple[tuple[str, str, tuple[tuple[str, int], ...], dict[str, Any]], ...] = (
    ("readings", "readings_by_sensor_time", (("sensor_id", 1), ("at", -1), ("_id", -1)), {}),
    ("readings", "readings_idempotency", (("sensor_id", 1), ("idempotency_key", 1)),
     {"unique": True, "partialFilterExpression": {"idempotency_key": {"$exists": True}}}),
    ("api_keys", "api_keys_by_age", (("created_at", 1), ("_id", 1)), {}),
    ("documents", "documents_by_collection", (("collection", 1), ("doc_id", 1)), {}),
    ("log", "log_by_stream_id", (("stream", 1), ("_id", -1)), {}),
    ("log", "log_by_stream_time", (("stream", 1), ("at", 1)), {}),
    ("readings", "readings_to_roll_up", (("rolled", 1),), {}),
    ("readings", "readings_by_time", (("at", 1),), {}),
    ("rollups", "rollups_by_level_sensor_time", (("level", 1), ("sensor_id", 1), ("at", 1)), {}),
)
ROLLUP_MARKER = "rollups"
ROLLUP_BATCH = 500
LOG_COUNTER = "log"


def operation_timeout(options: dict[str, Any]) -> float:
    """Seconds an operation may take: the URI's ``timeoutMS``, else 5 s."""
    seconds = options.get("timeoutms")
    return float(seconds) if seconds else DEFAULT_TIMEOUT


def durable_write_concern(configured: WriteConcern, hello: dict[str, Any]) -> WriteConcern:
    """The URI's write concern when it names one, else journaled (and majority when replicated)."""
    if configured.document:
        return configured
    replicated = "setName" in hello or hello.get("msg") == "isdbgrid"
    return WriteConcern(w="majority" if replicated else 1, j=True)


def _sensor(doc: dict[str, Any]) -> SensorRecord:
    return SensorRecord(
        sensor_id=doc["_id"], host_id=doc["host_id"], sensor_type=doc["sensor_type"], alias=doc.get("alias"),
        extra=doc.get("extra"), last_value=doc.get("last_value"), last_reading_at=doc.get("last_reading_at"),
        last_seen=doc["last_seen"], first_seen=doc["first_seen"], name=doc.get("name"), room=doc.get("room"),
        hidden=bool(doc.get("hidden", False)), outdoor=bool(doc.get("outdoor", False)),
    )


def _reading(doc: dict[str, Any]) -> ReadingRecord:
    return ReadingRecord(doc["_id"], doc["sensor_id"], doc["host_id"], doc.get("value"), doc["at"],
                         doc["received_at"], doc.get("extra"))


def _reading_doc(reading_id: int, host_id: str, reading: ReadingInput, received_at: float) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "_id": reading_id, "sensor_id": reading.sensor_id, "host_id": host_id,
        "value": None if reading.value is None else float(reading.value), "at": float(reading.at),
        "received_at": float(received_at), "extra": reading.extra,
    }
    if reading.idempotency_key is not None:
        doc["idempotency_key"] = reading.idempotency_key
    if doc["value"] is not None:
        doc["rolled"] = False
    return doc


def _rollup_id(level: int, sensor_id: str, at: int) -> str:
    return f"{level}/{at}/{sensor_id}"


def _rollup_updates(reading: dict[str, Any]) -> list[UpdateOne]:
    """Count one reading in its bucket at every level, at most once per bucket.

    Each bucket lists the readings counted in it until they are marked
    ``rolled``, so re-applying a reading after a crash adds nothing twice.
    """
    updates = []
    value, reading_id = reading["value"], reading["_id"]
    for step in ROLLUP_STEPS:
        at = bucket_start(reading["at"], step)
        bucket_id = _rollup_id(step, reading["sensor_id"], at)
        updates.append(UpdateOne(
            {"_id": bucket_id},
            {"$setOnInsert": {"level": step, "sensor_id": reading["sensor_id"], "at": at, "count": 0,
                              "total": 0.0, "applied": []}},
            upsert=True))
        updates.append(UpdateOne(
            {"_id": bucket_id, "applied": {"$ne": reading_id}},
            {"$inc": {"count": 1, "total": value}, "$min": {"minimum": value}, "$max": {"maximum": value},
             "$push": {"applied": reading_id}}))
    return updates


def _last_value_update(sensor_id: str, doc: dict[str, Any], newer: str) -> UpdateOne:
    """Move a sensor's last value to ``doc`` if it is newer than the one it has."""
    return UpdateOne(
        {"_id": sensor_id, "$or": [{"last_reading_at": None}, {"last_reading_at": {newer: doc["at"]}}]},
        {"$set": {"last_value": doc["value"], "last_reading_at": doc["at"], "extra": doc["extra"]}},
    )


def _api_key(doc: dict[str, Any]) -> ApiKeyRecord:
    return ApiKeyRecord(doc["_id"], doc["name"], doc["role"], doc["key_hash"], doc["created_at"],
                        doc.get("revoked_at"))


def _device(doc: dict[str, Any]) -> DeviceRecord:
    return DeviceRecord(doc["_id"], doc["kind"], doc["secret"], doc["status"], doc["created_at"],
                        doc.get("last_seen"), json.loads(doc["info"]), doc.get("url"))


class MongoStore:
    """:class:`~rpymostat.store.interface.Store` on a MongoDB database."""

    backend_name = "mongodb"

    def __init__(self, pool: ConnectionPool, database: str, reactor: IReactorTime, timeout: float) -> None:
        self._pool = pool
        self._database_name = database
        self._reactor = reactor
        self.timeout = timeout
        self._db = Database(pool, database)
        self._pending: set[Deferred[None]] = set()
        self._closed = False

    @classmethod
    def open(cls, uri: str, reactor: IReactorTime | None = None) -> Deferred[MongoStore]:
        """Connect, choose the write concern, create the indexes; fires with a ready store.

        The database is the URI's path (default ``rpymostat``); ``timeoutMS``
        in the URI bounds every operation (default 5 s).
        """
        if reactor is None:
            from twisted.internet import reactor as default_reactor

            reactor = default_reactor  # type: ignore[assignment]
        try:
            pool = ConnectionPool(uri, max_delay=RECONNECT_MAX_DELAY)
        except (PyMongoError, ValueError) as exc:
            return fail(StoreError(f"invalid MongoDB URI: {exc}"))
        store = cls(pool, pool.uri["database"] or DEFAULT_DATABASE, reactor, operation_timeout(pool.uri["options"]))

        def give_up(failure: Failure) -> Failure:
            pool.disconnect()
            return failure

        prepared = store._run("prepare the database", store._prepare)
        return prepared.addCallbacks(lambda _: store, give_up)

    async def _prepare(self) -> None:
        hello = await self._db.command("hello")
        write_concern = durable_write_concern(self._pool.write_concern, hello)
        self._db = Database(self._pool, self._database_name, write_concern=write_concern)
        for collection, name, keys, options in INDEXES:
            await self._db[collection].create_index(qf.sort(keys), name=name, **options)
        latest = await self._db["readings"].find_one({}, {"_id": 1}, sort=qf.sort(qf.DESCENDING("_id")))
        if latest is not None:
            await self._db["counters"].update_one({"_id": READING_COUNTER}, {"$max": {"seq": latest["_id"]}},
                                                  upsert=True)
        await self._roll_up_older_readings()
        log.info("MongoDB database {database} ready ({write_concern})", database=self._database_name,
                 write_concern=write_concern.document)

    async def _roll_up_older_readings(self) -> None:
        """Give readings stored before rollups existed, or cut off by a crash, their rollups."""
        marker = await self._db["counters"].find_one({"_id": ROLLUP_MARKER})
        if marker is None:
            await self._db["readings"].update_many({"value": {"$ne": None}, "rolled": {"$exists": False}},
                                                   {"$set": {"rolled": False}})
            await self._db["counters"].update_one({"_id": ROLLUP_MARKER}, {"$set": {"since": 3}}, upsert=True)
        while True:
            pending = await self._db["readings"].find({"rolled": False}, limit=ROLLUP_BATCH)
            if not pending:
                return
            await self._roll_up(pending)

    async def _roll_up(self, readings: list[dict[str, Any]]) -> None:
        """Add readings to their buckets, mark them rolled, then forget them in the buckets."""
        if not readings:
            return
        updates = [update for reading in readings for update in _rollup_updates(reading)]
        await self._collection("rollups").bulk_write(updates, ordered=True)
        ids = [reading["_id"] for reading in readings]
        await self._collection("readings").update_many({"_id": {"$in": ids}}, {"$set": {"rolled": True}})
        buckets = sorted({_rollup_id(step, r["sensor_id"], bucket_start(r["at"], step))
                          for r in readings for step in ROLLUP_STEPS})
        await self._collection("rollups").update_many({"_id": {"$in": buckets}},
                                                      {"$pull": {"applied": {"$in": ids}}})

    def _collection(self, name: str) -> Collection:
        return self._db[name]

    def _run(self, what: str, operation: Callable[[], Awaitable[T]]) -> Deferred[T]:
        """Run one operation with the timeout, turning driver failures into StoreError."""
        if self._closed:
            return fail(StoreError("the store is closed"))
        d: Deferred[T] = Deferred.fromCoroutine(operation())  # type: ignore[arg-type]
        d.addTimeout(self.timeout, self._reactor)
        d.addErrback(self._as_store_error, what)
        settled: Deferred[None] = Deferred()
        self._pending.add(settled)

        def settle(result: Any) -> Any:
            self._pending.discard(settled)
            settled.callback(None)
            return result

        return d.addBoth(settle)

    def _as_store_error(self, failure: Failure, what: str) -> Failure:
        if failure.check(TimeoutError):
            raise StoreError(f"MongoDB did not answer within {self.timeout:g} s when asked to {what}; "
                             "is the server running and reachable?")
        if failure.check(PyMongoError):
            raise StoreError(f"MongoDB failed to {what}: {failure.value}")
        return failure

    def ping(self) -> Deferred[bool]:
        async def ping() -> bool:
            reply = await self._db.command("ping")
            return bool(reply.get("ok"))

        def unreachable(failure: Failure) -> bool:
            failure.trap(StoreError)
            return False

        return self._run("answer a ping", ping).addErrback(unreachable)

    def close(self) -> Deferred[None]:
        """Wait for operations in flight (each bounded by the timeout), then disconnect."""
        if self._closed:
            return succeed(None)
        self._closed = True
        d = gatherResults(list(self._pending))
        d.addCallback(lambda _: self._pool.disconnect())
        return d.addCallback(lambda _: None)

    # Sensors and readings

    def record_readings(
        self, host_id: str, readings: Sequence[ReadingInput], received_at: float
    ) -> Deferred[list[str]]:
        """Store readings, then bring each sensor up to date.

        MongoDB has no multi-document atomicity outside transactions (which a
        standalone server lacks), so the writes are ordered to converge
        instead: every reading is inserted before its sensor is touched, and a
        reading found already stored (a replayed idempotency key) is re-applied
        to its sensor if it is newer than the sensor's last value. Replaying
        an interrupted update with its idempotency keys completes it.
        """
        readings = list(readings)
        return self._run("record readings", lambda: self._record(host_id, readings, received_at))

    async def _reserve_reading_ids(self, count: int) -> int:
        """The first of ``count`` fresh, consecutive reading IDs."""
        counter = await self._collection("counters").find_one_and_update(
            {"_id": READING_COUNTER}, {"$inc": {"seq": count}}, upsert=True, return_document=ReturnDocument.AFTER)
        return int(counter["seq"]) - count + 1

    async def _record(self, host_id: str, readings: list[ReadingInput], received_at: float) -> list[str]:
        if not readings:
            return []
        first_id = await self._reserve_reading_ids(len(readings))
        docs = [_reading_doc(first_id + i, host_id, reading, received_at) for i, reading in enumerate(readings)]
        stored = await self._insert_new(docs)
        twins = {(doc["sensor_id"], doc.get("idempotency_key")) for doc in stored.values()}
        fresh = [doc for doc in docs if doc.get("rolled") is False
                 and (doc["sensor_id"], doc.get("idempotency_key")) not in twins]
        await self._roll_up(fresh + [twin for twin in stored.values() if twin.get("rolled") is False])
        updates = []
        for reading, doc in zip(readings, docs, strict=True):
            updates.append(UpdateOne(
                {"_id": reading.sensor_id},
                {"$set": {"host_id": host_id, "sensor_type": reading.sensor_type, "alias": reading.alias},
                 "$max": {"last_seen": float(received_at)},
                 "$setOnInsert": {"first_seen": float(received_at), "name": None, "room": None, "hidden": False,
                                  "outdoor": False}},
                upsert=True,
            ))
            twin = stored.get((reading.sensor_id, reading.idempotency_key))
            if twin is None:
                updates.append(_last_value_update(reading.sensor_id, doc, "$lte"))
            else:
                updates.append(_last_value_update(reading.sensor_id, twin, "$lt"))
        await self._collection("sensors").bulk_write(updates, ordered=True)
        return [reading.sensor_id for reading in readings]

    async def _insert_new(self, docs: list[dict[str, Any]]) -> dict[tuple[str, str | None], dict[str, Any]]:
        """Insert readings; return the already stored ones that were skipped, by (sensor, key)."""
        try:
            await self._collection("readings").insert_many(docs, ordered=False)
            return {}
        except BulkWriteError as exc:
            errors = exc.details.get("writeErrors", [])
            if any(error.get("code") != DUPLICATE_KEY for error in errors):
                raise
            replayed = [docs[error["index"]] for error in errors]
        twins = await self._collection("readings").find(
            {"$or": [{"sensor_id": doc["sensor_id"], "idempotency_key": doc["idempotency_key"]}
                     for doc in replayed if "idempotency_key" in doc]})
        found = {(twin["sensor_id"], twin["idempotency_key"]): twin for twin in twins}
        if len(found) != len({(doc["sensor_id"], doc.get("idempotency_key")) for doc in replayed}):
            raise StoreError("MongoDB refused a reading as a duplicate without a stored twin; "
                             "is the readings counter out of step with the readings?")
        return found

    def list_sensors(self) -> Deferred[list[SensorRecord]]:
        async def list_sensors() -> list[SensorRecord]:
            docs = await self._collection("sensors").find({}, sort=qf.sort(qf.ASCENDING("_id")))
            return [_sensor(doc) for doc in docs]

        return self._run("list sensors", list_sensors)

    def get_sensor(self, sensor_id: str) -> Deferred[SensorRecord | None]:
        async def get_sensor() -> SensorRecord | None:
            doc = await self._collection("sensors").find_one({"_id": sensor_id})
            return None if doc is None else _sensor(doc)

        return self._run("read a sensor", get_sensor)

    def update_sensor(self, sensor_id: str, changes: dict[str, Any]) -> Deferred[SensorRecord | None]:
        unknown = set(changes) - set(USER_SENSOR_FIELDS)
        if unknown:
            raise ValueError(f"not user-editable: {sorted(unknown)}")
        values = {name: bool(value) if name in FLAG_SENSOR_FIELDS else value for name, value in changes.items()}

        async def update_sensor() -> SensorRecord | None:
            sensors = self._collection("sensors")
            if values:
                doc = await sensors.find_one_and_update({"_id": sensor_id}, {"$set": values},
                                                        return_document=ReturnDocument.AFTER)
            else:
                doc = await sensors.find_one({"_id": sensor_id})
            return None if doc is None else _sensor(doc)

        return self._run("update a sensor", update_sensor)

    def delete_sensor(self, sensor_id: str) -> Deferred[bool]:
        async def delete_sensor() -> bool:
            await self._collection("readings").delete_many({"sensor_id": sensor_id})
            await self._collection("rollups").delete_many({"sensor_id": sensor_id})
            result = await self._collection("sensors").delete_one({"_id": sensor_id})
            return bool(result.deleted_count)

        return self._run("delete a sensor", delete_sensor)

    def list_readings(
        self,
        sensor_id: str,
        limit: int,
        offset: int = 0,
        before: float | None = None,
        after: float | None = None,
    ) -> Deferred[list[ReadingRecord]]:
        if limit <= 0:
            return succeed([])
        query: dict[str, Any] = {"sensor_id": sensor_id}
        bounds = {}
        if before is not None:
            bounds["$lt"] = float(before)
        if after is not None:
            bounds["$gt"] = float(after)
        if bounds:
            query["at"] = bounds

        async def list_readings() -> list[ReadingRecord]:
            docs = await self._collection("readings").find(
                query, skip=offset, limit=limit, sort=qf.sort(qf.DESCENDING("at") + qf.DESCENDING("_id")))
            return [_reading(doc) for doc in docs]

        return self._run("list readings", list_readings)

    def recent_readings(self, sensor_ids: Sequence[str], after: float) -> Deferred[list[ReadingRecord]]:
        ids = list(sensor_ids)

        async def recent_readings() -> list[ReadingRecord]:
            if not ids:
                return []
            docs = await self._collection("readings").find({"sensor_id": {"$in": ids}, "at": {"$gt": float(after)}})
            return [_reading(doc) for doc in docs]

        return self._run("list recent readings", recent_readings)

    # History

    def read_history(
        self, sensor_ids: Sequence[str], level: int, start: float, end: float, step: int
    ) -> Deferred[list[HistoryPoint]]:
        bounds = {"$gte": bucket_start(start, step), "$lt": float(end)}
        ids = list(sensor_ids)

        async def read_history() -> list[HistoryPoint]:
            if not ids:
                return []
            if level == RAW:
                docs = await self._collection("readings").find(
                    {"sensor_id": {"$in": ids}, "at": bounds, "value": {"$ne": None}},
                    {"sensor_id": 1, "at": 1, "value": 1, "_id": 0})
                return regroup(readings_as_rows((d["sensor_id"], d["at"], d["value"]) for d in docs), step)
            docs = await self._collection("rollups").find(
                {"level": level, "sensor_id": {"$in": ids}, "at": bounds, "count": {"$gt": 0}},
                {"sensor_id": 1, "at": 1, "count": 1, "total": 1, "minimum": 1, "maximum": 1, "_id": 0})
            return regroup(((d["sensor_id"], d["at"], d["count"], d["total"], d["minimum"], d["maximum"])
                            for d in docs), step)

        return self._run("read history", read_history)

    def prune_readings(self, older_than: float) -> Deferred[int]:
        async def prune_readings() -> int:
            result = await self._collection("readings").delete_many(
                {"at": {"$lt": float(older_than)}, "rolled": {"$ne": False}})
            return int(result.deleted_count)

        return self._run("prune readings", prune_readings)

    def prune_rollups(self, level: int, older_than: float) -> Deferred[int]:
        async def prune_rollups() -> int:
            result = await self._collection("rollups").delete_many(
                {"level": level, "at": {"$lte": float(older_than) - level}})
            return int(result.deleted_count)

        return self._run("prune rollups", prune_rollups)

    # API keys

    def add_api_key(self, record: ApiKeyRecord) -> Deferred[None]:
        async def add_api_key() -> None:
            await self._collection("api_keys").insert_one({
                "_id": record.key_id, "name": record.name, "role": record.role, "key_hash": record.key_hash,
                "created_at": float(record.created_at), "revoked_at": record.revoked_at,
            })

        return self._run("store an API key", add_api_key)

    def get_api_key(self, key_id: str) -> Deferred[ApiKeyRecord | None]:
        async def get_api_key() -> ApiKeyRecord | None:
            doc = await self._collection("api_keys").find_one({"_id": key_id})
            return None if doc is None else _api_key(doc)

        return self._run("read an API key", get_api_key)

    def list_api_keys(self) -> Deferred[list[ApiKeyRecord]]:
        async def list_api_keys() -> list[ApiKeyRecord]:
            docs = await self._collection("api_keys").find(
                {}, sort=qf.sort(qf.ASCENDING("created_at") + qf.ASCENDING("_id")))
            return [_api_key(doc) for doc in docs]

        return self._run("list API keys", list_api_keys)

    def revoke_api_key(self, key_id: str, at: float) -> Deferred[bool]:
        async def revoke_api_key() -> bool:
            keys = self._collection("api_keys")
            key = await keys.find_one({"_id": key_id, "revoked_at": None})
            if key is None:
                return False
            # Checked, then written: MongoDB has no single update conditioned on a count. The engine makes one
            # change at a time; only a simultaneous rpymostat-keys could slip between the two.
            if key["role"] == "admin":
                admins = await keys.find({"role": "admin", "revoked_at": None}, {"_id": 1}, limit=2)
                if len(admins) <= 1:
                    raise LastAdminKeyError(key_id)
            result = await keys.update_one({"_id": key_id, "revoked_at": None}, {"$set": {"revoked_at": float(at)}})
            return result.matched_count == 1

        return self._run("revoke an API key", revoke_api_key)

    # Devices

    def put_device(self, record: DeviceRecord) -> Deferred[None]:
        async def put_device() -> None:
            await self._collection("devices").replace_one({"_id": record.host_id}, {
                "kind": record.kind, "secret": record.secret, "status": record.status,
                "created_at": float(record.created_at), "last_seen": record.last_seen,
                "info": json.dumps(record.info), "url": record.url,
            }, upsert=True)

        return self._run("store a device", put_device)

    def get_device(self, host_id: str) -> Deferred[DeviceRecord | None]:
        async def get_device() -> DeviceRecord | None:
            doc = await self._collection("devices").find_one({"_id": host_id})
            return None if doc is None else _device(doc)

        return self._run("read a device", get_device)

    def list_devices(self) -> Deferred[list[DeviceRecord]]:
        async def list_devices() -> list[DeviceRecord]:
            docs = await self._collection("devices").find({}, sort=qf.sort(qf.ASCENDING("_id")))
            return [_device(doc) for doc in docs]

        return self._run("list devices", list_devices)

    def set_device_status(self, host_id: str, status: DeviceStatus) -> Deferred[bool]:
        async def set_device_status() -> bool:
            result = await self._collection("devices").update_one({"_id": host_id}, {"$set": {"status": status}})
            return result.matched_count == 1

        return self._run("change a device's status", set_device_status)

    def delete_device(self, host_id: str) -> Deferred[bool]:
        async def delete_device() -> bool:
            result = await self._collection("devices").delete_one({"_id": host_id})
            return result.deleted_count == 1

        return self._run("delete a device", delete_device)

    def touch_device(self, host_id: str, at: float, info: dict[str, Any] | None = None,
                     url: str | None = None) -> Deferred[None]:
        changes: dict[str, Any] = {"last_seen": float(at)}
        if info is not None:
            changes["info"] = json.dumps(info)
        if url is not None:
            changes["url"] = url

        async def touch_device() -> None:
            await self._collection("devices").update_one({"_id": host_id}, {"$set": changes})

        return self._run("record contact from a device", touch_device)

    # Settings (JSON text, so any JSON value round-trips as on SQLite)

    def get_setting(self, name: str) -> Deferred[Any]:
        async def get_setting() -> Any:
            doc = await self._collection("settings").find_one({"_id": name})
            return None if doc is None else json.loads(doc["value"])

        return self._run("read a setting", get_setting)

    def put_setting(self, name: str, value: Any) -> Deferred[None]:
        encoded = json.dumps(value)

        async def put_setting() -> None:
            await self._collection("settings").update_one({"_id": name}, {"$set": {"value": encoded}}, upsert=True)

        return self._run("store a setting", put_setting)

    # Documents (JSON text, so any JSON object round-trips exactly as on SQLite)

    def put_document(self, collection: str, doc_id: str, data: dict[str, Any]) -> Deferred[None]:
        encoded = json.dumps(data)

        async def put_document() -> None:
            await self._collection("documents").update_one(
                {"_id": f"{collection}/{doc_id}"},
                {"$set": {"collection": collection, "doc_id": doc_id, "data": encoded}}, upsert=True)

        return self._run("store a document", put_document)

    def get_document(self, collection: str, doc_id: str) -> Deferred[dict[str, Any] | None]:
        async def get_document() -> dict[str, Any] | None:
            doc = await self._collection("documents").find_one({"_id": f"{collection}/{doc_id}"})
            return None if doc is None else json.loads(doc["data"])

        return self._run("read a document", get_document)

    def list_documents(self, collection: str) -> Deferred[list[tuple[str, dict[str, Any]]]]:
        async def list_documents() -> list[tuple[str, dict[str, Any]]]:
            docs = await self._collection("documents").find({"collection": collection},
                                                            sort=qf.sort(qf.ASCENDING("doc_id")))
            return [(doc["doc_id"], json.loads(doc["data"])) for doc in docs]

        return self._run("list documents", list_documents)

    def delete_document(self, collection: str, doc_id: str) -> Deferred[bool]:
        async def delete_document() -> bool:
            result = await self._collection("documents").delete_one({"_id": f"{collection}/{doc_id}"})
            return result.deleted_count == 1

        return self._run("delete a document", delete_document)

    # Logs

    def append_log(self, stream: str, at: float, data: dict[str, Any]) -> Deferred[int]:
        return self.append_logs([(stream, at, data)]).addCallback(lambda ids: ids[0])

    def append_logs(self, entries: Sequence[tuple[str, float, dict[str, Any]]]) -> Deferred[list[int]]:
        docs = [{"stream": stream, "at": float(at), "data": json.dumps(data)} for stream, at, data in entries]

        async def append_logs() -> list[int]:
            if not docs:
                return []
            counter = await self._collection("counters").find_one_and_update(
                {"_id": LOG_COUNTER}, {"$inc": {"seq": len(docs)}}, upsert=True,
                return_document=ReturnDocument.AFTER)
            first = int(counter["seq"]) - len(docs) + 1
            ids = list(range(first, first + len(docs)))
            await self._collection("log").insert_many([{"_id": i, **doc} for i, doc in zip(ids, docs, strict=True)])
            return ids

        return self._run("append to a log", append_logs)

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
        query: dict[str, Any] = {"stream": stream}
        at_bounds: dict[str, float] = {}
        if before is not None:
            at_bounds["$lt"] = float(before)
        if after is not None:
            at_bounds["$gt"] = float(after)
        if at_bounds:
            query["at"] = at_bounds
        id_bounds: dict[str, int] = {}
        if after_id is not None:
            id_bounds["$gt"] = after_id
        if before_id is not None:
            id_bounds["$lt"] = before_id
        if id_bounds:
            query["_id"] = id_bounds
        order = qf.DESCENDING("_id") if newest_first else qf.ASCENDING("_id")

        async def list_log() -> list[LogEntry]:
            if limit <= 0:
                return []
            docs = await self._collection("log").find(query, sort=qf.sort(order), skip=offset, limit=limit)
            return [LogEntry(doc["_id"], doc["stream"], doc["at"], json.loads(doc["data"])) for doc in docs]

        return self._run("read a log", list_log)

    def prune_log(self, stream: str, older_than: float) -> Deferred[int]:
        async def prune_log() -> int:
            result = await self._collection("log").delete_many({"stream": stream, "at": {"$lt": float(older_than)}})
            return int(result.deleted_count)

        return self._run("prune a log", prune_log)

    def trim_log(self, stream: str, keep: int) -> Deferred[int]:
        async def trim_log() -> int:
            docs = await self._collection("log").find({"stream": stream}, sort=qf.sort(qf.DESCENDING("_id")),
                                                      skip=keep, limit=1)
            if not docs:
                return 0
            result = await self._collection("log").delete_many({"stream": stream, "_id": {"$lte": docs[0]["_id"]}})
            return int(result.deleted_count)

        return self._run("trim a log", trim_log)
