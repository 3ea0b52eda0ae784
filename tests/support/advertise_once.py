"""Advertise one RPyMostat engine until SIGTERM, for end-to-end discovery tests.

Usage: ``python advertise_once.py INTERFACE_ADDRESS PORT [NAME]``. Prints
``advertising <service name>`` once registered; on SIGTERM it withdraws the
service (goodbye packets) before exiting, as the engine does.
"""

from __future__ import annotations

import sys

from twisted.internet import defer, task

from rpymostat.common.discovery import ServiceAdvertiser


async def advertise(reactor: object, interface: str, port: int, name: str | None) -> None:
    advertiser = ServiceAdvertiser(reactor, name, port, None, [interface])
    registered = await advertiser.start()
    print(f"advertising {registered}", flush=True)
    reactor.addSystemEventTrigger("before", "shutdown", advertiser.stop)  # type: ignore[attr-defined]
    await defer.Deferred()


def main(argv: list[str]) -> None:
    interface, port = argv[1], int(argv[2])
    name = argv[3] if len(argv) > 3 else None
    task.react(lambda reactor: defer.ensureDeferred(advertise(reactor, interface, port, name)))


if __name__ == "__main__":
    main(sys.argv)
