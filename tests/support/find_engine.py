"""Browse for RPyMostat engines and print every change, for end-to-end tests.

Usage: ``python find_engine.py INTERFACE_ADDRESS``. Prints ``browsing`` once
the browser runs, then ``engine <base URL>`` (or ``engine none``) each time
the engine it follows changes, until SIGTERM.
"""

from __future__ import annotations

import sys

from twisted.internet import defer, task

from rpymostat.common.discovery import ZeroconfLocator


async def browse(reactor: object, interface: str) -> None:
    locator = ZeroconfLocator(reactor, [interface])
    locator.on_change(lambda url: print(f"engine {url or 'none'}", flush=True))
    await locator.start()
    print("browsing", flush=True)
    reactor.addSystemEventTrigger("before", "shutdown", locator.stop)  # type: ignore[attr-defined]
    await defer.Deferred()


def main(argv: list[str]) -> None:
    task.react(lambda reactor: defer.ensureDeferred(browse(reactor, argv[1])))


if __name__ == "__main__":
    main(sys.argv)
