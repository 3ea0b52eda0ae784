"""prometheus_client is loaded only where metrics are on: a Pi Zero without them never pays for it."""

from __future__ import annotations

import subprocess
import sys

PROGRAM = """
import sys
import rpymostat.engine.service, rpymostat.runner
import rpymostat_sensor.service, rpymostat_sensor.runner, rpymostat_sensor.config
import rpymostat_control.service, rpymostat_control.runner, rpymostat_control.config
print("prometheus_client" in sys.modules)
"""


def test_the_engine_and_the_daemons_start_without_importing_prometheus_client():
    done = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


MISSING = """
import sys
sys.modules["prometheus_client"] = None  # as if it were not installed
from twisted.internet.task import Clock
from rpymostat.config import ConfigError, EngineConfig
from rpymostat.engine.api.build import build_api
from rpymostat.engine.context import EngineContext
from rpymostat.store.sqlite import SQLiteStore
config = EngineConfig.from_environ({"RPYMOSTAT_METRICS": "on", "RPYMOSTAT_TIMEZONE": "UTC", "RPYMOSTAT_DATA_DIR": "."})
try:
    build_api(EngineContext(SQLiteStore(":memory:"), Clock(), config))
except ConfigError as exc:
    print(exc)
"""


def test_metrics_on_without_prometheus_client_say_what_to_install():
    done = subprocess.run([sys.executable, "-c", MISSING], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "RPYMOSTAT_METRICS is on" in done.stdout
    assert "pip install 'rpymostat[metrics]'" in done.stdout
