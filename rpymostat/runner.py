"""``rpymostat-engine``: parse the configuration, then run the engine service."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from rpymostat.common.settings import print_config
from rpymostat.config import ConfigError, EngineConfig
from rpymostat.version import VERSION


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="rpymostat-engine",
        description="Run the RPyMostat engine. It is configured by RPYMOSTAT_* environment variables; "
        "see --show-config.",
    )
    parser.add_argument("--show-config", action="store_true",
                        help="print every RPYMOSTAT_* variable with its value, default and description, then exit")
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="more log output (-v: debug, -vv: also Twisted's own messages)")
    parser.add_argument("--version", action="version", version=f"rpymostat {VERSION}")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        config = EngineConfig.from_environ(os.environ)
    except ConfigError as exc:
        print(f"rpymostat-engine: configuration error: {exc}", file=sys.stderr)
        return 2
    if args.show_config:
        print_config(config.describe(os.environ), sys.stdout)
        return 0

    from twisted.internet import reactor

    from rpymostat.engine.service import make_service
    from rpymostat.logs import start_logging

    start_logging(args.verbose)
    return run_service(reactor, make_service(config, reactor))


def run_service(reactor, service, what: str = "The engine") -> int:  # type: ignore[no-untyped-def]
    """Start the service tree once the reactor runs; stop it on SIGTERM/SIGINT; return the exit code.

    Every console script runs its service this way; a tree's
    ``startService`` returns the Deferred that reports a failed start
    (after which the tree has already stopped what it started).
    """
    from twisted.logger import Logger

    log = Logger(namespace="rpymostat.runner")
    outcome = {"code": 0}

    def failed(failure):  # type: ignore[no-untyped-def]
        log.failure("{what} could not start", failure, what=what)
        outcome["code"] = 1
        if reactor.running:
            reactor.stop()

    def start() -> None:
        d = service.startService()
        if d is not None:
            d.addErrback(failed)

    reactor.callWhenRunning(start)
    reactor.addSystemEventTrigger("before", "shutdown", service.stopService)
    reactor.run()
    return outcome["code"]


if __name__ == "__main__":
    sys.exit(main())
