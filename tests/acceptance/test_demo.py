"""``rpymostat-demo`` as a visitor runs it: the simulated house heats and cools, seen through the API."""

from __future__ import annotations

import os
import subprocess
import time

import pytest

from rpymostat.testing.processes import BIN, free_port, http, wait_for

pytestmark = pytest.mark.slow


@pytest.fixture
def demo(tmp_path):
    port = free_port()
    env = {**os.environ, "RPYMOSTAT_DATA_DIR": str(tmp_path), "RPYMOSTAT_PORT": str(port),
           "RPYMOSTAT_HOST": "127.0.0.1", "RPYMOSTAT_DEMO_SPEED": "900"}
    env.pop("RPYMOSTAT_DB_URI", None)
    log = open(tmp_path / "demo.log", "w")
    process = subprocess.Popen([str(BIN / "rpymostat-demo")], env=env, stdout=log, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        key_file = tmp_path / "demo" / "admin-key"  # the demo keeps its own folder in the data directory
        wait_for(lambda: key_file.exists() and _status(url) == 200, timeout=30, what="the demo")
        yield url, key_file.read_text().strip(), process
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def _status(url):
    try:
        return http("GET", url + "/v1/status")[0]
    except OSError:
        return None


def test_the_simulated_house_heats_and_cools_within_a_simulated_day(demo):
    url, key, _ = demo
    seen: set[str] = set()
    deadline = time.monotonic() + 150  # a simulated day and a half at 900x
    while time.monotonic() < deadline and not {"heat", "cool"} <= seen:
        status, relays = http("GET", url + "/v1/relays", key=key)
        if status == 200:
            seen |= {r["function"] for r in relays["relays"] if r["on"]}
        time.sleep(0.2)
    assert {"heat", "cool"} <= seen, f"relays seen on: {seen}"
    status, decision = http("GET", url + "/v1/decisions/current", key=key)
    assert status == 200 and decision["temperature"] is not None
    sensors = http("GET", url + "/v1/sensors", key=key)[1]["sensors"]
    assert {"Living room", "Bedroom"} <= {s["name"] for s in sensors}


def test_the_outdoor_sensor_reads_the_simulated_weather_and_reaches_the_decisions(demo):
    url, key, _ = demo
    wait_for(lambda: http("GET", url + "/v1/sensors/outdoor", key=key)[1].get("outdoor") is True,
             what="the outdoor sensor, marked outdoor")
    wait_for(lambda: http("GET", url + "/v1/decisions/current", key=key)[1].get("outdoor") is not None,
             what="a decision with the outdoor temperature")
    sensor = http("GET", url + "/v1/sensors/outdoor", key=key)[1]
    assert sensor["name"] == "Garden" and 5.0 - 0.5 <= sensor["value"] <= 37.0 + 0.5  # the demo's 21 ± 16 °C


def test_the_attic_daemon_waits_for_approval_and_then_reports(demo):
    url, key, _ = demo
    wait_for(lambda: any(d["host_id"] == "demo-attic" and d["status"] == "pending"
                         for d in http("GET", url + "/v1/devices", key=key)[1]["devices"]), what="a pending attic")
    assert "attic" not in {s["id"] for s in http("GET", url + "/v1/sensors", key=key)[1]["sensors"]}
    assert http("POST", url + "/v1/devices/demo-attic/approve", key=key)[0] == 200
    wait_for(lambda: "attic" in {s["id"] for s in http("GET", url + "/v1/sensors", key=key)[1]["sensors"]},
             timeout=60, what="the attic's readings once approved")


def test_the_web_ui_is_served(demo):
    url, _, _ = demo
    status, page = http("GET", url + "/ui/")
    assert status == 200 and "RPyMostat" in page


def test_the_attic_does_not_count_towards_the_house_temperature(demo):
    url, key, _ = demo
    wait_for(lambda: http("GET", url + "/v1/schedules/settings", key=key)[1].get("default_sensors"),
             what="the demo's default sensor weights")
    settings = http("GET", url + "/v1/schedules/settings", key=key)[1]
    assert settings["default_sensors"] == {"living-room": 2.0, "bedroom": 1.0}
