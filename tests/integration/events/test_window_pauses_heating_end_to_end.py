"""Issue 12's "done when": a window contact on a sensor daemon's GPIO pin pauses the engine's heating.

The engine and the sensor daemon run as real processes on loopback; the
daemon watches gpiozero mock pins that the test drives through its stdin
(tests/support/sensor_with_mock_pins.py). The contact opens → the daemon's
signed event reaches the engine → heating pauses and the decision's reason
names the window → the contact closes → heating resumes. A second client,
with a key of its own, pulls the same events with ``after=``.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rpymostat.testing.processes import BIN, EngineProcess, http, run_script, wait_for

pytestmark = pytest.mark.slow

HOST_ID = "bedroom-pi"
PIN = 17
SUPPORT = Path(__file__).resolve().parents[2] / "support" / "sensor_with_mock_pins.py"


class Daemon:
    def __init__(self, process: subprocess.Popen, log: Path) -> None:
        self.process, self.log_path = process, log

    def drive(self, level: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(f"{level} {PIN}\n")
        self.process.stdin.flush()

    def log(self) -> str:
        return self.log_path.read_text()


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[EngineProcess]:
    process = EngineProcess.prepare(tmp_path, RPYMOSTAT_TIMEZONE="UTC", RPYMOSTAT_HEAT_MIN_RUN="0",
                                    RPYMOSTAT_HEAT_MIN_OFF="0")
    process.start()
    yield process
    process.kill()


@pytest.fixture
def daemon(engine: EngineProcess, tmp_path: Path) -> Iterator[Daemon]:
    made = run_script("rpymostat-keys", "device", HOST_ID, env=engine.env)
    assert made.returncode == 0, made.stderr
    env = {"PATH": f"{BIN}:/usr/bin:/bin", "RPYMOSTAT_ENGINE_URL": engine.url, "RPYMOSTAT_SENSOR_HOST_ID": HOST_ID,
           "RPYMOSTAT_SENSOR_SECRET": made.stdout.strip(), "RPYMOSTAT_SENSOR_SOURCES": "sim",
           "RPYMOSTAT_SENSOR_INTERVAL": "2", "RPYMOSTAT_SENSOR_SPOOL": str(tmp_path / "sensor" / "spool.sqlite"),
           "RPYMOSTAT_SENSOR_SECRET_FILE": str(tmp_path / "sensor" / "secret"),
           "RPYMOSTAT_SENSOR_INPUTS": f"window:Bedroom={PIN}"}
    log = tmp_path / "sensor.log"
    with open(log, "w") as out:
        process = subprocess.Popen([sys.executable, str(SUPPORT), "-v"], env=env, stdin=subprocess.PIPE,
                                   stdout=out, stderr=subprocess.STDOUT, text=True)
    yield Daemon(process, log)
    process.terminate()
    process.wait(timeout=20)


def new_key(engine: EngineProcess, role: str, name: str) -> str:
    made = run_script("rpymostat-keys", "create", "--role", role, "--name", name, env=engine.env)
    assert made.returncode == 0, made.stderr
    return made.stdout.strip()


def test_a_window_opened_on_a_gpio_contact_pauses_heating_until_it_closes(engine: EngineProcess,
                                                                          daemon: Daemon) -> None:
    key = new_key(engine, "write", "phone")

    def call(method: str, path: str, body: Any = None, with_key: str = key) -> Any:
        code, answer = http(method, engine.url + path, body, key=with_key)
        assert code in (200, 201), (method, path, code, answer)
        return answer

    def events(after: int = 0, with_key: str = key) -> list[dict[str, Any]]:
        return call("GET", f"/v1/events?full=true&after={after}", with_key=with_key)["events"]

    def decision() -> dict[str, Any] | None:
        code, answer = http("GET", engine.url + "/v1/decisions/current", key=key)
        return answer if code == 200 else None

    def values() -> list[str]:
        return [e["value"] for e in reversed(events()) if e["client"] == f"device:{HOST_ID}"]

    # The contact starts open (the pull-up holds the pin high); shut it, as the test's first move.
    wait_for(lambda: values() == ["open"], what=f"the contact's state at start\n{daemon.log()}")
    daemon.drive("low")
    wait_for(lambda: values() == ["open", "closed"], what="the closed contact's event")
    sensor = f"{HOST_ID}-sim"
    call("PATCH", f"/v1/sensors/{sensor}", {"room": "bedroom"})
    call("PATCH", "/v1/reactions/window", {"enabled": True, "delay": 0})
    # No minimum run or rest times, so the test sees each change at once.
    call("PUT", "/v1/plugins/decisions", {"name": "predictive", "options": {"min_on_time": 0, "min_off_time": 0}})
    call("POST", "/v1/overrides", {"start": "now", "duration": "PT2H", "mode": "heat", "heat_setpoint": 28})
    wait_for(lambda: (d := decision()) is not None and d["desired"] == "heat", what="heating")

    daemon.drive("high")
    paused = wait_for(lambda: (d := decision()) is not None and d["desired"] == "idle" and d,
                      what=f"heating to pause\n{engine.log()}")
    assert paused["reason"].startswith("paused: Bedroom window open since ")
    assert [r["reaction"] for r in paused["reactions"]] == ["window"]
    timeline = call("GET", "/v1/timeline")
    assert [r["reason"] for r in timeline["reactions"]] == [paused["reactions"][0]["reason"]]

    daemon.drive("low")
    resumed = wait_for(lambda: (d := decision()) is not None and d["desired"] == "heat" and d, what="heating again")
    assert "paused" not in resumed["reason"] and resumed["reactions"] == []

    mine = events()
    other = new_key(engine, "read", "hall tablet")
    assert events(0, with_key=other) == mine
    assert [e["value"] for e in reversed(mine)] == ["open", "closed", "open", "closed"]
    newest = mine[0]["id"]
    assert events(mine[2]["id"], with_key=other) == mine[:2]
    assert events(newest, with_key=other) == []
