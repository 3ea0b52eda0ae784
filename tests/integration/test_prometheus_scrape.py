"""Issue 13 item 2: a real Prometheus scrapes a real engine (with a read key) and both daemons.

Real processes throughout: ``rpymostat-engine`` with ``RPYMOSTAT_METRICS=on``,
``rpymostat-sensor`` reading its simulated source and ``rpymostat-control``
with simulated relays, each with a metrics port, and Debian's
``prometheus`` on loopback, configured with the scrape configuration of
the docs page (only hosts, ports and the key file changed, and a one-second
scrape interval added). Every PromQL query of that page is then asked of
Prometheus's HTTP API and must return series, among them the sensor's
temperature.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from rpymostat.testing.processes import BIN, EngineProcess, free_port, http, run_script, wait_for
from tests.support.docs_examples import DOCS, example_source
from tests.support.prometheus_server import prometheus  # noqa: F401 -- the fixture

pytestmark = pytest.mark.slow

PAGE = "integrations_prometheus.rst"
HOST_ID = "living-room-pi"
SENSOR = f"{HOST_ID}-sim"
CONTROL_HOST_ID = "boiler-pi"


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[EngineProcess]:
    process = EngineProcess.prepare(tmp_path / "engine", RPYMOSTAT_METRICS="on")
    process.data_dir.mkdir()
    yield process.start()
    process.kill()


@pytest.fixture
def sensor_daemon(tmp_path: Path, engine: EngineProcess) -> Iterator[int]:
    """A sensor daemon with a pre-shared secret; yields its metrics port."""
    secret = run_script("rpymostat-keys", "device", HOST_ID, env=engine.env).stdout.strip()
    directory = tmp_path / "sensor"
    yield from _daemon("rpymostat-sensor", directory, {
        "RPYMOSTAT_ENGINE_URL": engine.url, "RPYMOSTAT_SENSOR_HOST_ID": HOST_ID, "RPYMOSTAT_SENSOR_SECRET": secret,
        "RPYMOSTAT_SENSOR_SOURCES": "sim", "RPYMOSTAT_SENSOR_INTERVAL": "2",
        "RPYMOSTAT_SENSOR_SPOOL": str(directory / "spool.sqlite"),
        "RPYMOSTAT_SENSOR_SECRET_FILE": str(directory / "device-secret"),
    }, "RPYMOSTAT_SENSOR_METRICS_PORT")


@pytest.fixture
def control_daemon(tmp_path: Path, engine: EngineProcess) -> Iterator[int]:
    """A control daemon with simulated relays and a pre-shared secret; yields its metrics port."""
    secret = run_script("rpymostat-keys", "device", CONTROL_HOST_ID, "--kind", "control", env=engine.env).stdout.strip()
    directory = tmp_path / "control"
    yield from _daemon("rpymostat-control", directory, {
        "RPYMOSTAT_ENGINE_URL": engine.url, "RPYMOSTAT_CONTROL_HOST_ID": CONTROL_HOST_ID,
        "RPYMOSTAT_CONTROL_SECRET": secret, "RPYMOSTAT_CONTROL_BACKEND": "sim",
        "RPYMOSTAT_CONTROL_RELAYS": "heat=17,cool=27,fan=22", "RPYMOSTAT_CONTROL_HOST": "127.0.0.1",
        "RPYMOSTAT_CONTROL_PORT": str(free_port()), "RPYMOSTAT_CONTROL_SPOOL": str(directory / "spool.sqlite"),
        "RPYMOSTAT_CONTROL_SECRET_FILE": str(directory / "device-secret"),
    }, "RPYMOSTAT_CONTROL_METRICS_PORT")


def _daemon(script: str, directory: Path, settings: dict[str, str], metrics_variable: str) -> Iterator[int]:
    port = free_port()
    directory.mkdir()
    log_path = directory / "daemon.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen([str(BIN / script)], env={**os.environ, **settings, metrics_variable: str(port)},
                                   stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        wait_for(lambda: _answers(f"http://127.0.0.1:{port}/metrics", process, log_path),
                 what=f"the metrics listener of {script}")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=20)


def _answers(url: str, process: subprocess.Popen, log: Path) -> bool:
    if process.poll() is not None:
        raise AssertionError(f"the daemon exited with {process.returncode}:\n{log.read_text()}")
    try:
        return http("GET", url)[0] == 200
    except OSError:
        return False


def promql_examples() -> list[str]:
    names = re.findall(r"^   :name: (promql-[a-z-]+)$", (DOCS / PAGE).read_text(encoding="utf-8"), re.M)
    assert len(names) >= 5
    return [example_source(PAGE, name).strip() for name in names]


def test_prometheus_scrapes_the_engine_with_a_key_and_both_daemons(
        prometheus, tmp_path, engine, sensor_daemon, control_daemon):  # noqa: F811 -- the fixture
    admin = (engine.data_dir / "admin-key").read_text().strip()
    key_file = tmp_path / "rpymostat.key"
    key_file.write_text(run_script("rpymostat-keys", "create", "--role", "read", "--name", "prometheus",
                                   env=engine.env).stdout.strip())
    assert http("GET", engine.url + "/metrics")[0] == 401
    assert http("POST", engine.url + "/v1/overrides", {"start": "now", "mode": "heat", "heat_setpoint": 21.5},
                key=admin)[0] == 201
    wait_for(lambda: len(http("GET", engine.url + "/v1/relays", key=admin)[1]["relays"]) == 3,
             what="the control daemon's relays at the engine")
    assert http("PUT", engine.url + f"/v1/relays/{CONTROL_HOST_ID}:fan/state", {"on": True}, key=admin)[0] == 200
    scrape = example_source(PAGE, "prometheus-scrape-config")
    scrape = (scrape.replace("/etc/prometheus/rpymostat.key", str(key_file))
              .replace("thermostat.local:8088", f"127.0.0.1:{engine.port}")
              .replace("living-room-pi.local:9101", f"127.0.0.1:{sensor_daemon}")
              .replace("boiler-pi.local:9102", f"127.0.0.1:{control_daemon}"))
    server = prometheus("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n" + scrape)

    def all_up() -> bool:
        targets = server.targets()
        return len(targets) == 3 and all(t["health"] == "up" for t in targets)

    wait_for(all_up, timeout=30, what="all three targets up")
    temperature = wait_for(lambda: server.query(f'rpymostat_sensor_temperature_celsius{{sensor="{SENSOR}"}}'),
                           timeout=30, what="the sensor's temperature in Prometheus")
    assert temperature[0]["metric"]["host"] == HOST_ID
    assert temperature[0]["metric"]["job"] == "rpymostat-engine"
    assert 5.0 < float(temperature[0]["value"][1]) < 35.0
    for query in promql_examples():
        wait_for(lambda query=query: server.query(query), timeout=30, what=f"series for {query}")
    assert float(server.query('rpymostat_target_celsius{kind="heat"}')[0]["value"][1]) == 21.5
    assert server.query("rpymostat_sensor_readings_delivered_total")[0]["metric"]["job"] == "rpymostat-sensors"
    switched = server.query(f'rpymostat_control_relay_events_total{{relay="{CONTROL_HOST_ID}:fan",kind="change"}}')
    assert switched[0]["metric"]["job"] == "rpymostat-control" and float(switched[0]["value"][1]) >= 1
