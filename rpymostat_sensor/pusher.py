"""Delivering spooled readings to the engine, oldest first, each exactly once.

A reading leaves the spool only when the engine has answered 201 for it,
so nothing is lost to a crash or a dropped connection; the idempotency key
it was given when taken makes a retry after a lost answer harmless. The
engine takes one reading per sensor per request, so a batch ends before
the first sensor ID it already holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from twisted.logger import Logger

from rpymostat.common.http import JsonResponse, SignedJsonClient
from rpymostat.common.timeutil import to_iso
from rpymostat_sensor.spool import Spool, SpoolEntry

log = Logger()

UPDATE_PATH = "/v1/sensors/update"
MAX_SENSORS_PER_UPDATE = 64
#: Answers that say the engine will never take this body, however often it is sent.
NEVER_ACCEPTED = (400, 413, 422)


class NotAuthorised(Exception):
    """The engine no longer accepts this device (unknown, pending or rejected): enrol again."""


class EngineUnavailable(Exception):
    """The engine answered, but not with a verdict on the readings (5xx, 404, 429...): retry later."""


def one_per_sensor(entries: Sequence[SpoolEntry]) -> list[SpoolEntry]:
    """The longest prefix of ``entries`` from one host with no sensor ID twice."""
    batch: list[SpoolEntry] = []
    seen: set[str] = set()
    for entry in entries[:MAX_SENSORS_PER_UPDATE]:
        if entry.sample.sensor_id in seen or (batch and entry.host_id != batch[0].host_id):
            break
        seen.add(entry.sample.sensor_id)
        batch.append(entry)
    return batch


def update_body(batch: Sequence[SpoolEntry]) -> dict[str, Any]:
    """A ``PUT /v1/sensors/update`` body carrying each reading's own time and key."""
    sensors: dict[str, Any] = {}
    for entry in batch:
        sample = entry.sample
        reading: dict[str, Any] = {
            "type": sample.sensor_type,
            "value": sample.value,
            "at": to_iso(sample.at),
            "idempotency_key": sample.key,
        }
        if sample.alias is not None:
            reading["alias"] = sample.alias
        if sample.extra is not None:
            reading["extra"] = sample.extra
        sensors[sample.sensor_id] = reading
    return {"host_id": batch[0].host_id, "sensors": sensors}


class Pusher:
    """Empties the spool into one engine, request by request, in order."""

    def __init__(self, spool: Spool, client: SignedJsonClient) -> None:
        self._spool = spool
        self._client = client
        self._isolate = 0
        self.delivered = 0
        self.rejected = 0

    async def deliver(self, engine_url: str) -> int:
        """Send everything spooled; fire with how many readings were delivered.

        Raises :class:`NotAuthorised`, :class:`EngineUnavailable`, or the
        network error, leaving what was not acknowledged in the spool.
        """
        delivered = 0
        while True:
            batch = one_per_sensor(await self._spool.peek(MAX_SENSORS_PER_UPDATE))
            if self._isolate:
                batch = batch[:1]
            if not batch:
                return delivered
            response = await self._client.request("PUT", engine_url, UPDATE_PATH, update_body(batch))
            if response.code == 201:
                await self._spool.ack([entry.entry_id for entry in batch])
                delivered += len(batch)
                self.delivered += len(batch)
                self._isolate = max(0, self._isolate - 1)
            elif response.code in NEVER_ACCEPTED:
                await self._refused(batch, response)
            elif response.code in (401, 403):
                raise NotAuthorised(response.error)
            else:
                raise EngineUnavailable(f"HTTP {response.code}: {response.error}")

    async def _refused(self, batch: list[SpoolEntry], response: JsonResponse) -> None:
        """Find the reading the engine refuses and drop it alone, so it cannot block the spool."""
        if len(batch) > 1:
            # Send this batch's readings one by one: only the bad ones are dropped.
            self._isolate = len(batch)
            return
        entry = batch[0]
        await self._spool.ack([entry.entry_id])
        self.rejected += 1
        self._isolate = max(0, self._isolate - 1)
        log.error(
            "the engine refused the reading of sensor {sensor_id} taken at {at} ({error}); it was dropped "
            "({rejected} refused readings dropped since start)",
            sensor_id=entry.sample.sensor_id, at=to_iso(entry.sample.at), error=response.error,
            rejected=self.rejected,
        )
