"""Frost protection is never held off by a relay the engine cannot reach.

The air conditioner's relay is on one control daemon and the furnace's on
another, both real daemon APIs on mock pins, enrolled with the engine over
loopback. The engine's decision loop cools a hot house; then the air
conditioner's daemon goes silent with its relay last reported on, and the
house is at 2 °C. Its failsafe turns that relay off after its failsafe time,
so from then on the engine counts it as off and heats. Time passes for the
engine and both daemons together; a turn of the decision loop runs every
:data:`INTERVAL` seconds, and each turn is also the daemons' keep-alive.
"""

from __future__ import annotations

import pytest_twisted
from gpiozero.pins.mock import MockFactory

from rpymostat.engine.loop.decision_loop import DecisionLoop
from rpymostat.engine.plugin_settings import PluginSettings
from rpymostat.engine.relays.commander import RelayCommander
from rpymostat.engine.relays.registry import RelayRegistry
from rpymostat.scheduling.instruction import Instruction
from rpymostat.store.records import ReadingInput
from tests.unit.api.test_relays_api import Enrolled
from tests.unit.control.daemon_harness import start_daemon

FURNACE_HOST, AC_HOST = "boiler-pi", "ac-pi"
HEAT, COOL = f"{FURNACE_HOST}:heat", f"{AC_HOST}:cool"
AC_FAILSAFE = 60.0
INTERVAL = 5.0
SUMMER = Instruction("cool", cool_setpoint=24.0)


class Summer:
    """The instruction the house still has: cool to 24 °C (frost protection heats below 5 °C in any mode)."""

    def current_instruction(self, now: float) -> Instruction:
        return SUMMER

    def next_change(self, now: float) -> None:
        return None


class House:
    def __init__(self, engine, furnace: Enrolled, ac: Enrolled) -> None:
        self.engine, self.furnace, self.ac = engine, furnace, ac
        # A connection per command, as the engine makes them, so a silent daemon is not reached through an old one.
        self.commander = RelayCommander(RelayRegistry(engine.store), engine.store, engine.clock, engine.lan)
        self.loop = DecisionLoop(engine.context, Summer(), self.commander, PluginSettings(engine.store),
                                 interval=INTERVAL)

    def advance(self, seconds: float) -> None:
        for clock in (self.engine.clock, self.furnace.daemon.clock, self.ac.daemon.clock):
            clock.advance(seconds)

    async def turn(self, temperature: float) -> None:
        """Time for one more turn: the room sensor reports, the loop decides and commands."""
        self.advance(INTERVAL)
        now = self.engine.clock.seconds()
        await self.engine.store.record_readings("room-pi", [ReadingInput("28-room", "DS18B20", temperature, now)], now)
        await self.loop.evaluate()

    def heating(self) -> bool:
        return self.furnace.daemon.pin(17)

    def cooling(self) -> bool:
        return self.ac.daemon.pin(27)


@pytest_twisted.async_yield_fixture
async def house(engine):
    factories = [MockFactory(), MockFactory()]
    furnace = Enrolled(engine, start_daemon(factories[0], host_id=FURNACE_HOST, relays="heat=17", failsafe=3600),
                       FURNACE_HOST)
    ac = Enrolled(engine, start_daemon(factories[1], host_id=AC_HOST, relays="cool=27", failsafe=AC_FAILSAFE), AC_HOST)
    await furnace.start()
    await ac.start()
    house = House(engine, furnace, ac)
    yield house
    for side in (furnace, ac):
        side.stop()
        await side.daemon.close()
    for factory in factories:
        factory.reset()


async def cooling_then_silent(house: House) -> float:
    """Cool a hot house until the air conditioner runs, then silence its daemon; when it was last heard from."""
    # Past the start-up minimum off times of the engine and the daemon, and the minimum run time of cool.
    for _ in range(int(600 / INTERVAL)):
        await house.turn(28.0)
    assert house.cooling() and not house.heating()
    house.ac.stop()
    house.engine.lan.remove(house.ac.daemon.lan_host)
    return (await house.engine.store.get_document("relays", COOL))["reported_at"]


@pytest_twisted.ensureDeferred
async def test_a_cooling_relay_on_a_silent_daemon_holds_heat_off_only_for_its_failsafe_time(house):
    heard = await cooling_then_silent(house)
    heating_at = None
    while house.engine.clock.seconds() < heard + AC_FAILSAFE + 4 * INTERVAL:
        await house.turn(2.0)
        if heating_at is None and house.heating():
            heating_at = house.engine.clock.seconds()
    listed = (await house.engine.request("GET", f"/v1/relays/{COOL}", key="read")).json

    assert heating_at is not None, "frost protection never heated"
    assert heard + AC_FAILSAFE < heating_at <= heard + AC_FAILSAFE + INTERVAL
    assert house.cooling() is False  # its own failsafe saw to it, as the engine took for granted
    assert (listed["on"], listed["failsafe_off"]) == (True, True)  # the last report, and what became of it


@pytest_twisted.ensureDeferred
async def test_a_daemon_heard_from_again_counts_as_it_reports(house):
    await cooling_then_silent(house)
    house.advance(AC_FAILSAFE + INTERVAL)

    silent = (await house.engine.request("GET", f"/v1/relays/{COOL}", key="read")).json
    await house.engine.signed("PUT", "/v1/relays/report", AC_HOST, "the-engine-and-this-daemon-share-this-secret",
                              {"host_id": AC_HOST, "relays": [{"id": COOL, "name": "cool", "pin": 27,
                                                               "active_high": True, "function": "cool", "on": True}]})
    heard = (await house.engine.request("GET", f"/v1/relays/{COOL}", key="read")).json

    assert silent["failsafe_off"] is True
    assert (heard["on"], heard["failsafe_off"]) == (True, False)
