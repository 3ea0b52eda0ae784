"""The two baseline processes of ``benchmarks.sensor_footprint``, kept apart so that they load only what they need.

Their memory is the yardstick for the daemon's, so this module imports
nothing at module level beyond ``sys`` and ``json``: not psutil, not the
benchmark's helpers, not ``rpymostat``. Both leave TLS (pyOpenSSL)
unloaded, as the daemon does for a plain-HTTP engine
(``rpymostat_sensor.runner.leave_tls_unloaded``).

``python -m benchmarks.sensor_baselines bare-reactor`` runs Twisted's
reactor doing nothing and prints ``running`` once it runs.
``python -m benchmarks.sensor_baselines bare-client`` reads its spec
(``url``, ``key``, ``host_id``, ``w1_path``, ``interval``) as JSON on stdin.
"""

from __future__ import annotations

import json
import sys
from typing import Any


def leave_tls_unloaded() -> None:
    sys.modules.setdefault("OpenSSL", None)  # type: ignore[arg-type]


def serve_bare_reactor() -> int:
    """The floor of any Twisted daemon: the interpreter and the reactor, nothing scheduled."""
    leave_tls_unloaded()
    from twisted.internet import reactor

    reactor.callWhenRunning(lambda: print("running", flush=True))  # type: ignore[attr-defined]
    reactor.run()  # type: ignore[attr-defined]
    return 0


def run_bare_client(spec: dict[str, Any]) -> int:
    """The least a Twisted daemon can spend on the daemon's readings.

    Every interval, read each sensor's ``t=`` and PUT them all in one
    seed-shaped update over one kept-alive connection, as the daemon does;
    no spool, no signing. The one retry is the one no client can do
    without: the engine closes a connection after 60 s idle, so at a 60 s
    interval a request sometimes meets a connection being closed; it is
    sent again at once on a new one, and ``retried`` is printed (the
    benchmark counts those lines). Any other failure, or any answer but
    201, stops it with exit code 1, so the benchmark fails rather than
    measure a client that delivers nothing.
    """
    leave_tls_unloaded()
    from pathlib import Path

    import treq
    from twisted.internet import reactor
    from twisted.internet.task import LoopingCall
    from twisted.web.client import HTTPConnectionPool, RequestTransmissionFailed, ResponseNeverReceived

    pool = HTTPConnectionPool(reactor, persistent=True)
    pool.maxPersistentPerHost = 1
    devices = Path(spec["w1_path"])
    url = spec["url"] + "/v1/sensors/update"
    headers: dict[bytes | str, bytes | str] = {"Authorization": f"Bearer {spec['key']}",
                                               "Content-Type": "application/json"}
    failures: list[str] = []

    def millidegrees(slave: Path) -> int:
        return int((slave / "w1_slave").read_text().rsplit("t=", 1)[1])

    def deliver() -> Any:
        sensors = {slave.name.split("-", 1)[1]: {"type": "DS18B20", "value": millidegrees(slave) / 1000}
                   for slave in sorted(devices.glob("28-*"))}
        body = json.dumps({"host_id": spec["host_id"], "sensors": sensors}).encode()
        sent = treq.put(url, data=body, headers=headers, pool=pool)
        return sent.addErrback(again, body).addCallback(check)

    def again(failure: Any, body: bytes) -> Any:
        failure.trap(RequestTransmissionFailed, ResponseNeverReceived)
        print(f"retried: {failure.value!r}", flush=True)
        return treq.put(url, data=body, headers=headers, pool=pool)

    def check(response: Any) -> Any:
        if response.code != 201:
            raise RuntimeError(f"the engine answered {response.code}")
        return treq.content(response)

    def failed(failure: Any) -> None:
        failures.append(failure.getTraceback())
        print(failures[-1], file=sys.stderr, flush=True)
        reactor.stop()  # type: ignore[attr-defined]

    LoopingCall(deliver).start(spec["interval"]).addErrback(failed)
    reactor.run()  # type: ignore[attr-defined]
    return 1 if failures else 0


def main(argv: list[str]) -> int:
    if argv == ["bare-reactor"]:
        return serve_bare_reactor()
    if argv == ["bare-client"]:
        return run_bare_client(json.load(sys.stdin))
    print("usage: python -m benchmarks.sensor_baselines bare-reactor | bare-client < spec.json", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
