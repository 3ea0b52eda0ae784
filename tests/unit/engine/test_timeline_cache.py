"""The timeline cache: current after every change, as time passes, and across restarts."""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import pytest_twisted
from hypothesis import given, settings
from hypothesis import strategies as st
from twisted.internet.task import Clock

from rpymostat.common.timeutil import to_iso
from rpymostat.engine.schedules.book import RuleBook
from rpymostat.engine.schedules.cache import MAX_HOURS, TimelineCache, TimelineNotReady
from rpymostat.engine.schedules.resolution import resolve_rules
from rpymostat.store.opening import open_store
from tests.support.mongo_server import MongoTestServer

ZONE = "Europe/London"
HOUR = 3600.0
DAY = 24 * HOUR
MORNINGS = {"cron": "30 6 * * *", "duration": "PT2H", "mode": "heat", "heat_setpoint": 21}
EVENINGS = {"cron": "0 18 * * 1-5", "end_cron": "30 22 * * *", "mode": "heat", "heat_setpoint": 20}


def local(*fields: int) -> float:
    return datetime(*fields, tzinfo=ZoneInfo(ZONE)).timestamp()


START = local(2026, 10, 20, 12)  # the week ahead holds the autumn clock change


@pytest.fixture(scope="module")
def mongo_server():
    with MongoTestServer() as server:
        yield server


@pytest.fixture(params=["sqlite", "mongodb"])
def store_uri(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/engine.sqlite"
    return request.getfixturevalue("mongo_server").uri_for(f"rpymostat_cache_{uuid.uuid4().hex}")


@pytest_twisted.async_yield_fixture
async def opened(store_uri):
    stores = []

    async def opener():
        store = await open_store(store_uri)
        stores.append(store)
        return store

    yield opener
    for store in stores:
        await store.close()


def started_clock(at: float = START) -> Clock:
    clock = Clock()
    clock.advance(at)
    return clock


async def cache_over(store, clock: Clock, **options) -> TimelineCache:
    cache = TimelineCache(store, clock, ZONE, **options)
    await cache.start()
    return cache


def sources(segments) -> list[str]:
    return [segment.instruction.source for segment in segments]


@pytest_twisted.ensureDeferred
async def test_nothing_is_answered_before_the_first_load(opened):
    cache = TimelineCache(await opened(), started_clock(), ZONE)
    with pytest.raises(TimelineNotReady):
        cache.current_instruction(START)
    await cache.ready()
    assert cache.current_instruction(START).source == "default"
    cache.stop()


@pytest_twisted.ensureDeferred
async def test_every_change_recomputes_and_tells_subscribers(opened):
    clock = started_clock()
    cache = await cache_over(await opened(), clock)
    book = RuleBook(cache)
    updates = []
    cache.subscribe(updates.append)
    schedule = await book.create_schedule(MORNINGS)
    assert sources(cache.segments(START, 24))[1] == f"schedule:{schedule.id}"
    adjustment = await book.create_override({"start": "now", "mode": "off"})
    assert cache.current_instruction(START).source == f"adjustment:{adjustment.id}"
    assert cache.current_instruction(START).until == local(2026, 10, 21, 6, 30)
    assert cache.next_change(START) == (local(2026, 10, 21, 6, 30), cache.segments(START, 24)[1].instruction)
    await book.change_settings({"paused": True}, partial=True)
    assert cache.next_change(START) is None
    assert [update.reason for update in updates] == ["change"] * 3
    cache.stop()


@pytest_twisted.ensureDeferred
async def test_the_window_moves_on_with_the_clock_alone(opened):
    clock = started_clock()
    cache = await cache_over(await opened(), clock)
    schedule = await RuleBook(cache).create_schedule(MORNINGS)
    for _ in range(3 * 24 * 7):  # three weeks, an hour at a time, across the clock change
        clock.advance(HOUR)
        await cache.ready()
        now = clock.seconds()
        assert cache.segments(now, MAX_HOURS) == resolve_rules(cache.rules, now, now + MAX_HOURS * HOUR, ZONE)
    week = cache.segments(clock.seconds(), MAX_HOURS)
    assert sources(week).count(f"schedule:{schedule.id}") == 7
    cache.stop()


@pytest_twisted.ensureDeferred
async def test_answers_are_right_even_before_a_timer_reload_has_run(opened):
    clock = started_clock()
    cache = await cache_over(await opened(), clock)
    await RuleBook(cache).create_schedule(EVENINGS)
    clock.advance(30 * DAY)
    now = clock.seconds()
    expected = resolve_rules(cache.rules, now, now + MAX_HOURS * HOUR, ZONE)
    assert cache.segments(now, MAX_HOURS) == expected
    assert cache.current_instruction(now) == expected[0].instruction
    await cache.ready()
    cache.stop()


@pytest_twisted.ensureDeferred
async def test_any_window_cut_from_the_cache_equals_resolving_it_directly(opened):
    clock = started_clock()
    cache = await cache_over(await opened(), clock)
    book = RuleBook(cache)
    await book.create_schedule(MORNINGS)
    await book.create_schedule(EVENINGS)
    await book.create_override({"start": to_iso(START + 5 * HOUR), "until": "next_change", "mode": "off"})
    await book.create_override({"start": to_iso(START + 2 * DAY), "duration": "P2D", "mode": "heat",
                                "heat_setpoint": 12})
    await book.create_override({"start": "now", "duration": "PT3H", "mode": "cool", "cool_setpoint": 24})
    rules = cache.rules

    @settings(max_examples=200, deadline=None)
    @given(offset=st.floats(0, 10 * DAY), hours=st.integers(1, MAX_HOURS))
    def cut_equals_direct(offset: float, hours: int) -> None:
        now = START + offset
        assert cache.segments(now, hours) == resolve_rules(rules, now, now + hours * HOUR, ZONE)

    cut_equals_direct()
    cache.stop()


@pytest_twisted.ensureDeferred
async def test_a_restarted_cache_gives_the_same_timeline_without_replaying_anything(opened):
    clock = started_clock()
    first = await cache_over(await opened(), clock)
    book = RuleBook(first)
    mornings = await book.create_schedule(MORNINGS)
    await book.create_schedule(EVENINGS)
    short = await book.create_override({"start": "now", "duration": "PT1H", "mode": "off"})
    away = await book.create_override({"start": to_iso(START + DAY), "duration": "P3D", "mode": "heat",
                                       "heat_setpoint": 12})
    await book.change_settings({"default_instruction": {"mode": "heat", "heat_setpoint": 15}}, partial=True)
    first.stop()
    # The engine is down from here until 07:00 the next day: the adjustment ended, mornings began.
    clock.advance(local(2026, 10, 21, 7) - clock.seconds())
    second = await cache_over(await opened(), clock)
    now = clock.seconds()
    current = second.current_instruction(now)
    assert current.source == f"schedule:{mornings.id}" and current.until == local(2026, 10, 21, 8, 30)
    assert second.rules.override(short.id) is None and second.rules.override(away.id) is not None
    assert second.segments(now, MAX_HOURS) == resolve_rules(second.rules, now, now + MAX_HOURS * HOUR, ZONE)
    third = await cache_over(await opened(), clock)
    assert third.segments(now, MAX_HOURS) == second.segments(now, MAX_HOURS)
    second.stop()
    third.stop()


@pytest_twisted.ensureDeferred
async def test_an_override_is_deleted_at_its_end_by_the_timer(opened):
    clock = started_clock()
    store = await opened()
    cache = await cache_over(store, clock, refresh=12 * HOUR)
    override = await RuleBook(cache).create_override({"start": "now", "duration": "PT20M", "mode": "off"})
    clock.advance(20 * 60 - 1)
    await cache.ready()
    assert [rule_id for rule_id, _ in await store.list_documents("overrides")] == [override.id]
    clock.advance(1)
    await cache.ready()
    assert await store.list_documents("overrides") == []
    entries = await store.list_log("events", 10)
    assert (entries[0].data["action"], entries[0].data["id"]) == ("expired", override.id)
    cache.stop()


@pytest_twisted.ensureDeferred
async def test_refreshes_that_change_nothing_stay_quiet_and_a_failing_subscriber_harms_no_one(opened):
    clock = started_clock()
    cache = await cache_over(await opened(), clock)
    await RuleBook(cache).create_schedule(MORNINGS)
    heard = []

    def broken(update):
        raise RuntimeError("subscriber bug")

    cache.subscribe(broken)
    unsubscribe = cache.subscribe(heard.append)
    clock.advance(cache.refresh)
    await cache.ready()
    assert heard == []
    await cache.reload()
    assert [update.reason for update in heard] == ["change"]
    unsubscribe()
    await cache.reload()
    assert len(heard) == 1
    cache.stop()


@pytest_twisted.ensureDeferred
async def test_stopping_leaves_nothing_on_the_clock(opened):
    clock = started_clock()
    cache = await cache_over(await opened(), clock)
    await RuleBook(cache).create_override({"start": "now", "duration": "PT1H", "mode": "off"})
    assert clock.getDelayedCalls()
    cache.stop()
    assert clock.getDelayedCalls() == []
