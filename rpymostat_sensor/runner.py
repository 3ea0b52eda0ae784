"""``rpymostat-sensor``: parse the configuration, then run the daemon until SIGTERM."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from rpymostat.common.running import leave_tls_unloaded
from rpymostat.common.settings import daemon_parser, print_config
from rpymostat.version import VERSION
from rpymostat_sensor.config import SETTINGS, ConfigError, SensorConfig


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    return daemon_parser("rpymostat-sensor", "Read this host's temperature sensors and deliver the readings to the RPyMostat engine. "
        "Every setting is an RPYMOSTAT_SENSOR_* variable or the flag below; see --show-config.", VERSION, SETTINGS).parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        config = SensorConfig.load(os.environ, args)
    except ConfigError as exc:
        print(f"rpymostat-sensor: configuration error: {exc}", file=sys.stderr)
        return 2
    if args.show_config:
        print_config(config.describe(os.environ), sys.stdout)
        return 0
    if not (config.engine_url or "").startswith("https://"):
        leave_tls_unloaded()

    from twisted.internet import reactor

    from rpymostat.common.logs import start_logging
    from rpymostat.common.running import run_service
    from rpymostat_sensor.service import make_service

    start_logging(args.verbose)
    return run_service(reactor, make_service(config, reactor), "rpymostat-sensor")


if __name__ == "__main__":
    sys.exit(main())
