"""A new host registers, waits for an admin, then delivers everything it took meanwhile."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest_twisted

from rpymostat.common.signing import fingerprint, new_secret
from rpymostat.store.records import DeviceRecord
from rpymostat.testing.w1 import FakeW1Bus
from tests.support.engine import START
from tests.unit.sensor.daemon_support import HOST, INTERVAL, approve_beforehand, start_daemon


def secret_in(tmp_path: Path) -> str:
    return (tmp_path / "sensor" / "device-secret").read_text().strip()


@pytest_twisted.ensureDeferred
async def test_a_new_host_waits_as_pending_then_delivers_what_it_took_once_approved(
    engine, tmp_path: Path, bus: FakeW1Bus, log_lines: list[str]
) -> None:
    rig = await start_daemon(engine, tmp_path, bus)
    await rig.advance(INTERVAL)

    devices = (await engine.request("GET", "/v1/devices", key="read")).json["devices"]
    assert [(d["host_id"], d["status"], d["fingerprint"]) for d in devices] == [
        (HOST, "pending", fingerprint(secret_in(tmp_path)))
    ]
    assert stat.S_IMODE(os.stat(tmp_path / "sensor" / "device-secret").st_mode) == 0o600
    waiting = [line for line in log_lines if "waiting for approval" in line]
    assert len(waiting) == 1 and fingerprint(secret_in(tmp_path)) in waiting[0]
    assert await rig.readings() == []
    assert await rig.spooled() == 2

    approved = await engine.request("POST", f"/v1/devices/{HOST}/approve", key="admin")
    assert approved.code == 200
    await rig.advance(INTERVAL)

    assert await rig.readings() == [(START + n * INTERVAL, 21.5, None) for n in range(3)]
    assert await rig.spooled() == 0
    await rig.stop()


@pytest_twisted.ensureDeferred
async def test_another_secret_for_this_host_is_a_clear_error_and_readings_are_kept(
    engine, tmp_path: Path, bus: FakeW1Bus, log_lines: list[str]
) -> None:
    await engine.store.put_device(DeviceRecord(HOST, "sensor", new_secret(), "approved", START))
    rig = await start_daemon(engine, tmp_path, bus)
    await rig.advance(INTERVAL)
    await rig.advance(INTERVAL)

    errors = [line for line in log_lines if "another secret" in line]
    assert len(errors) == 1
    assert f"DELETE /v1/devices/{HOST}" in errors[0] and "RPYMOSTAT_SENSOR_SECRET" in errors[0]
    assert await rig.spooled() == 3

    deleted = await engine.request("DELETE", f"/v1/devices/{HOST}", key="admin")
    assert deleted.code == 200
    await rig.advance(INTERVAL)
    await engine.request("POST", f"/v1/devices/{HOST}/approve", key="admin")
    await rig.advance(INTERVAL)

    assert len(await rig.readings()) == 5
    await rig.stop()


@pytest_twisted.ensureDeferred
async def test_host_information_is_sent_again_on_the_secondary_timer(engine, tmp_path: Path, bus: FakeW1Bus) -> None:
    secret = await approve_beforehand(engine)
    reports = iter(range(1, 100))
    rig = await start_daemon(engine, tmp_path, bus, host_info=lambda: {"hostname": "den", "report": next(reports)},
                             RPYMOSTAT_SENSOR_SECRET=secret)
    first = (await engine.request("GET", f"/v1/devices/{HOST}", key="read")).json

    for _ in range(60):  # ten minutes of readings: the info interval
        await rig.advance(INTERVAL)
    later = (await engine.request("GET", f"/v1/devices/{HOST}", key="read")).json

    assert first["info"] == {"hostname": "den", "report": 1}
    assert later["info"] == {"hostname": "den", "report": 2}
    assert later["last_seen"] > first["last_seen"]
    await rig.stop()


@pytest_twisted.ensureDeferred
async def test_a_device_the_admin_deleted_registers_again_and_waits(engine, tmp_path: Path, bus: FakeW1Bus) -> None:
    rig = await start_daemon(engine, tmp_path, bus)
    await engine.request("POST", f"/v1/devices/{HOST}/approve", key="admin")
    await rig.advance(INTERVAL)
    assert len(await rig.readings()) == 2

    await engine.request("DELETE", f"/v1/devices/{HOST}", key="admin")
    await rig.advance(INTERVAL)

    device = (await engine.request("GET", f"/v1/devices/{HOST}", key="read")).json
    assert device["status"] == "pending"
    assert await rig.spooled() == 1
    await rig.stop()
