"""What the engine may take for granted about a relay whose control daemon has gone quiet.

A daemon turns every relay off when nothing valid has come from the engine
for its failsafe time, and every command the engine sends it is answered.
So a relay whose daemon has not been heard from (a report, or an answer to
a command) for longer than that daemon's failsafe time is off, whatever it
last reported: its failsafe saw to it, or the daemon (or its host's power)
is gone with it. The interlock then counts it as off, so a cooling relay on
a dead daemon never holds the furnace off, frost protection included.

One case is kept apart: a command that may have reached the daemon without
its answer reaching the engine (it timed out, or was answered with an
error) fed the daemon's failsafe, so the time counts from when it was sent
for any relay it asked to be on. A command that could not even connect
reached nobody.
"""

from __future__ import annotations

from typing import Any

#: The failsafe time of a daemon that has not said its own (the daemon's default, RPYMOSTAT_CONTROL_FAILSAFE).
DEFAULT_FAILSAFE = 180.0


def failsafe_of(host: dict[str, Any] | None) -> float:
    """A daemon's failsafe time as it last reported it, or :data:`DEFAULT_FAILSAFE`."""
    timeout = None if host is None else host.get("failsafe_timeout")
    return DEFAULT_FAILSAFE if timeout is None else float(timeout)


def known_off_from(relay: dict[str, Any], failsafe: float, on_sent_at: float | None = None) -> float:
    """From when the relay is off for certain, if its daemon is not heard from before.

    ``on_sent_at`` is when a command asking it to be on was last sent
    without a usable answer (it may have fed the failsafe).
    """
    last_fed = max(relay["reported_at"], float("-inf") if on_sent_at is None else on_sent_at)
    return last_fed + failsafe


def with_liveness(relay: dict[str, Any], failsafe: float, now: float, on_sent_at: float | None = None) -> dict[str, Any]:
    """The relay with ``failsafe_off``: whether its daemon's failsafe has turned it off by ``now``."""
    return {**relay, "failsafe_off": now > known_off_from(relay, failsafe, on_sent_at)}
