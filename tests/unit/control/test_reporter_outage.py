"""What happens to the relays' history while the engine is away.

The daemon keeps every change and failsafe trip until the engine takes it,
so a trip during an outage is in the engine's history once it is back, with
the time it happened and why. A long outage overflows the spool: the oldest
events go, counted, and the log says so once per outage, not once per event.

The engine runs on a real loopback socket (closed and reopened on the same
port for the outage); both sides keep time on test clocks.
"""

from __future__ import annotations

import pytest
import pytest_twisted
from treq.client import HTTPClient
from twisted.internet import reactor
from twisted.web.client import Agent, HTTPConnectionPool
from twisted.web.server import Site

from rpymostat.common.timeutil import to_iso
from rpymostat_control.spool import EventSpool
from tests.unit.api.test_relays_api import HOST, Enrolled
from tests.unit.control.daemon_harness import eventually, start_daemon
from tests.unit.sensor.deferreds import result_of, run_now

pytestmark = pytest.mark.listening  # the engine goes away and comes back on its port

HEAT, FAN = f"{HOST}:heat", f"{HOST}:fan"
FAILSAFE = 60.0
REPORT_INTERVAL = 30.0


class Outage:
    """Closes the engine's port, and opens it again on the same address."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.port_number = engine.port.getHost().port

    async def begin(self) -> None:
        await self.engine.port.stopListening()

    def end(self) -> None:
        site = Site(self.engine.api.resource(), parsePOSTFormSubmission=False)
        self.engine.port = reactor.listenTCP(self.port_number, site, interface="127.0.0.1")


async def enrol(engine, pin_factory, spool_max: int = 1000) -> Enrolled:
    daemon = start_daemon(pin_factory, host_id=HOST, failsafe=FAILSAFE)
    # A new connection per request, so a closed port means an unreachable engine.
    http = HTTPClient(Agent(reactor, pool=HTTPConnectionPool(reactor, persistent=False)))
    spool = result_of(EventSpool.open(":memory:", spool_max, runner=run_now))
    enrolled = Enrolled(engine, daemon, http=http, spool=spool, interval=REPORT_INTERVAL)
    await enrolled.start()
    return enrolled


async def settled(enrolled: Enrolled) -> None:
    """Wait until no report is on its way (the failed ones included)."""
    await eventually(lambda: not enrolled.reporter.busy, what="the report attempt to end")


async def history(engine, relay_id: str) -> list[dict]:
    return (await engine.request("GET", f"/v1/relays/{relay_id}/history?limit=1000", key="read")).json["history"]


@pytest_twisted.async_yield_fixture
async def enrolled(engine, pin_factory):
    enrolled = await enrol(engine, pin_factory)
    yield enrolled
    enrolled.stop()
    await enrolled.daemon.close()


@pytest_twisted.ensureDeferred
async def test_a_failsafe_trip_while_the_engine_is_away_reaches_its_history_when_it_is_back(enrolled):
    engine, daemon, reporter = enrolled.engine, enrolled.daemon, enrolled.reporter
    daemon.controller.command(HEAT, True, "engine command")
    await enrolled.reported()
    outage = Outage(engine)
    await outage.begin()

    enrolled.advance(FAILSAFE + 1)
    await settled(enrolled)
    tripped_at = daemon.controller.failsafe.tripped_at
    waiting = [(e["kind"], e["relay_id"]) for e in await reporter.pending_events()]
    outage.end()
    enrolled.advance(REPORT_INTERVAL)
    await enrolled.reported()
    entries = await history(engine, HEAT)

    assert daemon.pin(17) is False
    assert ("failsafe", HEAT) in waiting
    assert tripped_at is not None
    failsafe = [entry for entry in entries if entry["kind"] == "failsafe"]
    assert len(failsafe) == 1
    assert failsafe[0]["at"] == to_iso(tripped_at)
    assert failsafe[0]["on"] is False
    assert failsafe[0]["reason"] == "failsafe: nothing from the engine for 60 s; every relay turned off"
    assert failsafe[0]["received_at"] == to_iso(engine.clock.seconds())
    turned_off = [entry for entry in entries if entry["kind"] == "change" and entry["on"] is False]
    assert turned_off[0]["at"] == to_iso(tripped_at)
    assert turned_off[0]["reason"] == failsafe[0]["reason"]


@pytest.mark.parametrize("outages", [1, 2])
@pytest_twisted.ensureDeferred
async def test_an_overflowing_spool_drops_the_oldest_events_and_says_so_once_per_outage(
        engine, pin_factory, warnings, outages):
    enrolled = await enrol(engine, pin_factory, spool_max=5)
    try:
        outage = Outage(engine)
        reasons: list[str] = []
        for _ in range(outages):
            await outage.begin()
            for number in range(12):  # every switch is one event
                reason = f"switch {len(reasons)}"
                reasons.append(reason)
                enrolled.daemon.controller.command(FAN, number % 2 == 0, reason)
            await settled(enrolled)
            outage.end()
            enrolled.advance(REPORT_INTERVAL)
            await enrolled.reported()
        entries = await history(engine, FAN)
        dropped = await enrolled.reporter.dropped_events()
    finally:
        enrolled.stop()
        await enrolled.daemon.close()

    overflowing = [line for line in warnings if "the oldest are now dropped" in line]
    summaries = [line for line in warnings if "relay events were dropped while it was away" in line]
    assert len(overflowing) == outages
    assert "5 relay events" in overflowing[0]
    assert summaries == ["Reporting to the engine again; 7 relay events were dropped while it was away"] * outages
    assert dropped == 7 * outages
    assert [entry["reason"] for entry in entries if entry["kind"] == "change"][:5] == reasons[-1:-6:-1]
    assert reasons[6] not in {entry["reason"] for entry in entries}
