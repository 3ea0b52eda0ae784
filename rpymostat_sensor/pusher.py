"""Delivering spooled readings to the engine, oldest first, each exactly once.

A reading leaves the spool only when the engine has accepted it, so
nothing is lost to a crash or a dropped connection; the idempotency key
it was given when taken makes a retry after a lost answer harmless. The
loop, and finding a reading the engine refuses, is the device toolkit's
(:mod:`rpymostat.common.delivery`). The engine takes one reading per
sensor per request, so a batch ends before the first sensor ID it already
holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rpymostat.common.delivery import SpoolDelivery
from rpymostat.common.http import JsonResponse, SignedJsonClient
from rpymostat.common.timeutil import to_iso
from rpymostat_sensor.spool import Spool, SpoolEntry

UPDATE_PATH = "/v1/sensors/update"
MAX_SENSORS_PER_UPDATE = 64
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
    """Empties the spool into one engine through the device toolkit's delivery loop."""

    def __init__(self, spool: Spool, client: SignedJsonClient) -> None:
        self._client = client
        self._delivery: SpoolDelivery[SpoolEntry] = SpoolDelivery(
            peek=spool.peek, send=self._send, ack=spool.ack, entry_id=lambda entry: entry.entry_id,
            describe=_describe, limit=MAX_SENSORS_PER_UPDATE, batch=one_per_sensor,
        )
        self._url = ""

    @property
    def delivered(self) -> int:
        """Readings the engine acknowledged since start."""
        return self._delivery.delivered

    @property
    def rejected(self) -> int:
        """Readings the engine refused for good since start (dropped from the spool)."""
        return self._delivery.rejected

    async def deliver(self, engine_url: str) -> int:
        """Send everything spooled; fire with how many readings were delivered.

        Raises :class:`NotAuthorised`, :class:`EngineUnavailable`, or the
        network error, leaving what was not acknowledged in the spool.
        """
        self._url = engine_url
        return await self._delivery.deliver()

    async def _send(self, batch: Sequence[SpoolEntry]) -> JsonResponse:
        return await self._client.request("PUT", self._url, UPDATE_PATH, update_body(batch))


def _describe(entry: SpoolEntry) -> str:
    return f"the reading of sensor {entry.sample.sensor_id} taken at {to_iso(entry.sample.at)}"
