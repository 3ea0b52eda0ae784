"""Issue 3's "done when": an engine and two sensor daemons on three hosts of a namespace LAN.

Real processes throughout: ``rpymostat-engine`` advertises itself by DNS-SD
on its namespace's address; each ``rpymostat-sensor`` (run as
``python -m rpymostat_sensor.runner``) finds it with no URL configured,
registers, and waits until an admin approves it. Each daemon reads its own
fake 1-wire tree, whose files the test changes. The engine is then stopped
while readings go on, and restarted: what the daemons logged as taken (at
debug level, one line per reading) must be exactly what the engine holds,
in order, with the original times. Finally, forged, stale and replayed
signatures are refused and store nothing.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from rpymostat.common.signing import fingerprint, new_secret, sign_request
from rpymostat.testing.processes import BIN, wait_for
from rpymostat.testing.w1 import FakeW1Bus
from rpymostat_sensor.sources.w1 import REASON_UNPLUGGED
from tests.support.netns import Host, Lan, NetnsUnavailable
from tests.support.requirements import requirement_missing

pytestmark = [pytest.mark.netns, pytest.mark.slow]

PORT = 8088
INTERVAL = 2
PROBE = Path(__file__).with_name("http_probe.py")
TAKEN = re.compile(r"took reading (?P<sensor>\S+)=(?P<value>\S+) at (?P<at>\S+)")


class Probe:
    """HTTP from inside a namespace (see http_probe.py), one request at a time."""

    def __init__(self, host: Host, base_url: str) -> None:
        self.base_url = base_url
        self._process = host.popen([sys.executable, str(PROBE)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   text=True)

    def request(self, method: str, path: str, body: Any = None, key: str | None = None,
                headers: dict[str, str] | None = None, raw: bytes | None = None) -> tuple[int | None, Any]:
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        if key is not None:
            all_headers["Authorization"] = f"Bearer {key}"
        line = {"method": method, "url": self.base_url + path, "headers": all_headers,
                "body": None if data is None else data.decode()}
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.write(json.dumps(line) + "\n")
        self._process.stdin.flush()
        answer = json.loads(self._process.stdout.readline())
        return answer["status"], answer["body"]


@dataclass
class Room:
    host: Host
    host_id: str
    bus: FakeW1Bus
    data: Path
    process: subprocess.Popen | None = None

    def start(self) -> None:
        env = {
            "PATH": str(BIN) + ":/usr/bin:/bin",
            "RPYMOSTAT_SENSOR_HOST_ID": self.host_id,
            "RPYMOSTAT_SENSOR_SECRET_FILE": str(self.data / "device-secret"),
            "RPYMOSTAT_SENSOR_SPOOL": str(self.data / "spool.sqlite"),
            "RPYMOSTAT_SENSOR_W1_PATH": str(self.bus.devices_path),
            "RPYMOSTAT_SENSOR_INTERVAL": str(INTERVAL),
            "RPYMOSTAT_SENSOR_RETRY_MAX": "2",
            "RPYMOSTAT_SENSOR_DISCOVERY_INTERFACES": self.host.address,
        }
        log = open(self.data / "daemon.log", "w")
        self.process = self.host.popen([sys.executable, "-m", "rpymostat_sensor.runner", "-v"], env=env,
                                       stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()

    def log(self) -> str:
        return (self.data / "daemon.log").read_text()

    def taken(self, sensor: str) -> list[tuple[str, float | None]]:
        """(time, value) of every reading of ``sensor`` the daemon says it took, in order."""
        return [
            (m["at"], None if m["value"] == "None" else float(m["value"]))
            for m in TAKEN.finditer(self.log()) if m["sensor"] == sensor
        ]

    def secret(self) -> str:
        return (self.data / "device-secret").read_text().strip()


@dataclass
class Engine:
    host: Host
    data: Path
    process: subprocess.Popen | None = None

    def start(self) -> None:
        env = {
            "PATH": str(BIN) + ":/usr/bin:/bin",
            "RPYMOSTAT_DB_URI": f"sqlite:///{self.data}/engine.sqlite",
            "RPYMOSTAT_DATA_DIR": str(self.data),
            "RPYMOSTAT_HOST": self.host.address,
            "RPYMOSTAT_PORT": str(PORT),
            "RPYMOSTAT_TIMEZONE": "UTC",
            "RPYMOSTAT_DISCOVERY": "on",
            "RPYMOSTAT_DISCOVERY_INTERFACES": self.host.address,
        }
        log = open(self.data / "engine.log", "a")
        self.process = self.host.popen([str(BIN / "rpymostat-engine")], env=env, stdout=log,
                                       stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()

    def stop(self) -> None:
        assert self.process is not None
        self.process.terminate()
        assert self.process.wait(timeout=20) == 0, self.log()

    def log(self) -> str:
        return (self.data / "engine.log").read_text()

    def keys(self, *args: str) -> subprocess.CompletedProcess:
        env = {"PATH": "/usr/bin:/bin", "RPYMOSTAT_DB_URI": f"sqlite:///{self.data}/engine.sqlite",
               "RPYMOSTAT_DATA_DIR": str(self.data), "RPYMOSTAT_TIMEZONE": "UTC"}
        return subprocess.run([str(BIN / "rpymostat-keys"), *args], env=env, capture_output=True, text=True,
                              timeout=30)


@pytest.fixture
def lan() -> Iterator[Lan]:
    network = Lan(["engine", "room1", "room2"])
    try:
        network.__enter__()
    except NetnsUnavailable as exc:
        requirement_missing(str(exc))
    yield network
    network.close()


def engine_up(probe: Probe) -> bool:
    return probe.request("GET", "/v1/status")[0] == 200


def stored(probe: Probe, key: str, sensor: str) -> list[tuple[str, float | None]]:
    """(time, value) of the engine's readings of ``sensor`` in the order it stored them."""
    status, body = probe.request("GET", f"/v1/sensors/{sensor}/readings?limit=1000&full=true", key=key)
    if status != 200:
        return []
    return [(r["at"], r["value"]) for r in sorted(body["readings"], key=lambda r: r["id"])]


def sensors_now(probe: Probe, key: str) -> dict[str, dict[str, Any]]:
    status, body = probe.request("GET", "/v1/sensors", key=key)
    return {s["id"]: s for s in body["sensors"]} if status == 200 else {}


def signed_update(host_id: str, secret: str, sensor: str, now: float) -> tuple[bytes, dict[str, str]]:
    body = json.dumps({"host_id": host_id, "sensors": {sensor: {"type": "DS18B20", "value": 99.0}}}).encode()
    return body, sign_request(host_id, secret, "PUT", "/v1/sensors/update", body, now)


def test_two_rooms_find_the_engine_get_approved_and_lose_nothing_while_it_is_away(
    lan: Lan, tmp_path: Path
) -> None:
    engine = Engine(lan["engine"], tmp_path / "engine")
    engine.data.mkdir()
    rooms = []
    for label, slaves in (("room1", {"28-00000000a001": 20.5}), ("room2", {"28-00000000b001": 18.0,
                                                                           "28-00000000b002": 25.0})):
        bus = FakeW1Bus(tmp_path / label / "w1")
        for slave, celsius in slaves.items():
            bus.add_sensor(slave, celsius)
        room = Room(lan[label], f"{label}-pi", bus, tmp_path / label)
        rooms.append(room)
    room1, room2 = rooms
    probe = Probe(lan["engine"], f"http://{lan['engine'].address}:{PORT}")

    # Daemons first: they wait for the engine to appear on the LAN.
    for room in rooms:
        room.start()
    engine.start()
    wait_for(lambda: engine_up(probe), timeout=20, what="the engine", interval=0.2)
    admin = (engine.data / "admin-key").read_text().strip()

    def devices() -> dict[str, dict[str, Any]]:
        return {d["host_id"]: d for d in probe.request("GET", "/v1/devices", key=admin)[1]["devices"]}

    wait_for(lambda: {"room1-pi", "room2-pi"} <= set(devices()), timeout=20, interval=0.2,
             what="both daemons to find the engine by DNS-SD and register")
    listed = devices()
    for room in rooms:
        assert listed[room.host_id]["status"] == "pending"
        assert listed[room.host_id]["fingerprint"] == fingerprint(room.secret())
        assert f"fingerprint {fingerprint(room.secret())}" in room.log()
    assert sensors_now(probe, admin) == {}

    approved_by_cli = engine.keys("approve", "room1-pi")
    assert approved_by_cli.returncode == 0, approved_by_cli.stderr
    assert probe.request("POST", "/v1/devices/room2-pi/approve", key=admin)[0] == 200

    wait_for(lambda: {"00000000a001", "00000000b001", "00000000b002"} <= set(sensors_now(probe, admin)),
             timeout=15, interval=0.2, what="readings of both rooms in GET /v1/sensors")
    room1.bus.set_temperature("28-00000000a001", 22.25)
    wait_for(lambda: sensors_now(probe, admin)["00000000a001"]["value"] == 22.25, timeout=15, interval=0.2,
             what="a changed temperature to reach the engine")

    # The engine goes away; readings go on, and a sensor is unplugged meanwhile.
    engine.stop()
    outage_began = len(room1.taken("00000000a001"))
    room2.bus.unplug("28-00000000b002")
    for step in range(4):
        room1.bus.set_temperature("28-00000000a001", 23.0 + step)
        room2.bus.set_temperature("28-00000000b001", 17.0 - step)
        taken_so_far = len(room1.taken("00000000a001"))
        wait_for(lambda before=taken_so_far: len(room1.taken("00000000a001")) > before, timeout=10, interval=0.2,
                 what="a reading taken while the engine is away")
    assert len(room1.taken("00000000a001")) - outage_began >= 4
    assert "cannot reach the engine" in room1.log() or "engine lost" in room1.log()

    engine.start()
    wait_for(lambda: engine_up(probe), timeout=20, what="the restarted engine", interval=0.2)

    for room, sensor in ((room1, "00000000a001"), (room2, "00000000b001"), (room2, "00000000b002")):
        snapshot = room.taken(sensor)

        def caught_up(sensor: str = sensor, snapshot: list = snapshot) -> bool:
            return stored(probe, admin, sensor)[:len(snapshot)] == snapshot

        wait_for(caught_up, timeout=20, interval=0.3, what=f"every reading of {sensor} to arrive")
        held = stored(probe, admin, sensor)
        assert held[:len(snapshot)] == snapshot  # in order, with the original times and values
        assert len({at for at, _ in held}) == len(held)  # each exactly once
        times = [time_of(at) for at, _ in held]
        assert max(b - a for a, b in zip(times, times[1:], strict=False)) < 2 * INTERVAL + 1  # no gap

    outage_values = [value for _, value in room1.taken("00000000a001")[outage_began:]]
    assert [23.0, 24.0, 25.0, 26.0] == sorted(set(outage_values) & {23.0, 24.0, 25.0, 26.0})
    unplugged = sensors_now(probe, admin)["00000000b002"]
    assert (unplugged["value"], unplugged["extra"]) == (None, REASON_UNPLUGGED)

    # Forged, stale and replayed signatures are refused and store nothing.
    secret = room1.secret()
    body, headers = signed_update("room1-pi", new_secret(), "forged", time.time())
    assert probe.request("PUT", "/v1/sensors/update", raw=body, headers=headers)[0] == 401
    body, headers = signed_update("room1-pi", secret, "stale", time.time() - 3600)
    assert probe.request("PUT", "/v1/sensors/update", raw=body, headers=headers)[0] == 401
    body, headers = signed_update("room1-pi", secret, "replayed", time.time())
    assert probe.request("PUT", "/v1/sensors/update", raw=body, headers=headers)[0] == 201
    assert probe.request("PUT", "/v1/sensors/update", raw=body, headers=headers)[0] == 401
    assert probe.request("GET", "/v1/sensors/forged", key=admin)[0] == 404
    assert probe.request("GET", "/v1/sensors/stale", key=admin)[0] == 404
    assert len(stored(probe, admin, "replayed")) == 1


def time_of(iso: str) -> float:
    from rpymostat.common.timeutil import from_iso

    return from_iso(iso)
