"""The engine service resolves the timeline before it serves and stops its timer when it stops."""

from __future__ import annotations

import pytest_twisted
from twisted.internet import reactor

from rpymostat.engine.service import make_service
from tests.support.engine import engine_config


@pytest_twisted.ensureDeferred
async def test_the_engine_starts_and_stops_its_timeline(tmp_path):
    service = make_service(engine_config(tmp_path, port=0, host="127.0.0.1"), reactor)
    await service.startService()
    try:
        timeline = service.timeline
        now = reactor.seconds()
        assert timeline.current_instruction(now).source == "default"
        assert timeline.rules.settings.paused is False
    finally:
        await service.stopService()
    assert not [call for call in reactor.getDelayedCalls() if getattr(call.func, "__self__", None) is timeline]
