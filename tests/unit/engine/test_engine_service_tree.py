"""The engine is one service tree: parts start in order, stop in reverse, and a failed start leaves nothing running."""

from __future__ import annotations

import pytest
import pytest_twisted
import treq
from twisted.internet import reactor
from twisted.internet.error import CannotListenError
from twisted.internet.protocol import Factory
from twisted.internet.task import Clock

from rpymostat.engine.service import make_service
from tests.support.engine import START, engine_config


def names(service) -> list[str]:
    """The tree's part names, depth first, in start order."""
    found = []
    for child in service:
        found.append(child.name)
        if hasattr(child, "__iter__"):
            found.extend(names(child))
    return found


@pytest_twisted.ensureDeferred
async def test_the_parts_start_in_order_and_the_engine_serves_then_stops_everything(tmp_path):
    clock = Clock()
    clock.advance(START)
    service = make_service(engine_config(tmp_path, port=0, host="127.0.0.1"), reactor, clock)
    await service.startService()
    try:
        assert names(service) == [None, "history maintenance", "first admin key", "exports", "timeline", "reactions", "deciding", None,
                                  "http", "serving", "relay commands", "decision loop"]
        response = await treq.get(f"http://127.0.0.1:{service.port_number}/v1/status")
        assert response.code == 200
        await response.content()
        assert clock.getDelayedCalls()
    finally:
        await service.stopService()
    assert clock.getDelayedCalls() == []
    assert service.context is None and not service.running


@pytest_twisted.ensureDeferred
async def test_an_engine_that_cannot_listen_stops_every_part_it_started(tmp_path):
    taken = reactor.listenTCP(0, Factory(), interface="127.0.0.1")
    clock = Clock()
    clock.advance(START)
    service = make_service(engine_config(tmp_path, port=taken.getHost().port, host="127.0.0.1"), reactor, clock)
    try:
        with pytest.raises(CannotListenError):
            await service.startService()
    finally:
        await taken.stopListening()
    assert clock.getDelayedCalls() == []
    assert service.context is None and not service.running
    await service.stopService()  # what the runner does at shutdown: nothing is stopped twice
