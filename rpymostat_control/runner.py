"""``rpymostat-control``: parse the configuration, then run the control daemon."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from rpymostat.common.running import run_daemon
from rpymostat.common.settings import daemon_parser
from rpymostat.version import VERSION
from rpymostat_control.config import SETTINGS, ConfigError, ControlConfig


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    return daemon_parser("rpymostat-control", "Run the RPyMostat control daemon, which owns the relays. Every flag has an "
        "RPYMOSTAT_CONTROL_* environment variable; a flag wins. See --show-config.", VERSION, SETTINGS).parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    return run_daemon("rpymostat-control", parse_args(sys.argv[1:] if argv is None else argv), ControlConfig.load,
                      _service, "The control daemon", check=_relays_declared)


def _relays_declared(config: ControlConfig) -> None:
    if not config.relays:
        raise ConfigError("RPYMOSTAT_CONTROL_RELAYS: no relays declared; "
                          "give at least one as name=pin, e.g. heat=17,cool=27,fan=22!")


def _service(config: ControlConfig, reactor: Any) -> Any:
    from rpymostat_control.service import make_service

    return make_service(config, reactor)


if __name__ == "__main__":
    sys.exit(main())
