"""Real-time limits stay real on the demo's fast clock: signature windows and the live feed's timers."""

from __future__ import annotations

from twisted.internet.task import Clock

from rpymostat.common.timeutil import time_scale
from rpymostat.engine.api.auth import Authenticator
from rpymostat.engine.live.feed import LiveFeed
from rpymostat.sim.scaled_clock import ScaledClock


def test_an_ordinary_clock_runs_at_one_and_a_scaled_one_at_its_speed():
    assert time_scale(Clock()) == 1.0
    assert time_scale(ScaledClock(Clock(), 600)) == 600.0


def test_signature_windows_and_live_feed_timers_are_real_seconds(engine):
    fast = ScaledClock(Clock(), 600)
    assert Authenticator(engine.store, fast, 120).window == 120 * 600
    assert Authenticator(engine.store, Clock(), 120).window == 120
    feed = LiveFeed(engine.context.events, engine.store, fast)
    assert feed.settings.auth_timeout == 10.0 * 600
    assert feed.settings.heartbeat_interval == 30.0 * 600
