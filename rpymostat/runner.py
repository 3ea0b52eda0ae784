"""``rpymostat-engine``: parse the configuration, then run the engine service."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from rpymostat.common.running import configured
from rpymostat.config import EngineConfig
from rpymostat.version import VERSION

#: Installed by ``rpymostat[engine]`` only, so that a sensor or control Pi does without them.
ENGINE_LIBRARIES = ("klein", "treq", "jsonschema", "croniter", "autobahn")


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
    config = configured("rpymostat-engine", args, lambda environ, args: EngineConfig.from_environ(environ))
    if isinstance(config, int):
        return config

    try:
        from rpymostat.engine.service import make_service
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] not in ENGINE_LIBRARIES:
            raise
        print(f"rpymostat-engine: the engine's dependencies are not installed ({exc}); install them with: "
              "pip install 'rpymostat[engine]'", file=sys.stderr)
        return 2
    from twisted.internet import reactor

    from rpymostat.common.logs import start_logging
    from rpymostat.common.running import run_service

    start_logging(args.verbose)
    return run_service(reactor, make_service(config, reactor))


if __name__ == "__main__":
    sys.exit(main())
