"""Issue 4's "done when": the engine and a control daemon as real processes on a LAN of namespaces.

The daemon drives gpiozero's mock pins, which live inside its process; its
public status shows each pin's level. The test talks to both from a third
host (a laptop on the LAN), with an admin key made by ``rpymostat-keys``.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from rpymostat.common.signing import sign_request
from rpymostat.testing.processes import BIN, run_script, wait_for
from tests.support.netns import Host, Lan

pytestmark = [pytest.mark.netns, pytest.mark.slow]

MakeLan = Callable[[Sequence[str]], Lan]
HERE = Path(__file__).resolve().parent
HOST_ID = "boiler-pi"
HEAT, COOL, FAN = (f"{HOST_ID}:{name}" for name in ("heat", "cool", "fan"))
PINS = {HEAT: 17, COOL: 27, FAN: 22}
ALL_OFF = {HEAT: 0, COOL: 0, FAN: 1}  # the fan's relay board is active-low: off is a high pin
FAILSAFE = 6
MIN_OFF_COOL = 4
CONTROL_PORT = 8089


class Laptop:
    """HTTP from a host on the LAN."""

    def __init__(self, host: Host, engine: str, control: str, key: str) -> None:
        self.host, self.engine, self.control, self.key = host, engine, control, key

    def call(self, method: str, url: str, body: Any = None, headers: dict[str, str] | None = None,
             raw: bytes | None = None) -> tuple[int, Any]:
        data = raw.decode() if raw is not None else ("" if body is None else json.dumps(body))
        result = self.host.run([sys.executable, str(HERE / "lan_http.py"), method, url, data,
                                json.dumps(headers or {})])
        assert result.returncode == 0, result.stderr
        answer = json.loads(result.stdout)
        return answer["code"], answer["body"]

    def admin(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        return self.call(method, self.engine + path, body, {"Authorization": f"Bearer {self.key}"})

    def status(self) -> dict[str, Any]:
        code, body = self.call("GET", self.control + "/v1/status")
        assert code == 200, body
        return body

    def levels(self) -> dict[str, int]:
        return {relay["id"]: relay["pin_level"] for relay in self.status()["relays"]}

    def switch(self, relay_id: str, on: bool) -> tuple[int, Any]:
        return self.admin("PUT", f"/v1/relays/{relay_id}/state", {"on": on})


def clean_env(**settings: str) -> dict[str, str]:
    """Only these settings, none of the test's own environment: a stray RPYMOSTAT_ENGINE_URL would skip discovery."""
    return {"PATH": f"{BIN}:/usr/bin:/bin", **settings}


def start_engine(lan: Lan, data: Path) -> subprocess.Popen:
    env = clean_env(RPYMOSTAT_DB_URI=f"sqlite:///{data}/engine.sqlite", RPYMOSTAT_DATA_DIR=str(data),
                    RPYMOSTAT_HOST="0.0.0.0", RPYMOSTAT_PORT="8088", RPYMOSTAT_DISCOVERY="on",
                    RPYMOSTAT_DISCOVERY_INTERFACES=lan["engine"].address, RPYMOSTAT_TIMEZONE="UTC")
    with open(data / "engine.log", "a") as log:
        return lan["engine"].popen([str(BIN / "rpymostat-engine"), "-v"], env=env, stdout=log,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)


def start_control(lan: Lan, data: Path) -> subprocess.Popen:
    env = clean_env(GPIOZERO_PIN_FACTORY="mock", RPYMOSTAT_CONTROL_HOST_ID=HOST_ID,
                    RPYMOSTAT_CONTROL_SECRET_FILE=str(data / "control-secret"),
                    RPYMOSTAT_CONTROL_RELAYS="heat=17,cool=27,fan=22!", RPYMOSTAT_CONTROL_FAILSAFE=str(FAILSAFE),
                    RPYMOSTAT_CONTROL_MIN_OFF_COOL=str(MIN_OFF_COOL), RPYMOSTAT_CONTROL_PORT=str(CONTROL_PORT),
                    RPYMOSTAT_CONTROL_DISCOVERY_INTERFACES=lan["control"].address)
    with open(data / "control.log", "a") as log:
        return lan["control"].popen([sys.executable, "-m", "rpymostat_control.runner", "-v"], env=env,
                                    stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)


def admin_key(data: Path) -> str:
    env = clean_env(RPYMOSTAT_DB_URI=f"sqlite:///{data}/engine.sqlite", RPYMOSTAT_DATA_DIR=str(data),
                    RPYMOSTAT_TIMEZONE="UTC")
    created = run_script("rpymostat-keys", "create", "--role", "admin", "--name", "end-to-end test", env=env)
    assert created.returncode == 0, created.stderr
    return created.stdout.strip()


def signed_command(secret: str, relay_id: str, on: bool) -> tuple[str, bytes, dict[str, str]]:
    path = f"/v1/relays/{relay_id}/state"
    body = json.dumps({"on": on, "reason": "captured on the wire"}).encode()
    return path, body, sign_request("engine", secret, "PUT", path, body, time.time())


def test_the_control_daemon_obeys_only_its_engine_and_fails_safe(make_lan: MakeLan, tmp_path: Path) -> None:
    lan = make_lan(["engine", "control", "laptop"])
    data = tmp_path
    key = admin_key(data)
    engine = start_engine(lan, data)
    control = start_control(lan, data)
    laptop = Laptop(lan["laptop"], f"http://{lan['engine'].address}:8088",
                    f"http://{lan['control'].address}:{CONTROL_PORT}", key)

    try:
        # Discovery and registration: the daemon finds the engine by DNS-SD and waits for approval.
        device = wait_for(lambda: _pending(laptop), timeout=30, what="the daemon to register")
        assert (device["kind"], device["url"]) == ("control", laptop.control)
        assert laptop.status()["engine"]["fingerprint"] == device["fingerprint"]
        assert laptop.admin("POST", f"/v1/devices/{HOST_ID}/approve")[0] == 200

        # The engine lists the relays the daemon reported, every one off.
        relays = wait_for(lambda: _listed(laptop), timeout=30, what="the engine to list the relays")
        assert {(r["id"], r["pin"], r["function"], r["on"]) for r in relays} == {
            (HEAT, 17, "heat", False), (COOL, 27, "cool", False), (FAN, 22, "fan", False)}
        assert laptop.levels() == ALL_OFF

        # An admin switches heat on through the engine: the pin goes high.
        code, relay = laptop.switch(HEAT, True)
        assert (code, relay["on"]) == (200, True), relay
        assert laptop.levels() == {**ALL_OFF, HEAT: 1}

        # Unsigned, forged and replayed commands to the daemon are refused; the pin stays as it was.
        secret = (data / "control-secret").read_text().strip()
        path, body, captured = signed_command(secret, HEAT, False)
        assert laptop.call("PUT", laptop.control + path, raw=body)[0] == 403
        forged = sign_request("engine", "a-guess-at-the-secret-0123456789", "PUT", path, body, time.time())
        assert laptop.call("PUT", laptop.control + path, headers=forged, raw=body)[0] == 403
        assert laptop.levels()[HEAT] == 1
        assert laptop.call("PUT", laptop.control + path, headers=captured, raw=body)[0] == 200
        assert laptop.switch(HEAT, True)[0] == 200
        code, refused = laptop.call("PUT", laptop.control + path, headers=captured, raw=body)
        assert (code, "replayed" in refused["error"]) == (403, True)
        assert laptop.levels()[HEAT] == 1

        # Heat and cool never together.
        code, refused = laptop.switch(COOL, True)
        assert (code, refused["refusal"]) == (409, "interlock"), refused
        assert laptop.levels() == {**ALL_OFF, HEAT: 1}

        # The minimum off time holds: cool, off, and on again too soon is refused, later allowed.
        assert laptop.switch(HEAT, False)[0] == 200
        wait_for(lambda: laptop.switch(COOL, True)[0] == 200, timeout=3 * MIN_OFF_COOL, interval=0.3,
                 what="cool's start-up minimum off time to pass")
        assert laptop.switch(COOL, False)[0] == 200
        code, refused = laptop.switch(COOL, True)
        assert (code, refused["refusal"]) == (409, "min_off"), refused
        assert 0 < refused["retry_after"] <= MIN_OFF_COOL
        assert laptop.levels()[COOL] == 0
        wait_for(lambda: laptop.switch(COOL, True)[0] == 200, timeout=3 * MIN_OFF_COOL, interval=0.3,
                 what="cool's minimum off time to pass")
        assert laptop.levels() == {**ALL_OFF, COOL: 1}
        history = laptop.admin("GET", f"/v1/relays/{COOL}/history")[1]["history"]
        assert {"interlock", "min_off"} <= {entry.get("refusal") for entry in history}

        # A healthy engine keeps the failsafe fed well past its time.
        seen = max(entry["id"] for entry in history)
        started = time.monotonic()
        wait_for(lambda: time.monotonic() - started > FAILSAFE + 2, timeout=FAILSAFE + 10, interval=0.5,
                 what="the failsafe time to pass with the engine alive")
        assert laptop.status()["status"] == "ok"
        assert laptop.levels() == {**ALL_OFF, COOL: 1}
        history = laptop.admin("GET", f"/v1/relays/{COOL}/history")[1]["history"]
        assert "failsafe" not in {entry["kind"] for entry in history if entry["id"] > seen}

        # The engine dies: after the failsafe time every pin is at its off level, and the status says so.
        engine.send_signal(signal.SIGKILL)
        engine.wait(timeout=10)
        killed = time.monotonic()
        status = wait_for(lambda: _tripped(laptop), timeout=FAILSAFE + 10, what="the failsafe to trip")
        # The last keep-alive came at most a third of the failsafe time before the kill.
        assert time.monotonic() - killed >= FAILSAFE * 2 / 3 - 1
        assert {r["id"]: r["pin_level"] for r in status["relays"]} == ALL_OFF

        # SIGTERM leaves every relay off; a restart comes up with every pin at its off level.
        control.send_signal(signal.SIGTERM)
        assert control.wait(timeout=20) == 0
        assert "Every relay is off and released" in (data / "control.log").read_text()
        start_control(lan, data)
        restarted = wait_for(lambda: _answering(laptop), timeout=20, what="the restarted daemon")
        assert {r["id"]: r["pin_level"] for r in restarted["relays"]} == ALL_OFF
        assert [r["on"] for r in restarted["relays"]] == [False, False, False]
    except BaseException:
        for name in ("engine.log", "control.log"):
            path = data / name
            if path.exists():
                print(f"--- {name}\n{path.read_text()[-6000:]}")
        raise


def _pending(laptop: Laptop) -> dict[str, Any] | None:
    code, body = laptop.admin("GET", f"/v1/devices/{HOST_ID}")
    return body if code == 200 and body["status"] == "pending" else None


def _listed(laptop: Laptop) -> list[dict[str, Any]] | None:
    code, body = laptop.admin("GET", "/v1/relays")
    return body["relays"] if code == 200 and len(body["relays"]) == 3 else None


def _tripped(laptop: Laptop) -> dict[str, Any] | None:
    status = laptop.status()
    return status if status["status"] == "failsafe" else None


def _answering(laptop: Laptop) -> dict[str, Any] | None:
    code, body = laptop.call("GET", laptop.control + "/v1/status")
    return body if code == 200 else None
