"""A real Prometheus (Debian's ``prometheus``) on loopback, its files in a temporary directory.

The ``prometheus`` fixture gives a function that starts one with a scrape
configuration and waits until ``/-/ready`` answers; every server started is
stopped at the end of the test. Without the binary the test is skipped here
and fails in CI (``CI`` set), which installs it.
"""

from __future__ import annotations

import shutil
import subprocess
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from rpymostat.testing.processes import free_port, http, stop_process, wait_for
from tests.support.requirements import requirement_missing


@dataclass
class PrometheusServer:
    directory: Path
    port: int
    process: subprocess.Popen

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        return (self.directory / "prometheus.log").read_text(errors="replace")

    def query(self, promql: str) -> list[dict[str, Any]]:
        """The result of an instant query through the HTTP API (``/api/v1/query``)."""
        status, body = http("GET", self.url + "/api/v1/query?" + urllib.parse.urlencode({"query": promql}))
        assert status == 200 and body["status"] == "success", (promql, status, body)
        return body["data"]["result"]

    def targets(self) -> list[dict[str, Any]]:
        status, body = http("GET", self.url + "/api/v1/targets")
        assert status == 200, body
        return body["data"]["activeTargets"]

    def stop(self) -> None:
        stop_process(self.process)


def prometheus_binary() -> str:
    """The server's path; skips the test here, fails it in CI, where it is missing."""
    binary = shutil.which("prometheus")
    if binary is None:
        requirement_missing("the prometheus server is not installed (apt-get install prometheus)")
    return binary


def start_prometheus(directory: Path, config: str) -> PrometheusServer:
    """Prometheus scraping as ``config`` (YAML) says, listening on a free loopback port."""
    binary = prometheus_binary()
    directory.mkdir(parents=True, exist_ok=True)
    config_file = directory / "prometheus.yml"
    config_file.write_text(config)
    port = free_port()
    with open(directory / "prometheus.log", "w") as log:
        process = subprocess.Popen(
            [binary, f"--config.file={config_file}", f"--web.listen-address=127.0.0.1:{port}",
             f"--storage.tsdb.path={directory / 'data'}"],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=directory)
    server = PrometheusServer(directory, port, process)

    def ready() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"prometheus exited with {process.returncode}:\n{server.log()}")
        try:
            return http("GET", server.url + "/-/ready")[0] == 200
        except OSError:
            return False

    try:
        wait_for(ready, timeout=30, what="prometheus to be ready")
    except BaseException:
        server.stop()
        raise
    return server


@pytest.fixture
def prometheus(tmp_path: Path) -> Iterator[Callable[[str], PrometheusServer]]:
    """``prometheus(config)`` starts a server in the test's temporary directory; all are stopped afterwards."""
    prometheus_binary()
    started: list[PrometheusServer] = []

    def start(config: str) -> PrometheusServer:
        server = start_prometheus(tmp_path / f"prometheus-{len(started)}", config)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
