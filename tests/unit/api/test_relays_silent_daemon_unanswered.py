"""A command that may have reached a daemon without its answer coming back still fed that daemon's failsafe.

So a relay it asked to be on counts as off only a failsafe time after that
command, not after the daemon was last heard from. The two daemons are the
small fakes of :mod:`test_relays_switching_order`; the air conditioner's
holds its answers until the commander gives up on them, then fails.
"""

from __future__ import annotations

import pytest_twisted

from rpymostat.engine.relays.commander import COMMAND_TIMEOUT, RelayCommander
from rpymostat.engine.relays.liveness import DEFAULT_FAILSAFE
from rpymostat.engine.relays.registry import RelayRegistry
from tests.unit.api.test_relays_switching_order import COOL, HEAT, house  # noqa: F401 - the fixture
from tests.unit.control.daemon_harness import eventually

__all__ = ["house"]


@pytest_twisted.ensureDeferred
async def test_heat_waits_a_failsafe_time_after_the_last_on_that_may_have_arrived(house):  # noqa: F811
    clock = house.engine.clock
    commander = RelayCommander(RelayRegistry(house.engine.store), house.engine.store, clock, house.engine.lan)
    await commander.set_desired({"cool": True, "heat": False}, "too warm")
    heard = clock.seconds()
    house.ac.mode = "hold"
    clock.advance(30)
    sending = commander.set_desired({"cool": True, "heat": False}, "still too warm")
    await eventually(lambda: len(house.ac.commands()) == 2, what="the air conditioner to get the second on")
    clock.advance(COMMAND_TIMEOUT)
    unanswered = await sending
    house.ac.held = []  # the commander hung up on it
    house.ac.mode = "fail"  # it answers no more (its board is gone), which feeds no failsafe

    clock.advance(heard + DEFAULT_FAILSAFE + 5 - clock.seconds())  # a failsafe time after it was last heard from
    await commander.set_desired({"heat": True, "cool": False}, "frost protection")
    too_early = dict(house.furnace.states)
    clock.advance(30)  # a failsafe time after the unanswered "on" was sent
    await commander.set_desired({"heat": True, "cool": False}, "frost protection")

    assert not unanswered[COOL].accepted
    assert too_early == {HEAT: False}
    assert house.furnace.states == {HEAT: True}
