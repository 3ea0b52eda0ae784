"""``rpymostat-sensor``: parse the configuration, then run the daemon until SIGTERM."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from rpymostat.common.settings import daemon_parser, print_config
from rpymostat.version import VERSION
from rpymostat_sensor.config import SETTINGS, ConfigError, SensorConfig


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    return daemon_parser("rpymostat-sensor", "Read this host's temperature sensors and deliver the readings to the RPyMostat engine. "
        "Every setting is an RPYMOSTAT_SENSOR_* variable or the flag below; see --show-config.", VERSION, SETTINGS).parse_args(argv)


def leave_tls_unloaded() -> None:
    """Keep pyOpenSSL (and cryptography) out of a daemon that speaks plain HTTP.

    Twisted loads TLS support with its reactor when it can; on a Pi Zero
    that is about 12 MB of a 512 MB machine for nothing, since the engine
    found by DNS-SD is plain HTTP on the LAN. With ``RPYMOSTAT_ENGINE_URL``
    set to an ``https://`` URL, TLS is loaded as usual.
    """
    sys.modules.setdefault("OpenSSL", None)  # type: ignore[arg-type]


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

    from rpymostat.logs import start_logging
    from rpymostat.runner import run_service
    from rpymostat_sensor.service import make_service

    start_logging(args.verbose)
    return run_service(reactor, make_service(config, reactor), "rpymostat-sensor")


if __name__ == "__main__":
    sys.exit(main())
