"""Hundreds of idle connections from one address cannot use up the engine's file descriptors.

The engine process runs with a low descriptor limit (as an unconfigured
service would, scaled down); a second address (127.0.0.2) opens far more
connections than that limit allows and leaves them silent, and a normal
client on 127.0.0.1 must still be answered.
"""

from __future__ import annotations

import errno
import resource
import socket
from collections.abc import Iterator

import pytest

from rpymostat.testing.processes import EngineProcess, http

pytestmark = pytest.mark.slow

FILE_LIMIT = 256
ATTACKING_CONNECTIONS = 400


@pytest.fixture
def engine(tmp_path) -> Iterator[EngineProcess]:
    process = EngineProcess.prepare(tmp_path)
    process.start()
    yield process
    process.kill()


def open_silent_connections(port: int, count: int) -> list[socket.socket]:
    """Non-blocking connects from 127.0.0.2, so a full backlog cannot stall the test."""
    opened = []
    for _ in range(count):
        sock = socket.socket()
        sock.setblocking(False)
        sock.bind(("127.0.0.2", 0))
        assert sock.connect_ex(("127.0.0.1", port)) in (0, errno.EINPROGRESS)
        opened.append(sock)
    return opened


def test_a_flood_of_silent_connections_from_one_address_leaves_the_engine_serving_others(engine):
    assert engine.process is not None
    resource.prlimit(engine.process.pid, resource.RLIMIT_NOFILE, (FILE_LIMIT, FILE_LIMIT))
    flood = open_silent_connections(engine.port, ATTACKING_CONNECTIONS)
    try:
        assert http("GET", engine.url + "/v1/status")[0] == 200
        assert http("GET", engine.url + "/v1/status")[0] == 200
    finally:
        for sock in flood:
            sock.close()
    assert engine.process.poll() is None, engine.log()
