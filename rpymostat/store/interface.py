"""The storage interface every backend implements.

Every method returns a Deferred, so the HTTP layer never blocks on storage
and both backends (SQLite through a thread, MongoDB over txmongo) look the
same to their callers. The contract tests in ``tests/unit/store`` run
against each backend.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from twisted.internet.defer import Deferred

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


class StoreError(Exception):
    """The database could not be reached or refused an operation."""


class LastAdminKeyError(Exception):
    """Revoking this key would leave no live admin key, and nobody could manage keys any more."""


class Store(Protocol):
    """Persistent state of the engine."""

    backend_name: str

    def ping(self) -> Deferred[bool]:
        """True when the database answers."""

    def close(self) -> Deferred[None]:
        """Release the connection; pending writes are durable before it fires."""

    # Sensors and readings
    def record_readings(self, host_id: str, readings: Sequence[ReadingInput], received_at: float) -> Deferred[list[str]]:
        """Store one update atomically; return the sensor IDs it touched.

        A reading whose ``(sensor_id, idempotency_key)`` is already stored is
        skipped, so a daemon replaying its spool never makes duplicates. The
        sensor's ``last_seen`` becomes ``received_at``; its last value moves
        only to a reading newer than the one it has. Every new reading with a
        value is added to its bucket at each rollup level
        (:data:`rpymostat.history.levels.ROLLUP_STEPS`) before the Deferred
        fires, whatever its time; a skipped replay is not added again.
        """

    def list_sensors(self) -> Deferred[list[SensorRecord]]:
        """Every known sensor, ordered by ID."""

    def get_sensor(self, sensor_id: str) -> Deferred[SensorRecord | None]:
        """One sensor, or None."""

    def update_sensor(self, sensor_id: str, changes: dict[str, Any]) -> Deferred[SensorRecord | None]:
        """Change user-owned fields (``name``, ``room``, ``hidden``, ``outdoor``); None if unknown."""

    def delete_sensor(self, sensor_id: str) -> Deferred[bool]:
        """Forget a sensor with its readings and rollups (a retired or phantom one); False if unknown.

        A daemon that reports it again makes it anew, as a first report does.
        """

    def list_readings(
        self,
        sensor_id: str,
        limit: int,
        offset: int = 0,
        before: float | None = None,
        after: float | None = None,
    ) -> Deferred[list[ReadingRecord]]:
        """Readings of one sensor, newest first, with ``before < at``/``at > after`` bounds."""

    def recent_readings(self, sensor_ids: Sequence[str], after: float) -> Deferred[list[ReadingRecord]]:
        """Every reading of these sensors taken after ``after``, in one query (the decision loop's start-up)."""

    # History
    def read_history(
        self, sensor_ids: Sequence[str], level: int, start: float, end: float, step: int
    ) -> Deferred[list[HistoryPoint]]:
        """Buckets of ``step`` seconds per sensor, read from one level, ordered by sensor then time.

        ``level`` is a rollup step, or 0 for the raw readings; ``step`` is a
        multiple of it. Buckets start at multiples of ``step`` from the one
        holding ``start`` up to (excluding) ``end``; empty ones are left out.
        """

    def prune_readings(self, older_than: float) -> Deferred[int]:
        """Delete raw readings with ``at < older_than`` (their rollups stay); fires with how many went."""

    def prune_rollups(self, level: int, older_than: float) -> Deferred[int]:
        """Delete a level's buckets that ended by ``older_than``; fires with how many went."""

    # API keys
    def add_api_key(self, record: ApiKeyRecord) -> Deferred[None]:
        """Store a new key."""

    def get_api_key(self, key_id: str) -> Deferred[ApiKeyRecord | None]:
        """One key by its public ID, revoked or not."""

    def list_api_keys(self) -> Deferred[list[ApiKeyRecord]]:
        """Every key, oldest first."""

    def revoke_api_key(self, key_id: str, at: float) -> Deferred[bool]:
        """Mark a key revoked; False when no live key has that ID.

        Fails with :class:`LastAdminKeyError`, revoking nothing, when the key
        is the only live admin key: without one, only direct access to the
        database could make keys again.
        """

    # Devices
    def put_device(self, record: DeviceRecord) -> Deferred[None]:
        """Insert or replace a device."""

    def get_device(self, host_id: str) -> Deferred[DeviceRecord | None]:
        """One device, or None."""

    def list_devices(self) -> Deferred[list[DeviceRecord]]:
        """Every device, ordered by host ID."""

    def set_device_status(self, host_id: str, status: DeviceStatus) -> Deferred[bool]:
        """Approve, reject or re-pend a device; False when unknown."""

    def delete_device(self, host_id: str) -> Deferred[bool]:
        """Forget a device and its secret; False when unknown."""

    def touch_device(self, host_id: str, at: float, info: dict[str, Any] | None = None,
                     url: str | None = None) -> Deferred[None]:
        """Record contact from a device, and its host information and API URL when given.

        Never touches the status or the secret, so a device's own report can
        not undo an admin's approval that landed while it was being handled.
        """

    # Engine settings (small JSON values: display units, active plugin, ...)
    def get_setting(self, name: str) -> Deferred[Any]:
        """A setting's JSON value, or None."""

    def put_setting(self, name: str, value: Any) -> Deferred[None]:
        """Store a setting's JSON value."""

    # Documents: small JSON objects by collection and ID (schedules,
    # overrides, relays). Each backend stores them as they are.
    def put_document(self, collection: str, doc_id: str, data: dict[str, Any]) -> Deferred[None]:
        """Insert or replace a document."""

    def get_document(self, collection: str, doc_id: str) -> Deferred[dict[str, Any] | None]:
        """One document, or None."""

    def list_documents(self, collection: str) -> Deferred[list[tuple[str, dict[str, Any]]]]:
        """Every (id, document) of a collection, ordered by ID."""

    def delete_document(self, collection: str, doc_id: str) -> Deferred[bool]:
        """Remove a document; False when it did not exist."""

    # Logs: append-only streams with increasing integer IDs.
    def append_log(self, stream: str, at: float, data: dict[str, Any]) -> Deferred[int]:
        """Append an entry; fires with its ID, larger than every earlier ID of any stream."""

    def append_logs(self, entries: Sequence[tuple[str, float, dict[str, Any]]]) -> Deferred[list[int]]:
        """Append (stream, at, data) entries together; fires with their IDs, growing in the order given.

        For entries that are only right together (a decision and the chart's
        record of what it changed): on SQLite one transaction stores all or
        none; MongoDB without a replica set has no such transaction and
        inserts them in order, in one request.
        """

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
        """Entries of a stream filtered by time (exclusive), by ``entry_id > after_id`` and ``entry_id < before_id``."""

    def prune_log(self, stream: str, older_than: float) -> Deferred[int]:
        """Delete a stream's entries with ``at < older_than``; fires with how many went."""

    def trim_log(self, stream: str, keep: int) -> Deferred[int]:
        """Delete all but the ``keep`` newest entries of a stream (a retention by count); fires with how many went."""
