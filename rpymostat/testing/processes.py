"""Running the real console scripts as processes, and waiting for them with deadlines."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def accepting(port: int, host: str = "127.0.0.1") -> bool:
    """Whether something on ``host`` accepts TCP connections on ``port`` (a server that is up)."""
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def stop_process(process: subprocess.Popen[Any] | None, timeout: float = 20.0) -> None:
    """Ask a server process to stop (SIGTERM) and wait; kill it if it is still there after ``timeout`` seconds."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def wait_for(condition: Callable[[], Any], timeout: float = 20.0, interval: float = 0.05, what: str = "condition"):
    """Poll until ``condition()`` is truthy; return its value or fail at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def http(method: str, url: str, body: Any = None, key: str | None = None,
         headers: dict[str, str] | None = None, raw: bytes | None = None) -> tuple[int, Any]:
    """One HTTP request from a test process; (status, decoded JSON or text)."""
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    all_headers = dict(headers or {})
    if data is not None:
        all_headers.setdefault("Content-Type", "application/json")
    if key:
        all_headers["Authorization"] = f"Bearer {key}"
    request = urllib.request.Request(url, data=data, method=method, headers=all_headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, text = response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        status, text = exc.code, exc.read().decode()
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text


@dataclass
class EngineProcess:
    """``rpymostat-engine`` in a child process with its own data directory."""

    data_dir: Path
    port: int
    env: dict[str, str]
    process: subprocess.Popen | None = None
    log_path: Path | None = None

    @classmethod
    def prepare(cls, data_dir: Path, **extra_env: str) -> EngineProcess:
        port = free_port()
        env = {
            **os.environ,
            "RPYMOSTAT_DB_URI": f"sqlite:///{data_dir}/engine.sqlite",
            "RPYMOSTAT_DATA_DIR": str(data_dir),
            "RPYMOSTAT_HOST": "127.0.0.1",
            "RPYMOSTAT_PORT": str(port),
            "RPYMOSTAT_DISCOVERY": "off",
            **extra_env,
        }
        return cls(data_dir, port, env)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, *args: str) -> EngineProcess:
        self.log_path = self.data_dir / f"engine-{time.monotonic_ns()}.log"
        log = open(self.log_path, "w")
        self.process = subprocess.Popen([str(BIN / "rpymostat-engine"), *args], env=self.env,
                                        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        wait_for(self._up, what=f"the engine on port {self.port}")
        return self

    def _up(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise AssertionError(f"engine exited with {self.process.returncode}:\n{self.log()}")
        try:
            return http("GET", self.url + "/v1/status")[0] == 200
        except OSError:
            return False

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path else ""

    def stop(self, sig: int = 15, timeout: float = 20.0) -> int:
        assert self.process is not None
        self.process.send_signal(sig)
        code = self.process.wait(timeout=timeout)
        self.process = None
        return code

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


def run_script(name: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / name), *args], env=env, capture_output=True, text=True, timeout=60)
