"""Heat and cool on different control daemons: the engine keeps them apart, since neither daemon sees both.

The furnace's relays are on one host and the air conditioner's on another,
each a real daemon API on its own mock pins and clock, both reporting to one
engine over loopback sockets.
"""

from __future__ import annotations

import pytest
import pytest_twisted
from gpiozero.pins.mock import MockFactory
from twisted.internet.defer import ensureDeferred, gatherResults

from rpymostat.engine.relays.commander import RelayCommander
from rpymostat.engine.relays.registry import RelayRegistry
from tests.unit.api.test_relays_api import Enrolled
from tests.unit.control.daemon_harness import start_daemon

FURNACE_HOST, AC_HOST = "boiler-pi", "ac-pi"
HEAT, FAN, COOL = f"{FURNACE_HOST}:heat", f"{FURNACE_HOST}:fan", f"{AC_HOST}:cool"
AUX = f"{FURNACE_HOST}:aux"
COOL_MIN_OFF = 300


class House:
    """Two enrolled daemons; time passes for the engine and both of them together."""

    def __init__(self, engine, furnace: Enrolled, ac: Enrolled) -> None:
        self.engine, self.furnace, self.ac = engine, furnace, ac

    def advance(self, seconds: float) -> None:
        self.engine.clock.advance(seconds)
        self.furnace.daemon.clock.advance(seconds)
        self.ac.daemon.clock.advance(seconds)

    async def switch(self, relay_id: str, on: bool):
        return await self.engine.request("PUT", f"/v1/relays/{relay_id}/state", json={"on": on}, key="admin")

    async def history(self, relay_id: str) -> list[dict]:
        return (await self.engine.request("GET", f"/v1/relays/{relay_id}/history", key="read")).json["history"]


@pytest_twisted.async_yield_fixture
async def house(engine):
    async for built in two_daemons(engine, "heat=17,fan=22!"):
        yield built


@pytest_twisted.async_yield_fixture
async def aux_house(engine):
    """Auxiliary heat on the furnace's daemon, cooling on the other."""
    async for built in two_daemons(engine, "aux=23"):
        yield built


async def two_daemons(engine, furnace_relays: str):
    factories = [MockFactory(), MockFactory()]
    furnace = Enrolled(engine, start_daemon(factories[0], host_id=FURNACE_HOST, relays=furnace_relays,
                                            failsafe=3600), FURNACE_HOST)
    ac = Enrolled(engine, start_daemon(factories[1], host_id=AC_HOST, relays="cool=27", failsafe=3600), AC_HOST)
    await furnace.start()
    await ac.start()
    house = House(engine, furnace, ac)
    house.advance(COOL_MIN_OFF)  # past the cooling relay's start-up minimum off time
    yield house
    for side in (furnace, ac):
        side.stop()
        await side.daemon.close()
    for factory in factories:
        factory.reset()


@pytest_twisted.ensureDeferred
async def test_cool_is_refused_while_heat_on_another_daemon_is_on(house):
    await house.switch(HEAT, True)

    refused = await house.switch(COOL, True)
    history = await house.history(COOL)

    assert refused.code == 409
    assert refused.json["refusal"] == "interlock"
    assert f"while {HEAT} (heat) is on" in refused.json["error"]
    assert house.ac.daemon.pin(27) is False
    assert (history[0]["kind"], history[0]["refusal"], history[0]["on"]) == ("refusal", "interlock", True)
    assert house.furnace.daemon.pin(17) is True


@pytest_twisted.ensureDeferred
async def test_heat_is_refused_while_cool_on_another_daemon_is_on_and_allowed_once_it_is_off(house):
    await house.switch(COOL, True)

    refused = await house.switch(HEAT, True)
    await house.switch(COOL, False)
    allowed = await house.switch(HEAT, True)

    assert (refused.code, refused.json["refusal"]) == (409, "interlock")
    assert allowed.code == 200
    assert (house.furnace.daemon.pin(17), house.ac.daemon.pin(27)) == (True, False)


@pytest_twisted.ensureDeferred
async def test_auxiliary_heat_is_heating_to_the_engines_interlock(aux_house):
    house = aux_house
    await house.switch(AUX, True)
    cool_refused = await house.switch(COOL, True)
    await house.switch(AUX, False)
    await house.switch(COOL, True)
    aux_refused = await house.switch(AUX, True)

    assert (cool_refused.code, cool_refused.json["refusal"]) == (409, "interlock")
    assert f"while {AUX} (aux) is on" in cool_refused.json["error"]
    assert (aux_refused.code, aux_refused.json["refusal"]) == (409, "interlock")
    assert f"while {COOL} (cool) is on" in aux_refused.json["error"]
    assert (house.furnace.daemon.pin(23), house.ac.daemon.pin(27)) == (False, True)


@pytest_twisted.ensureDeferred
async def test_heat_is_refused_while_cool_is_wanted_on_though_not_yet_running(house):
    engine = house.engine
    commander = RelayCommander(RelayRegistry(engine.store), engine.store, engine.clock, engine.lan)
    await house.switch(COOL, True)
    await house.switch(COOL, False)  # cool now waits out its minimum off time
    await commander.set_desired({"cool": True}, "too warm")

    refused = await house.switch(HEAT, True)

    assert house.ac.daemon.pin(27) is False
    assert (refused.code, refused.json["refusal"]) == (409, "interlock")
    assert f"while {COOL} (cool) is wanted on" in refused.json["error"]
    assert house.furnace.daemon.pin(17) is False


@pytest_twisted.ensureDeferred
async def test_two_admins_switching_heat_and_cool_at_once_get_one_of_them(house):
    answers = await gatherResults([ensureDeferred(house.switch(HEAT, True)), ensureDeferred(house.switch(COOL, True))])

    assert sorted(answer.code for answer in answers) == [200, 409]
    assert [house.furnace.daemon.pin(17), house.ac.daemon.pin(27)].count(True) == 1


@pytest_twisted.ensureDeferred
async def test_the_fan_runs_with_either(house):
    await house.switch(COOL, True)

    fan = await house.switch(FAN, True)

    assert fan.code == 200
    assert house.furnace.daemon.pin(22) is False  # active-low: on is a low pin


@pytest_twisted.ensureDeferred
async def test_the_decision_loop_cannot_start_cool_while_heat_is_held_on_by_hand(house):
    engine = house.engine
    commander = RelayCommander(RelayRegistry(engine.store), engine.store, engine.clock, engine.lan)
    await commander.switch(HEAT, True, "manual switch by test admin")

    results = await commander.set_desired({"heat": False, "cool": True}, "too warm")
    cool = (await house.engine.request("GET", f"/v1/relays/{COOL}", key="read")).json

    assert house.ac.daemon.pin(27) is False
    assert house.furnace.daemon.pin(17) is True  # held by hand: the decision leaves it alone
    assert results[COOL].code == 200
    assert (cool["desired"], cool["desired_reason"].startswith("interlock: ")) == (False, True)


@pytest.mark.parametrize("relay_id", [HEAT, COOL])
@pytest_twisted.ensureDeferred
async def test_turning_off_is_never_refused(house, relay_id):
    await house.switch(HEAT, True)

    answer = await house.switch(relay_id, False)

    assert answer.code == 200
