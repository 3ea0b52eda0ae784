"""A real InfluxDB 1.x server (Debian's ``influxd``) on loopback, its files in a temporary directory.

It can be stopped and started again on the same files and ports, so a test
sees what an export does while the database is away. Missing ``influxd``
skips the test on a developer's machine and fails it in CI.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from rpymostat.testing.processes import free_port, stop_process, wait_for
from tests.support.requirements import requirement_missing

STARTUP_TIMEOUT = 60.0


class InfluxServer:
    """``influxd`` with its meta, data and WAL directories under ``root``."""

    def __init__(self, root: Path) -> None:
        binary = shutil.which("influxd")
        if binary is None:
            requirement_missing("influxd is not installed (apt-get install influxdb)")
        self.binary = str(binary)
        self.root = root
        self.port = free_port()
        self.config = root / "influxdb.conf"
        self.config.write_text(
            f'bind-address = "127.0.0.1:{free_port()}"\n'
            "reporting-disabled = true\n"
            f'[meta]\n  dir = "{root / "meta"}"\n'
            f'[data]\n  dir = "{root / "data"}"\n  wal-dir = "{root / "wal"}"\n'
            f'[http]\n  bind-address = "127.0.0.1:{self.port}"\n  log-enabled = false\n'
        )
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = root / "influxd.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> InfluxServer:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen([self.binary, "-config", str(self.config)], stdout=log,
                                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        wait_for(self._ready, timeout=STARTUP_TIMEOUT, interval=0.1, what=f"influxd on port {self.port}")
        return self

    def _ready(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise AssertionError(f"influxd exited with {self.process.returncode}:\n{self.log_path.read_text()}")
        try:
            with urllib.request.urlopen(self.url + "/ping", timeout=2) as response:
                return response.status == 204
        except OSError:
            return False

    def stop(self) -> None:
        stop_process(self.process)
        self.process = None

    def query(self, q: str, db: str | None = None) -> dict[str, Any]:
        """Run InfluxQL (POST /query, so statements that change the database work too); the decoded answer."""
        fields = {"q": q, "epoch": "ms", **({"db": db} if db else {})}
        request = urllib.request.Request(self.url + "/query", data=urllib.parse.urlencode(fields).encode(),
                                         method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def rows(self, q: str, db: str) -> list[list[Any]]:
        """The values of the first series a SELECT returned (empty when none)."""
        result = self.query(q, db)["results"][0]
        if "error" in result:
            raise AssertionError(result["error"])
        series = result.get("series") or []
        return series[0]["values"] if series else []

    def __enter__(self) -> InfluxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

