"""Shared steps of the schedule, override and timeline API tests."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from rpymostat.common.timeutil import from_iso

ZONE = "Europe/London"
MORNINGS = {"name": "Mornings", "cron": "30 6 * * *", "duration": "PT2H", "mode": "heat", "heat_setpoint": 21}


def local(*fields: int, fold: int = 0) -> float:
    """Epoch seconds of a wall-clock time in the harness's zone."""
    return datetime(*fields, tzinfo=ZoneInfo(ZONE), fold=fold).timestamp()


async def add_sensors(engine, *sensor_ids: str) -> None:
    update = {"host_id": "pi", "sensors": {sensor_id: {"type": "DS18B20", "value": 20.0} for sensor_id in sensor_ids}}
    response = await engine.request("PUT", "/v1/sensors/update", json=update, key="write")
    assert response.code == 201, response.text


async def stored_state(engine) -> tuple[Any, ...]:
    """Everything a schedule change could touch in storage."""
    store = engine.store
    return (
        await store.list_documents("schedules"),
        await store.list_documents("overrides"),
        await store.get_setting("schedule_settings"),
        [entry.data for entry in await store.list_log("events", 1000)],
    )


async def events(engine) -> list[dict[str, Any]]:
    return [entry.data for entry in await engine.store.list_log("events", 1000, newest_first=False)]


async def timeline(engine, hours: int = 24) -> list[dict[str, Any]]:
    response = await engine.request("GET", f"/v1/timeline?hours={hours}", key="read")
    assert response.code == 200, response.text
    return response.json["segments"]


def starts(segments: list[dict[str, Any]], source: str) -> list[float]:
    return [from_iso(segment["start"]) for segment in segments if segment["source"] == source]


def move_clock_to(engine, moment: float) -> None:
    engine.clock.advance(moment - engine.clock.seconds())
