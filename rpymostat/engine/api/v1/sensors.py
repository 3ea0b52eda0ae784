"""``/v1/sensors``: readings in from the daemons, sensors and readings out."""

from __future__ import annotations

from typing import Any

from twisted.internet.defer import Deferred, DeferredList

from rpymostat.common.timeutil import to_iso
from rpymostat.engine.api.app import Call, Reply
from rpymostat.engine.api.errors import ApiError, not_found, unprocessable
from rpymostat.engine.api.requests import MAX_LIMIT, bool_param, int_param, time_param
from rpymostat.engine.api.routing import route
from rpymostat.engine.api.v1.sensor_update import parse_sensor_update
from rpymostat.engine.context import EngineContext
from rpymostat.engine.events import SENSOR_DELETED
from rpymostat.engine.schedules.book import RuleBook
from rpymostat.scheduling.errors import ScheduleValidationError
from rpymostat.store.records import ReadingInput, ReadingRecord, SensorRecord

EDITABLE = {"name": 128, "room": 64}
FLAGS = ("hidden", "outdoor")


def iso_or_none(epoch: float | None) -> str | None:
    return None if epoch is None else to_iso(epoch)


def sensor_json(sensor: SensorRecord, now: float, stale_after: float) -> dict[str, Any]:
    return {
        "id": sensor.sensor_id,
        "host_id": sensor.host_id,
        "type": sensor.sensor_type,
        "alias": sensor.alias,
        "extra": sensor.extra,
        "value": sensor.last_value,
        "reading_at": iso_or_none(sensor.last_reading_at),
        "last_seen": to_iso(sensor.last_seen),
        "stale": now - sensor.last_seen > stale_after,
        "name": sensor.name,
        "room": sensor.room,
        "hidden": sensor.hidden,
        "outdoor": sensor.outdoor,
    }


def reading_json(reading: ReadingRecord, full: bool) -> dict[str, Any]:
    compact: dict[str, Any] = {"at": to_iso(reading.at), "value": reading.value}
    if full:
        compact.update(
            id=reading.reading_id,
            host_id=reading.host_id,
            received_at=to_iso(reading.received_at),
            extra=reading.extra,
        )
    return compact


class SensorsAPI:
    """``book`` makes sensor changes that decide which sensors count (``outdoor``, ``hidden``) go with the rules."""

    def __init__(self, context: EngineContext, book: RuleBook) -> None:
        self.context = context
        self.book = book

    @route("/v1/sensors/update", methods=["PUT"], role="write", device=True)
    async def update(self, call: Call) -> Reply:
        data = call.json_object()
        now = self.context.now()
        host_id, readings = parse_sensor_update(data, now, self.context.config.signature_window)
        principal = call.principal
        if principal.kind == "device" and principal.host_id != host_id:
            raise unprocessable(f"host_id {host_id!r} does not match the signing device {principal.host_id!r}")
        ids = await self._store(host_id, readings, now, touch=principal.kind == "device")
        self.context.recent.add(readings, now)
        received = to_iso(now)  # most readings are timed by their arrival: formatted once for all of them
        await self.context.events.publish("readings", {
            "host_id": host_id,
            "readings": [{"sensor_id": r.sensor_id, "value": r.value, "at": received if r.at == now else to_iso(r.at)}
                         for r in readings],
        }, keep=False)
        return Reply({"status": "ok", "ids": ids}, 201)

    async def _store(self, host_id: str, readings: list[ReadingInput], now: float, touch: bool) -> list[str]:
        """Record the readings and, for a signed update, the device's contact.

        Both are asked for at once, so a group-committing store can write
        them in the same transaction; the update fails if either fails.
        """
        recorded = self.context.store.record_readings(host_id, readings, now)
        if not touch:
            return await recorded
        both: list[Deferred[Any]] = [recorded, self.context.store.touch_device(host_id, now)]
        outcomes = await DeferredList(both, consumeErrors=True)
        for ok, outcome in outcomes:
            if not ok:
                outcome.raiseException()
        return outcomes[0][1]

    @route("/v1/sensors")
    async def list(self, call: Call) -> dict[str, Any]:
        full = bool_param(call.request, "full", True)
        limit = int_param(call.request, "limit", MAX_LIMIT, 1, MAX_LIMIT)
        offset = int_param(call.request, "offset", 0, 0, 10**9)
        after = time_param(call.request, "after")
        before = time_param(call.request, "before")
        sensors = await self.context.store.list_sensors()
        sensors = [
            s for s in sensors
            if (after is None or s.last_seen > after) and (before is None or s.last_seen < before)
        ][offset:offset + limit]
        if not full:
            return {"sensors": [s.sensor_id for s in sensors]}
        now = self.context.now()
        stale_after = self.context.config.sensor_stale_after
        return {"sensors": [sensor_json(s, now, stale_after) for s in sensors]}

    async def _existing(self, sensor_id: str) -> SensorRecord:
        sensor = await self.context.store.get_sensor(sensor_id)
        if sensor is None:
            raise not_found(f"no sensor with ID {sensor_id!r}")
        return sensor

    @route("/v1/sensors/<sensor_id>")
    async def get(self, call: Call) -> dict[str, Any]:
        sensor = await self._existing(call.params["sensor_id"])
        return sensor_json(sensor, self.context.now(), self.context.config.sensor_stale_after)

    @route("/v1/sensors/<sensor_id>", methods=["PATCH"], role="write")
    async def change(self, call: Call) -> dict[str, Any]:
        sensor_id = call.params["sensor_id"]
        data = call.json_object()
        changes: dict[str, Any] = {}
        for name, value in data.items():
            if name in EDITABLE:
                if value is not None and (not isinstance(value, str) or not 1 <= len(value) <= EDITABLE[name]):
                    raise unprocessable(f"{name} must be null or a string of 1 to {EDITABLE[name]} characters", name)
                changes[name] = value
            elif name in FLAGS:
                if not isinstance(value, bool):
                    raise unprocessable(f"{name} must be true or false", name)
                changes[name] = value
            else:
                raise unprocessable(f"{name} cannot be changed; editable fields are name, room, hidden and outdoor", name)
        await self._existing(sensor_id)
        try:
            sensor = await self.book.change_sensor(sensor_id, changes)
        except ScheduleValidationError as exc:
            raise ApiError(409, exc.message, field=exc.field) from None
        if sensor is None:
            raise not_found(f"no sensor with ID {sensor_id!r}")
        return sensor_json(sensor, self.context.now(), self.context.config.sensor_stale_after)

    @route("/v1/sensors/<sensor_id>", methods=["DELETE"], role="admin")
    async def delete(self, call: Call) -> dict[str, Any]:
        sensor = await self._existing(call.params["sensor_id"])
        try:
            deleted = await self.book.delete_sensor(sensor.sensor_id)
        except ScheduleValidationError as exc:
            raise ApiError(409, exc.message) from None
        if not deleted:
            raise not_found(f"no sensor with ID {sensor.sensor_id!r}")
        await self.context.events.publish(SENSOR_DELETED, {"sensor_id": sensor.sensor_id, "host_id": sensor.host_id})
        return sensor_json(sensor, self.context.now(), self.context.config.sensor_stale_after)

    @route("/v1/sensors/<sensor_id>/readings")
    async def readings(self, call: Call) -> dict[str, Any]:
        sensor_id = call.params["sensor_id"]
        request = call.request
        full = bool_param(request, "full", True)
        limit = int_param(request, "limit", 100, 1, MAX_LIMIT)
        offset = int_param(request, "offset", 0, 0, 10**9)
        before = time_param(request, "before")
        after = time_param(request, "after")
        await self._existing(sensor_id)
        rows = await self.context.store.list_readings(sensor_id, limit, offset, before, after)
        return {"sensor_id": sensor_id, "readings": [reading_json(r, full) for r in rows]}
