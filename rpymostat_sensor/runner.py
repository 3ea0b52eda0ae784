"""``rpymostat-sensor``: parse the configuration, then run the daemon until SIGTERM."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from rpymostat.common.running import run_daemon
from rpymostat.common.settings import daemon_parser
from rpymostat.version import VERSION
from rpymostat_sensor.config import SETTINGS, SensorConfig


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    return daemon_parser("rpymostat-sensor", "Read this host's temperature sensors and deliver the readings to the RPyMostat engine. "
        "Every setting is an RPYMOSTAT_SENSOR_* variable or the flag below; see --show-config.", VERSION, SETTINGS).parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    return run_daemon("rpymostat-sensor", parse_args(sys.argv[1:] if argv is None else argv), SensorConfig.load,
                      _service, "rpymostat-sensor")


def _service(config: SensorConfig, reactor: Any) -> Any:
    from rpymostat_sensor.service import make_service

    return make_service(config, reactor)


if __name__ == "__main__":
    sys.exit(main())
