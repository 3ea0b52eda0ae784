"""The MQTT bridge: what reaches the broker, when it is slow or away, and what commands do."""

from __future__ import annotations

from dataclasses import replace

import pytest
import pytest_twisted
from twisted.internet.task import Clock

from rpymostat.engine.events import EventBus
from rpymostat.engine.schedules.book import RuleBook
from rpymostat.engine.schedules.cache import TimelineCache
from rpymostat.integrations.ha_commands import write_adjustment
from rpymostat.integrations.ha_discovery import HomeSnapshot, SensorState, Topics
from rpymostat.integrations.mqtt_bridge import MqttBridge
from rpymostat.scheduling.instruction import Instruction
from rpymostat.scheduling.validation import SetpointLimits
from tests.support.fake_mqtt import FakeConnector

TOPICS = Topics("homeassistant", "house")
AVAILABILITY = "rpymostat/house/availability"
LIVING = "rpymostat/house/sensor_living/state"
TARGET = "rpymostat/house/climate/target"
HOME = HomeSnapshot(mode="heat", heat_setpoint=20.0, cool_setpoint=None, temperature=19.5, running=frozenset(),
                    alerts=(), sensors=(SensorState("living", "Living room", 19.5, False),), relays=())


class Home:
    """The engine's state as the bridge reads it; tests change it."""

    def __init__(self) -> None:
        self.snapshot = HOME
        self.reads = 0

    async def read(self) -> HomeSnapshot:
        self.reads += 1
        return self.snapshot


async def no_adjustments(body):
    raise AssertionError(f"no adjustment expected, got {body}")


def bridge_over(connector: FakeConnector, clock: Clock, home: Home, events: EventBus | None = None,
                **options) -> MqttBridge:
    adjust = options.pop("create_adjustment", no_adjustments)
    instruction = options.pop("current_instruction", lambda: Instruction("heat", heat_setpoint=20.0))
    return MqttBridge(connector, TOPICS, home.read, instruction, adjust, events, clock, SetpointLimits(), **options)


def started(**options) -> tuple[MqttBridge, FakeConnector, Clock, Home]:
    connector, clock, home = FakeConnector(), Clock(), Home()
    bridge = bridge_over(connector, clock, home, **options)
    bridge.startService()
    return bridge, connector, clock, home


def test_on_connecting_it_says_online_then_publishes_discovery_and_state_retained():
    bridge, connector, _, _ = started()
    assert connector.will == (AVAILABILITY, "offline")
    session = connector.accept()
    session.ack_all()
    assert session.published[0] == (AVAILABILITY, "online", True)
    assert all(retain for _, _, retain in session.published)
    sent = session.last()
    assert "homeassistant/climate/house/climate/config" in sent
    assert "homeassistant/sensor/house/sensor_living/config" in sent
    assert (sent[LIVING], sent[TARGET]) == ("19.5", "20")
    assert session.subscriptions == ["rpymostat/house/climate/set/+", "homeassistant/status"]


def test_when_home_assistant_comes_online_everything_is_published_again():
    bridge, connector, _, _ = started()
    session = connector.accept()
    session.ack_all()
    first = list(session.published)
    session.command("homeassistant/status", b"offline")
    assert session.published == first
    session.command("homeassistant/status", b"online")
    session.ack_all()
    assert session.published[len(first):] == first


def test_only_what_changed_is_sent_again():
    bridge, connector, _, home = started()
    session = connector.accept()
    session.ack_all()
    before = len(session.published)
    bridge.refresh()
    assert len(session.published) == before
    home.snapshot = replace(HOME, sensors=(SensorState("living", "Living room", 19.75, False),))
    bridge.refresh()
    assert session.published[before:] == [(LIVING, "19.75", True)]


def test_a_deleted_sensor_is_emptied_so_home_assistant_drops_it():
    bridge, connector, _, home = started()
    session = connector.accept()
    session.ack_all()
    config = "homeassistant/sensor/house/sensor_living/config"
    assert session.last()[config]
    before = len(session.published)

    home.snapshot = replace(HOME, sensors=())
    bridge.refresh()
    session.ack_all()

    assert sorted(session.published[before:]) == [(config, "", True), (LIVING, "", True)]
    bridge.refresh()
    assert len(session.published) == before + 2


def test_retries_back_off_doubling_up_to_the_cap_and_start_again_after_a_connection():
    bridge, connector, clock, _ = started(backoff_min=1.0, backoff_max=8.0)
    waits = []
    for _ in range(6):
        connector.refuse()
        attempts = connector.attempts
        waited = 0.0
        while connector.attempts == attempts:
            clock.advance(0.5)
            waited += 0.5
        waits.append(waited)
    assert waits == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    assert bridge.counters.connection_failures == 6
    session = connector.accept()
    session.lose()
    clock.advance(1.0)
    assert len(connector.pending) == 1  # back to the shortest wait after a good connection


def test_after_the_broker_comes_back_everything_is_published_again():
    bridge, connector, clock, home = started()
    first = connector.accept()
    first.ack_all()
    first.lose()
    assert not bridge.connected
    home.snapshot = replace(HOME, heat_setpoint=21.0)
    bridge.refresh()
    clock.advance(1.0)
    second = connector.accept()
    second.ack_all()
    assert second.published[0] == (AVAILABILITY, "online", True)
    assert set(second.last()) == set(first.last())
    assert second.last()[TARGET] == "21"


def test_no_more_than_max_in_flight_wait_for_the_broker():
    bridge, connector, _, _ = started(max_in_flight=3)
    session = connector.accept()
    assert len(session.published) == 3
    session.handlers.published()
    assert len(session.published) == 4
    session.ack_all()
    assert TARGET in session.last()


def test_while_the_broker_is_away_only_the_latest_value_of_each_topic_is_kept():
    bridge, connector, clock, home = started()
    connector.refuse()
    for step in range(1000):
        home.snapshot = replace(HOME, sensors=(SensorState("living", "Living room", 15 + step / 100, False),))
        bridge.refresh()
    assert len(bridge._dirty) <= len(bridge._wanted) < 20  # one value per topic, however long the outage
    assert bridge.counters.superseded == 1000  # the first value read at start, then 999 of these
    clock.advance(1.0)
    session = connector.accept()
    session.ack_all()
    assert [payload for topic, payload, _ in session.published if topic == LIVING] == ["24.99"]
    assert bridge.status() == {"connected": True, "published": len(session.published), "superseded": 1000,
                               "connections": 1, "connection_failures": 1, "commands_applied": 0,
                               "commands_refused": 0, "commands_ignored": 0, "commands_dropped": 0}


@pytest_twisted.ensureDeferred
async def test_engine_events_refresh_at_most_once_per_debounce(engine):
    bridge, connector, clock, home = started(events=engine.context.events, debounce=1.0, refresh_interval=600.0)
    assert home.reads == 1
    for _ in range(50):
        await engine.context.events.publish("readings", {"readings": []}, keep=False)
    await engine.context.events.publish("decision", {})
    assert home.reads == 1
    clock.advance(1.0)
    assert home.reads == 2
    await engine.context.events.publish("unrelated", {}, keep=False)
    clock.advance(5.0)
    assert home.reads == 2


def test_stopping_says_offline_and_leaves():
    bridge, connector, clock, _ = started()
    session = connector.accept()
    session.ack_all()
    stopped = bridge.stopService()
    assert stopped.called
    assert session.published[-1] == (AVAILABILITY, "offline", True)
    assert session.closed
    clock.advance(3600)
    assert connector.attempts == 1


def test_commands_are_ignored_unless_the_admin_granted_a_role_that_may_write():
    for role in ("none", "read"):
        bridge, connector, _, _ = started(command_role=role)
        session = connector.accept()
        session.command("rpymostat/house/climate/set/target", b"22")
        assert bridge.counters.commands_ignored == 1


@pytest.fixture
def timeline(engine):
    cache = TimelineCache(engine.store, engine.clock, "Europe/London", events=engine.context.events)
    yield cache
    cache.stop()


@pytest_twisted.ensureDeferred
async def test_commands_under_the_write_role_become_one_instant_adjustment(engine, timeline):
    await timeline.start()
    book = RuleBook(timeline)

    def current() -> Instruction:
        return timeline.current_instruction(engine.clock.seconds())

    bridge, connector, _, _ = started(command_role="write", current_instruction=current,
                                      create_adjustment=lambda body: write_adjustment(book, body, current()))
    session = connector.accept()
    session.command("rpymostat/house/climate/set/mode", b"heat")
    session.command("rpymostat/house/climate/set/target", b"22.5")
    session.command("rpymostat/house/climate/set/other", b"1")
    for target in (b"23", b"23.5"):
        engine.clock.advance(10)
        session.command("rpymostat/house/climate/set/target", target)
    while bridge._handling is not None:
        await bridge._handling
    now = current()
    assert (now.mode, now.heat_setpoint, now.source.split(":")[0]) == ("heat", 23.5, "adjustment")
    assert bridge.counters.commands_applied == 4
    assert [o.name for o in await book.active_overrides()] == ["Adjusted from Home Assistant"]


@pytest_twisted.ensureDeferred
async def test_an_adjustment_made_elsewhere_is_left_alone(engine, timeline):
    await timeline.start()
    book = RuleBook(timeline)
    ui = await book.create_override({"start": "now", "mode": "heat", "heat_setpoint": 19, "until": "next_change",
                                     "name": "Adjusted from the web UI"})
    engine.clock.advance(10)
    current = timeline.current_instruction(engine.clock.seconds())
    body = {"start": "now", "until": "next_change", "name": "Adjusted from Home Assistant", "mode": "heat",
            "heat_setpoint": 21}
    made = await write_adjustment(book, body, current)
    assert made.id != ui.id
    assert {o.id for o in await book.active_overrides()} == {ui.id, made.id}


@pytest_twisted.ensureDeferred
async def test_a_command_the_api_would_refuse_changes_nothing(engine, timeline):
    await timeline.start()
    book = RuleBook(timeline)
    bridge, connector, _, _ = started(command_role="admin", create_adjustment=book.create_override,
                                      current_instruction=lambda: Instruction("heat", heat_setpoint=20.0))
    session = connector.accept()
    for payload in (b"50", b"warm", b"\xff", b"2" * 100):
        session.command("rpymostat/house/climate/set/target", payload)
        while bridge._handling is not None:
            await bridge._handling
    assert bridge.counters.commands_refused == 4
    assert await book.active_overrides() == []


def test_commands_beyond_the_waiting_limit_are_dropped_and_counted():
    waiting = []

    def hold(body):
        from twisted.internet.defer import Deferred

        held: Deferred[None] = Deferred()
        waiting.append(held)
        return held

    bridge, connector, _, _ = started(command_role="write", create_adjustment=hold, max_pending_commands=2)
    session = connector.accept()
    for value in ("20", "21", "22", "23"):
        session.command("rpymostat/house/climate/set/target", value.encode())
    assert (len(waiting), bridge.counters.commands_dropped) == (1, 1)
    while waiting:
        waiting.pop(0).callback(None)
    assert bridge.counters.commands_applied == 3


def test_a_failed_read_of_the_engine_is_logged_and_the_next_refresh_still_runs():
    bridge, connector, clock, home = started(refresh_interval=30.0)
    session = connector.accept()
    session.ack_all()

    async def broken() -> HomeSnapshot:
        raise RuntimeError("database is locked")

    bridge.snapshot = broken
    clock.advance(30.0)
    bridge.snapshot = home.read
    home.snapshot = replace(HOME, heat_setpoint=22.0)
    clock.advance(30.0)
    session.ack_all()
    assert session.last()[TARGET] == "22"
