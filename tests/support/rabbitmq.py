"""A real RabbitMQ broker (Debian's ``rabbitmq-server``) on loopback, its files in a temporary directory.

The broker is slow to start (the AMQP port opens after 5–20 s), so test
modules start it once. It runs as the test's user, in its own process
group, with its own ``epmd`` on a port of its own: stopping it ends both and
touches nothing else on the machine. It can be stopped and started again
on the same files, so durable queues and persistent messages survive, as
they would a real broker restart. Missing ``rabbitmq-server`` skips the
test on a developer's machine and fails it in CI.
"""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

from rpymostat.testing.processes import accepting, free_port, wait_for
from tests.support.requirements import requirement_missing

SERVER = Path("/usr/lib/rabbitmq/bin/rabbitmq-server")
STARTUP_TIMEOUT = 90.0


class RabbitServer:
    def __init__(self, root: Path) -> None:
        if not SERVER.exists():
            requirement_missing("rabbitmq-server is not installed (apt-get install rabbitmq-server)")
        self.root = root
        self.port = free_port()
        self.env = {
            **os.environ,
            "HOME": str(root),
            "RABBITMQ_NODENAME": f"rpymostat{self.port}@localhost",
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(free_port()),
            "ERL_EPMD_ADDRESS": "127.0.0.1",
            "ERL_EPMD_PORT": str(free_port()),
            "RABBITMQ_MNESIA_BASE": str(root / "mnesia"),
            "RABBITMQ_LOG_BASE": str(root / "log"),
            "RABBITMQ_FEATURE_FLAGS_FILE": str(root / "feature_flags"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(root / "enabled_plugins"),
            "RABBITMQ_CONFIG_FILE": str(root / "rabbitmq"),
            "RABBITMQ_LOGS": "-",
        }
        (root / "enabled_plugins").write_text("[].\n")
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = root / "rabbitmq.log"

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/%2F"

    def start(self) -> RabbitServer:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen([str(SERVER)], env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, start_new_session=True)
        wait_for(self._ready, timeout=STARTUP_TIMEOUT, interval=0.2, what=f"RabbitMQ on port {self.port}")
        return self

    def _ready(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise AssertionError(f"rabbitmq-server exited with {self.process.returncode}:\n{self.log_path.read_text()}")
        return "Server startup complete" in self.log_path.read_text(errors="replace") and accepting(self.port)

    def stop(self) -> None:
        """Stop the broker (SIGTERM: a clean shutdown that keeps persistent messages) and wait for it."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        except ProcessLookupError:
            pass
        self.process = None
        wait_for(self._closed, timeout=30, what="RabbitMQ's port to close")

    def _closed(self) -> bool:
        return not accepting(self.port)

    def close(self) -> None:
        """Stop the broker and its ``epmd`` for good."""
        self.stop()
        subprocess.run(["epmd", "-kill"], env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=10, check=False)
