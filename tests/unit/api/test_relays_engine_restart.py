"""An engine restart does not short-cycle the equipment.

The engine starts from each relay's state as its daemon last reported it and
from when the relay's history says it last switched, so a running furnace
that is still needed keeps running, and minimum off times count from the
real last switch, not from the restart. The commander does not re-send the
desired states the engine had before it stopped: they may be stale.

The furnace is a real control daemon API on mock pins, enrolled with the
engine over loopback; each "engine run" is a new commander and decision
loop over the same SQLite store, as a restarted engine makes them.
"""

from __future__ import annotations

from typing import Any

import pytest_twisted

from rpymostat.engine.loop.decision_loop import DecisionLoop
from rpymostat.engine.plugin_settings import PluginSettings
from rpymostat.engine.relays.commander import RelayCommander
from rpymostat.engine.relays.registry import RelayRegistry
from rpymostat.engine.relays.restore import restored_equipment
from rpymostat.scheduling.instruction import Instruction
from rpymostat.store.records import ReadingInput
from tests.unit.api.test_relays_api import HOST, Enrolled
from tests.unit.control.daemon_harness import eventually, start_daemon
from tests.unit.engine.test_decision_loop import FixedTimeline

FAILSAFE = 60.0
INTERVAL = 5.0
HEAT_PIN = 17


class EngineRun:
    """One life of the engine: its commander (keep-alives running) and its decision loop."""

    def __init__(self, house: House, restore: bool) -> None:
        self.house = house
        engine = house.engine
        self.commander = RelayCommander(RelayRegistry(engine.store), engine.store, engine.clock, engine.lan)
        self.restore = restore
        self.loop: DecisionLoop | None = None

    async def start(self) -> None:
        engine = self.house.engine
        equipment = await restored_equipment(self.commander, engine.clock.seconds()) if self.restore else None
        self.loop = DecisionLoop(engine.context, FixedTimeline(Instruction("heat", heat_setpoint=21.0)),
                                 self.commander, PluginSettings(engine.store), interval=INTERVAL,
                                 equipment=equipment)
        self.commander.start()
        await eventually(lambda: not self.commander.in_flight, what="the first keep-alive to be answered")

    async def turn(self, temperature: float) -> str:
        """The room reports, and one turn of the loop decides; what it decided."""
        assert self.loop is not None
        self.house.advance(INTERVAL)
        now = self.house.engine.clock.seconds()
        await self.house.engine.store.record_readings("room-pi", [ReadingInput("28-a", "DS18B20", temperature, now)],
                                                      now)
        result = await self.loop.evaluate()
        await self.house.enrolled.reported()
        return result.decision.desired

    def stop(self) -> None:
        self.commander.stop()


class House:
    def __init__(self, engine, enrolled: Enrolled) -> None:
        self.engine, self.enrolled = engine, enrolled
        self.switches: list[bool] = []
        enrolled.daemon.controller.subscribe(self._heard)

    def _heard(self, event: dict[str, Any]) -> None:
        if event["kind"] == "change" and event["relay_id"] == f"{HOST}:heat":
            self.switches.append(event["on"])

    def advance(self, seconds: float) -> None:
        self.enrolled.advance(seconds)

    def heating(self) -> bool:
        return self.enrolled.daemon.pin(HEAT_PIN)

    async def first_run_heats(self) -> EngineRun:
        """An engine that heats a cold house until the furnace runs."""
        run = EngineRun(self, restore=True)
        await run.start()
        for _ in range(int(300 / INTERVAL)):
            await run.turn(18.0)
        assert self.heating() and self.switches == [True]
        return run


@pytest_twisted.async_yield_fixture
async def house(engine, pin_factory):
    enrolled = Enrolled(engine, start_daemon(pin_factory, host_id=HOST, relays="heat=17", failsafe=FAILSAFE))
    await enrolled.start()
    yield House(engine, enrolled)
    enrolled.stop()
    await enrolled.daemon.close()


@pytest_twisted.ensureDeferred
async def test_a_running_furnace_still_needed_keeps_running_across_a_restart(house):
    first = await house.first_run_heats()
    first.stop()
    house.advance(20)  # the engine restarts

    second = EngineRun(house, restore=True)
    await second.start()
    decided = [await second.turn(18.0) for _ in range(3)]

    assert decided == ["heat", "heat", "heat"]
    assert house.heating()
    assert house.switches == [True], "the furnace never stopped"
    second.stop()


@pytest_twisted.ensureDeferred
async def test_a_furnace_off_for_hours_starts_at_once_after_a_restart_in_a_cold_house(house):
    first = await house.first_run_heats()
    for _ in range(int(400 / INTERVAL)):  # warm now: off once its 5-minute minimum run time is over
        await first.turn(23.0)
    assert not house.heating()
    first.stop()
    house.advance(FAILSAFE + INTERVAL)  # the engine is away; the daemon's failsafe trips (the furnace is off)
    house.advance(3 * 3600)
    await house.enrolled.reported()

    second = EngineRun(house, restore=True)
    await second.start()
    decided = await second.turn(18.0)

    assert decided == "heat"
    assert house.heating()


@pytest_twisted.ensureDeferred
async def test_a_restart_does_not_pulse_the_furnace_with_the_stale_desired_state(house):
    first = await house.first_run_heats()
    first.stop()
    house.advance(FAILSAFE + INTERVAL)  # the engine is away long enough for the failsafe to turn the furnace off
    await house.enrolled.reported()
    assert not house.heating()
    switched_before = list(house.switches)

    second = EngineRun(house, restore=True)
    await second.start()
    decided = await second.turn(22.0)  # warm enough now: no heat needed

    assert decided == "idle"
    assert house.switches == switched_before, "the furnace was not switched on and off again"
    assert not house.heating()
    second.stop()
