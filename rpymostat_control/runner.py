"""``rpymostat-control``: parse the configuration, then run the control daemon."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from rpymostat.common.running import leave_tls_unloaded
from rpymostat.common.settings import daemon_parser, print_config
from rpymostat.version import VERSION
from rpymostat_control.config import SETTINGS, ConfigError, ControlConfig


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    return daemon_parser("rpymostat-control", "Run the RPyMostat control daemon, which owns the relays. Every flag has an "
        "RPYMOSTAT_CONTROL_* environment variable; a flag wins. See --show-config.", VERSION, SETTINGS).parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        config = ControlConfig.load(os.environ, args)
    except ConfigError as exc:
        print(f"rpymostat-control: configuration error: {exc}", file=sys.stderr)
        return 2
    if args.show_config:
        print_config(config.describe(os.environ), sys.stdout)
        return 0
    if not config.relays:
        print("rpymostat-control: configuration error: RPYMOSTAT_CONTROL_RELAYS: no relays declared; "
              "give at least one as name=pin, e.g. heat=17,cool=27,fan=22!", file=sys.stderr)
        return 2

    if not (config.engine_url or "").startswith("https://"):
        leave_tls_unloaded()

    from twisted.internet import reactor

    from rpymostat.common.logs import start_logging
    from rpymostat.common.running import run_service
    from rpymostat_control.service import make_service

    start_logging(args.verbose)
    return run_service(reactor, make_service(config, reactor), "The control daemon")


if __name__ == "__main__":
    sys.exit(main())
