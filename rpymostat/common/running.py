"""Running a service under the reactor until SIGTERM, the same way for every console script.

The engine and both daemons read their configuration and answer
``--show-config`` the same way (:func:`configured`); both daemons then
start the same way too (:func:`run_daemon`). The engine, both daemons and
the demo start their service once the reactor runs, turn a failed start
into exit code 1, and stop the service (relays off, spools closed) before
the reactor shuts down. Here, in the device toolkit, so a daemon runs
without importing the engine's runner.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol, TypeVar

from rpymostat.common.settings import ConfigError, print_config


class Described(Protocol):
    """A configuration that ``--show-config`` can print."""

    def describe(self, environ: Mapping[str, str]) -> Sequence[Mapping[str, str]]: ...


class DaemonConfig(Described, Protocol):
    """What :func:`run_daemon` needs of a daemon's configuration."""

    @property
    def engine_url(self) -> str | None: ...


Config = TypeVar("Config", bound=Described)
Daemon = TypeVar("Daemon", bound=DaemonConfig)


def configured(prog: str, args: argparse.Namespace, load: Callable[[Mapping[str, str], argparse.Namespace], Config],
               check: Callable[[Config], None] = lambda config: None) -> Config | int:
    """The configuration to run with, or the exit code when there is nothing to run.

    The configuration comes from the environment and ``args`` (``load``),
    then ``check`` may refuse it; a refusal is one line on stderr and exit
    code 2. ``--show-config`` prints it (unchecked: it is how to find out
    what to fix) and exits 0.
    """
    try:
        config = load(os.environ, args)
        if not args.show_config:
            check(config)
    except ConfigError as exc:
        print(f"{prog}: configuration error: {exc}", file=sys.stderr)
        return 2
    if args.show_config:
        print_config(config.describe(os.environ), sys.stdout)
        return 0
    return config


def run_daemon(prog: str, args: argparse.Namespace, load: Callable[[Mapping[str, str], argparse.Namespace], Daemon],
               build: Callable[[Daemon, Any], Any], what: str,
               check: Callable[[Daemon], None] = lambda config: None) -> int:
    """A daemon's whole console script once its flags are parsed; returns the exit code.

    After :func:`configured`, TLS stays unloaded unless the engine is
    reached over ``https://``; only then are Twisted's reactor and the
    daemon's service (``build(config, reactor)``, which should import the
    service module itself) loaded and run.
    """
    config = configured(prog, args, load, check)
    if isinstance(config, int):
        return config
    if not (config.engine_url or "").startswith("https://"):
        leave_tls_unloaded()

    from twisted.internet import reactor

    from rpymostat.common.logs import start_logging

    start_logging(args.verbose)
    return run_service(reactor, build(config, reactor), what)


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


def leave_tls_unloaded() -> None:
    """Keep pyOpenSSL (and cryptography) out of a daemon that speaks plain HTTP.

    Twisted's web client and server load TLS support when they can; on a Pi
    Zero that is about 13 MB of a 512 MB machine for nothing, since the
    engine found by DNS-SD and the control daemon's own API are plain HTTP on
    the LAN. Call it before Twisted is imported; a daemon given an
    ``https://`` engine URL does not call it, and loads TLS as usual.
    """
    sys.modules.setdefault("OpenSSL", None)  # type: ignore[arg-type]
