"""Running a service under the reactor until SIGTERM, the same way for every console script.

The engine, both daemons and the demo start their service once the reactor
runs, turn a failed start into exit code 1, and stop the service (relays
off, spools closed) before the reactor shuts down. Here, in the device
toolkit, so a daemon runs without importing the engine's runner.
"""

from __future__ import annotations

import sys


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
