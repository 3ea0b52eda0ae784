"""``rpymostat-keys devices`` and ``rpymostat-keys reject``, run as a user runs them.

The real console script runs in a child process against the database of a
running engine (a real SQLite file, which the CLI opens alongside it), so
what it prints, its exit status and what the engine then does are all
observed from outside.
"""

from __future__ import annotations

import subprocess

import pytest_twisted

from rpymostat.common.signing import fingerprint, new_secret
from rpymostat.common.timeutil import to_iso
from rpymostat.testing.processes import BIN

UPDATE = {"sensors": {"28-h": {"type": "DS18B20", "value": 19.0}}}


def keys_cli(tmp_path, *args: str) -> subprocess.CompletedProcess:
    """``rpymostat-keys`` with only the settings the engine's host would give it."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "RPYMOSTAT_DB_URI": f"sqlite:///{tmp_path}/engine.sqlite",
           "RPYMOSTAT_DATA_DIR": str(tmp_path), "RPYMOSTAT_TIMEZONE": "UTC"}
    return subprocess.run([str(BIN / "rpymostat-keys"), *args], env=env, capture_output=True, text=True, timeout=60)


async def register(engine, host_id: str, kind: str = "sensor") -> str:
    """A daemon registers itself and waits as pending; its secret."""
    secret = new_secret()
    body = {"host_id": host_id, "kind": kind, "secret": secret}
    answer = await engine.signed("POST", "/v1/devices/register", host_id, secret, body)
    assert answer.code == 202, answer.text
    return secret


async def send_reading(engine, host_id: str, secret: str) -> int:
    return (await engine.signed("PUT", "/v1/sensors/update", host_id, secret, {"host_id": host_id, **UPDATE})).code


@pytest_twisted.ensureDeferred
async def test_devices_lists_each_device_with_kind_status_fingerprint_and_last_seen(engine, tmp_path):
    hall = await register(engine, "pi-hall")
    boiler = keys_cli(tmp_path, "device", "boiler-pi", "--kind", "control").stdout.strip()  # never connected

    listed = keys_cli(tmp_path, "devices")

    assert (listed.returncode, listed.stderr) == (0, "")
    assert listed.stdout.splitlines() == [
        f"boiler-pi\tcontrol\tapproved\t{fingerprint(boiler)}\tlast seen never",
        f"pi-hall\tsensor\tpending\t{fingerprint(hall)}\tlast seen {to_iso(engine.clock.seconds())}",
    ]
    assert hall not in listed.stdout and boiler not in listed.stdout


@pytest_twisted.ensureDeferred
async def test_devices_prints_nothing_when_no_device_is_known(engine, tmp_path):
    listed = keys_cli(tmp_path, "devices")

    assert (listed.returncode, listed.stdout, listed.stderr) == (0, "", "")


@pytest_twisted.ensureDeferred
async def test_reject_refuses_a_pending_device_for_good(engine, tmp_path):
    secret = await register(engine, "pi-hall")

    rejected = keys_cli(tmp_path, "reject", "pi-hall")
    listed = keys_cli(tmp_path, "devices")
    device = await engine.store.get_device("pi-hall")
    reading = await send_reading(engine, "pi-hall", secret)
    again = await engine.signed("POST", "/v1/devices/register", "pi-hall", secret,
                                {"host_id": "pi-hall", "kind": "sensor", "secret": secret})

    assert (rejected.returncode, rejected.stdout, rejected.stderr) == (0, "", "device pi-hall rejected\n")
    assert listed.stdout.split("\t")[:3] == ["pi-hall", "sensor", "rejected"]
    assert device is not None and device.status == "rejected"
    assert reading == 403
    assert again.code == 403
    assert (await engine.store.get_device("pi-hall")).status == "rejected"


@pytest_twisted.ensureDeferred
async def test_rejecting_an_unknown_device_fails_and_changes_nothing(engine, tmp_path):
    await register(engine, "pi-hall")

    rejected = keys_cli(tmp_path, "reject", "pi-hal")

    assert rejected.returncode == 1
    assert (rejected.stdout, rejected.stderr) == ("", "rpymostat-keys: no device with host ID pi-hal\n")
    assert [(d.host_id, d.status) for d in await engine.store.list_devices()] == [("pi-hall", "pending")]
