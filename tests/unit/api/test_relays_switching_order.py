"""Changing between heat and cool across two control daemons: every off is acknowledged before any on is sent.

The furnace's relay is on one host and the air conditioner's on another, so
neither daemon's interlock sees both: the order of the engine's commands is
all that keeps them from running together. Each host here is a small fake
daemon on the engine's in-memory LAN that writes every keep-alive it gets, and every
answer it gives, to one shared journal, and answers at once, holds its answer
until the test releases it, or fails. The engine's commander runs over real
SQLite with a test clock.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import pytest_twisted
from twisted.logger import LogEvent, LogLevel, formatEvent, globalLogPublisher
from twisted.web.resource import Resource
from twisted.web.server import NOT_DONE_YET

from rpymostat.engine.relays.commander import RelayCommander
from rpymostat.engine.relays.registry import RelayRegistry
from rpymostat.store.records import DeviceRecord
from tests.support.engine import in_memory_client
from tests.unit.control.daemon_harness import eventually

FURNACE_HOST, AC_HOST = "boiler-pi", "ac-pi"
HEAT, COOL = f"{FURNACE_HOST}:heat", f"{AC_HOST}:cool"
SECRET = "the-engine-and-this-daemon-share-this-secret"


@dataclass(frozen=True)
class Entry:
    """One line of the journal: a keep-alive a daemon got (with the states asked for), or its answer."""

    host_id: str
    what: str
    states: dict[str, bool]


class FakeDaemon(Resource):
    """A control daemon's ``PUT /v1/keepalive``: obeys at once, or ``hold``s its answers, or ``fail``s."""

    isLeaf = True

    def __init__(self, host_id: str, relay_ids: list[str], journal: list[Entry]) -> None:
        super().__init__()
        self.host_id = host_id
        self.states = dict.fromkeys(relay_ids, False)
        self.journal = journal
        self.mode = "answer"
        self.held: list[tuple[Any, dict[str, bool]]] = []

    def commands(self) -> list[dict[str, bool]]:
        return [entry.states for entry in self.journal if entry.host_id == self.host_id and entry.what == "got"]

    def render_PUT(self, request: Any) -> Any:
        desired = json.loads(request.content.read())["relays"]
        self.journal.append(Entry(self.host_id, "got", desired))
        request.setHeader(b"content-type", b"application/json")
        if self.mode == "fail":
            request.setResponseCode(500)
            return json.dumps({"status": "error", "error": "the relay board does not answer"}).encode()
        if self.mode == "hold":
            self.held.append((request, desired))
            return NOT_DONE_YET
        return self._obey(desired)

    def release(self) -> None:
        """Answer the held keep-alives, in the order they came."""
        held, self.held = self.held, []
        for request, desired in held:
            request.write(self._obey(desired))
            request.finish()

    def _obey(self, desired: dict[str, bool]) -> bytes:
        self.states.update({relay_id: on for relay_id, on in desired.items() if relay_id in self.states})
        self.journal.append(Entry(self.host_id, "answered", dict(self.states)))
        return json.dumps({
            "relays": [{"id": relay_id, "on": on} for relay_id, on in self.states.items()],
            "results": {relay_id: {"accepted": True, "on": on} for relay_id, on in desired.items()},
        }).encode()


class House:
    """The engine's commander and two fake daemons, heat on one and cool on the other."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.journal: list[Entry] = []
        self.furnace = FakeDaemon(FURNACE_HOST, [HEAT], self.journal)
        self.ac = FakeDaemon(AC_HOST, [COOL], self.journal)
        self.commander = RelayCommander(RelayRegistry(engine.store), engine.store, engine.clock, engine.lan)

    async def start(self) -> None:
        for daemon, function in ((self.furnace, "heat"), (self.ac, "cool")):
            url = self.engine.lan.add(f"{daemon.host_id}.test", in_memory_client(daemon))
            now = self.engine.clock.seconds()
            await self.engine.store.put_device(DeviceRecord(daemon.host_id, "control", SECRET, "approved", now,
                                                            url=url))
            relay = {"id": f"{daemon.host_id}:{function}", "name": function, "pin": 17, "active_high": True,
                     "function": function, "on": False}
            answer = await self.engine.signed("PUT", "/v1/relays/report", daemon.host_id, SECRET,
                                              {"host_id": daemon.host_id, "relays": [relay]})
            assert answer.code == 200

    async def stop(self) -> None:
        for daemon in (self.furnace, self.ac):
            daemon.release()

    def index(self, host_id: str, what: str, states: dict[str, bool]) -> int:
        """Where in the journal the first such entry is."""
        return self.journal.index(Entry(host_id, what, states))

    async def relay(self, relay_id: str) -> dict:
        return (await self.engine.request("GET", f"/v1/relays/{relay_id}", key="read")).json


def off_sent_or_queued(house: House) -> bool:
    """The furnace got the off, or the commander holds it back until the keep-alive is answered.

    The second is the commander's own lock, looked at only to know when to
    let the keep-alive's answer go.
    """
    lock = house.commander._host_locks.get(FURNACE_HOST)
    return len(house.furnace.commands()) >= 3 or bool(lock is not None and lock.waiting)


@pytest.fixture
def commander_warnings() -> Iterator[list[str]]:
    """The engine's relay warnings, as its log shows them, while the test runs."""
    lines: list[str] = []

    def observe(event: LogEvent) -> None:
        if str(event.get("log_namespace", "")).startswith("rpymostat.engine.relays") and \
                event["log_level"] == LogLevel.warn:
            lines.append(formatEvent(event))

    globalLogPublisher.addObserver(observe)
    yield lines
    globalLogPublisher.removeObserver(observe)


@pytest_twisted.async_yield_fixture
async def house(engine):
    house = House(engine)
    await house.start()
    yield house
    await house.stop()


CHANGES = [
    pytest.param("heat", "cool", id="heat to cool"),
    pytest.param("cool", "heat", id="cool to heat"),
]


@pytest.mark.parametrize(("before", "after"), CHANGES)
@pytest_twisted.ensureDeferred
async def test_the_new_function_goes_on_only_after_the_old_ones_off_was_acknowledged(house, before, after):
    daemons = {"heat": (house.furnace, HEAT), "cool": (house.ac, COOL)}
    (old, old_relay), (new, new_relay) = daemons[before], daemons[after]
    await house.commander.set_desired({before: True, after: False}, "settled before the test")
    old.mode = "hold"

    changing = house.commander.set_desired({before: False, after: True}, "the decision changed")
    await eventually(lambda: {old_relay: False} in old.commands(), what="the old function's off to be sent")
    sent_while_unanswered = [states for states in new.commands() if states.get(new_relay)]
    old.release()
    results = await changing

    assert sent_while_unanswered == []
    assert house.index(old.host_id, "answered", {old_relay: False}) < house.index(new.host_id, "got", {new_relay: True})
    assert (old.states[old_relay], new.states[new_relay]) == (False, True)
    assert (results[old_relay].code, results[new_relay].code) == (200, 200)


@pytest_twisted.ensureDeferred
async def test_an_off_that_cannot_be_confirmed_keeps_the_opposite_function_off_that_turn(house, commander_warnings):
    await house.commander.set_desired({"heat": True, "cool": False}, "too cold")
    house.furnace.mode = "fail"

    await house.commander.set_desired({"heat": False, "cool": True}, "too warm")
    cool = await house.relay(COOL)
    held_back = [states for states in house.ac.commands() if states.get(COOL)]
    house.furnace.mode = "answer"
    await house.commander.set_desired({"heat": False, "cool": True}, "too warm")

    assert held_back == []
    assert cool["desired"] is False
    assert cool["desired_reason"].startswith(f"interlock: {COOL} (cool) waits: {HEAT} (heat) could not be confirmed off")
    assert "the relay board does not answer" in cool["desired_reason"]
    assert any(line.startswith(f"Not turning {COOL} on: ") for line in commander_warnings)
    assert (house.furnace.states[HEAT], house.ac.states[COOL]) == (False, True)
    assert house.index(FURNACE_HOST, "answered", {HEAT: False}) < house.index(AC_HOST, "got", {COOL: True})


@pytest_twisted.ensureDeferred
async def test_a_keepalive_already_on_its_way_cannot_overtake_the_off(house):
    await house.commander.set_desired({"heat": True, "cool": False}, "too cold")
    house.furnace.mode = "hold"
    reasserting = house.commander.keepalive(FURNACE_HOST)  # still carries heat on
    await eventually(lambda: house.furnace.held, what="the keep-alive to arrive")
    house.furnace.mode = "answer"  # only the keep-alive is slow

    changing = house.commander.set_desired({"heat": False, "cool": True}, "too warm")
    await eventually(lambda: off_sent_or_queued(house), what="the off to be sent, or to wait its turn")
    house.furnace.release()
    await reasserting
    await changing

    furnace = [(entry.what, entry.states) for entry in house.journal if entry.host_id == FURNACE_HOST][2:]
    assert furnace == [("got", {HEAT: True}), ("answered", {HEAT: True}),
                       ("got", {HEAT: False}), ("answered", {HEAT: False})]
    assert (house.furnace.states[HEAT], house.ac.states[COOL]) == (False, True)
