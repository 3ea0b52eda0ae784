"""Relay events outlive the daemon: kept on disk until the engine has them, then recorded once, in order.

A failsafe trip is most likely when things go wrong (the engine away, a
power cut), so the events made while the engine is away wait in the spool
file and a new daemon over the same file delivers them. Each event carries
an idempotency key, so a report whose answer was lost and is sent again
adds nothing to the engine's history.

The whole daemon comes from ``make_service`` (simulated relays, the spool
run on the calling thread); the engine runs on a real loopback socket,
closed and reopened on the same port for the outage. Both keep time on
test clocks that advance together.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import pytest_twisted
from treq.client import HTTPClient
from twisted.internet import reactor
from twisted.internet.error import ConnectionLost
from twisted.internet.task import Clock
from twisted.web.client import Agent, HTTPConnectionPool

from rpymostat.common.timeutil import to_iso
from rpymostat.store.records import DeviceRecord
from rpymostat.testing.processes import free_port
from rpymostat_control.config import ControlConfig
from rpymostat_control.service import ControlService, make_service
from rpymostat_control.spool import EventSpool
from tests.unit.control.daemon_harness import eventually, eventually_async
from tests.unit.control.test_reporter_outage import Outage
from tests.unit.sensor.deferreds import run_now

pytestmark = pytest.mark.listening  # a control daemon reports over HTTP

HOST = "boiler-pi"
SECRET = "pre-shared-secret-for-the-boiler-pi"
HEAT, FAN = f"{HOST}:heat", f"{HOST}:fan"
FAILSAFE = 60.0
REPORT_INTERVAL = 20.0  # a third of the failsafe time
FAILSAFE_REASON = "failsafe: nothing from the engine for 60 s; every relay turned off"


class LosesOneAnswer:
    """A real HTTP client that, once, drops the engine's answer to a report with events, as a broken link would.

    The engine has stored the report by then; the daemon cannot know it.
    """

    def __init__(self, http: Any) -> None:
        self.http = http
        self.lost = 0

    def request(self, method: str, url: str, **options: Any) -> Any:
        sent = self.http.request(method, url, **options)
        if self.lost == 0 and url.endswith("/v1/relays/report") and json.loads(options["data"])["events"]:
            sent.addCallback(lambda response: response.content().addCallback(self._lose))
        return sent

    def _lose(self, _: bytes) -> None:
        self.lost += 1
        raise ConnectionLost("the engine's answer was lost on the way back")


class Rig:
    """An engine and the control daemons started over one spool file, one after the other."""

    def __init__(self, engine, tmp_path, **settings: str) -> None:
        self.engine = engine
        self.clock = Clock()
        self.clock.advance(engine.clock.seconds())
        self.config = ControlConfig.load({
            "RPYMOSTAT_ENGINE_URL": engine.url,
            "RPYMOSTAT_CONTROL_HOST_ID": HOST,
            "RPYMOSTAT_CONTROL_SECRET": SECRET,
            "RPYMOSTAT_CONTROL_SECRET_FILE": str(tmp_path / "control" / "device-secret"),
            "RPYMOSTAT_CONTROL_HOST": "127.0.0.1",
            "RPYMOSTAT_CONTROL_PORT": str(free_port()),
            "RPYMOSTAT_CONTROL_RELAYS": "heat=17,cool=27,fan=22!",
            "RPYMOSTAT_CONTROL_BACKEND": "sim",
            "RPYMOSTAT_CONTROL_FAILSAFE": str(FAILSAFE),
            **settings,
        })
        self.running: list[Any] = []

    async def start(self, http: Any = None) -> ControlService:
        # A new connection per request, so a closed port means an unreachable engine.
        http = http or HTTPClient(Agent(reactor, pool=HTTPConnectionPool(reactor, persistent=False)))
        control = make_service(self.config, reactor, http=http, clock=self.clock, runner=run_now)
        self.running.append(control)
        await control.startService()
        return control

    async def stop(self) -> None:
        await self.running.pop().stopService()

    def advance(self, seconds: float) -> None:
        """Time passes for both, so signatures stay within the window."""
        self.engine.clock.advance(seconds)
        self.clock.advance(seconds)

    async def history(self, relay_id: str) -> list[dict]:
        """The relay's history, oldest first."""
        answer = await self.engine.request("GET", f"/v1/relays/{relay_id}/history?limit=1000", key="read")
        return list(reversed(answer.json["history"]))

    async def delivered(self, control: ControlService) -> None:
        """Wait until the engine has acknowledged every event in the spool."""
        reporter = control.reporter
        assert reporter is not None

        async def empty() -> bool:
            return not reporter.busy and not await reporter.pending_events()

        await eventually_async(empty, what="the spool to be delivered")


@pytest_twisted.async_yield_fixture
async def rig(engine, tmp_path):
    await engine.store.put_device(DeviceRecord(HOST, "control", SECRET, "approved", engine.clock.seconds()))
    rig = Rig(engine, tmp_path)
    yield rig
    while rig.running:
        await rig.stop()


@pytest_twisted.ensureDeferred
async def test_events_made_while_the_engine_is_away_survive_a_restart_and_reach_its_history_once_in_order(rig):
    outage = Outage(rig.engine)
    await outage.begin()
    first = await rig.start()
    assert first.controller is not None
    first.controller.command(HEAT, True, "too cold")
    switched_on_at = rig.clock.seconds()
    rig.advance(FAILSAFE + 1)
    tripped_at = first.controller.failsafe.tripped_at
    await rig.stop()

    outage.end()
    second = await rig.start()
    await rig.delivered(second)
    rig.advance(REPORT_INTERVAL)  # one more report: nothing is sent twice
    await rig.delivered(second)
    entries = await rig.history(HEAT)

    assert tripped_at is not None
    assert [(e["kind"], e["on"], e["at"], e["reason"]) for e in entries] == [
        ("change", True, to_iso(switched_on_at), "too cold"),
        ("change", False, to_iso(tripped_at), FAILSAFE_REASON),
        ("failsafe", False, to_iso(tripped_at), FAILSAFE_REASON),
    ]
    assert len({e["idempotency_key"] for e in entries}) == 3


@pytest_twisted.ensureDeferred
async def test_a_report_whose_answer_was_lost_is_sent_again_and_recorded_once(rig, warnings):
    http = LosesOneAnswer(HTTPClient(Agent(reactor, pool=HTTPConnectionPool(reactor, persistent=False))))
    control = await rig.start(http)
    await rig.delivered(control)
    assert control.controller is not None

    control.controller.command(HEAT, True, "too cold")
    await eventually(lambda: http.lost == 1 and control.reporter is not None and not control.reporter.busy,
                     what="the answer to be lost")
    kept = [line for line in warnings if "Could not report to the engine" in line]
    rig.advance(REPORT_INTERVAL)
    await rig.delivered(control)
    entries = await rig.history(HEAT)

    assert len(kept) == 1
    assert [(e["kind"], e["on"], e["reason"]) for e in entries] == [("change", True, "too cold")]


@pytest_twisted.ensureDeferred
async def test_a_full_spool_drops_the_oldest_events_and_the_count_survives_a_restart(engine, tmp_path, warnings):
    await engine.store.put_device(DeviceRecord(HOST, "control", SECRET, "approved", engine.clock.seconds()))
    rig = Rig(engine, tmp_path, RPYMOSTAT_CONTROL_SPOOL_MAX="100")
    outage = Outage(engine)
    await outage.begin()
    try:
        first = await rig.start()
        assert first.controller is not None
        reasons = [f"switch {number}" for number in range(105)]  # every switch is one event
        for number, reason in enumerate(reasons):
            first.controller.command(FAN, number % 2 == 0, reason)
        await rig.stop()  # the fan was on: turning it off at shutdown is the 106th event
        outage.end()
        second = await rig.start()
        await rig.delivered(second)
        assert second.reporter is not None
        dropped = await second.reporter.dropped_events()
        entries = await rig.history(FAN)
    finally:
        while rig.running:
            await rig.stop()

    assert dropped == 6
    assert [e["reason"] for e in entries] == [*reasons[6:], "shutdown: every relay left in its safe state"]
    overflowing = [line for line in warnings if "the oldest are now dropped" in line]
    assert len(overflowing) == 1
    assert "100 relay events" in overflowing[0]
    assert "first dropped: change of boiler-pi:fan" in overflowing[0]


@pytest_twisted.ensureDeferred
async def test_an_event_the_engine_refuses_is_dropped_alone_and_the_rest_are_delivered(rig, warnings):
    first = await rig.start()
    await rig.delivered(first)
    await rig.stop()
    poisoned = {"relay_id": HEAT, "kind": "bogus", "on": True, "at": to_iso(rig.clock.seconds()),
                "reason": "from a daemon the engine no longer understands", "idempotency_key": "poisoned-event-1"}
    good = {**poisoned, "kind": "change", "reason": "too cold", "idempotency_key": "good-event-1"}
    reopened = await EventSpool.open(rig.config.spool, runner=run_now)
    try:
        await reopened.append(poisoned)
        await reopened.append(good)
    finally:
        await reopened.close()

    second = await rig.start()
    await rig.delivered(second)
    entries = await rig.history(HEAT)

    assert [(e["kind"], e["reason"]) for e in entries][-1:] == [("change", "too cold")]
    assert all(e["reason"] != poisoned["reason"] for e in entries)
    assert any("bogus" in line and "dropped so that what follows it can be delivered" in line for line in warnings)
