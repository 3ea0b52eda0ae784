"""While the engine does not answer, tries spread out, readings keep spooling, and the log stays short."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from twisted.internet.defer import fail, succeed
from twisted.internet.error import ConnectionRefusedError
from twisted.internet.task import Clock
from twisted.logger import LogEvent, LogLevel, formatEvent, globalLogPublisher

from rpymostat.common.backoff import Backoff
from rpymostat.common.discovery import StaticLocator
from rpymostat.common.http import SignedJsonClient
from rpymostat_sensor.enrolment import Enrolment
from rpymostat_sensor.link import EngineLink
from rpymostat_sensor.pusher import Pusher
from rpymostat_sensor.sources.base import SensorSample
from rpymostat_sensor.spool import Spool
from tests.unit.sensor.deferreds import result_of, run_now

URL = "http://10.200.0.1:8088"
HOST = "room-1"
SECRET = "s" * 32


class Ceiling(random.Random):
    """Always the longest delay allowed, so the schedule is exact."""

    def uniform(self, a: float, b: float) -> float:
        return b


class Response:
    def __init__(self, code: int) -> None:
        self.code = code

    def content(self) -> Any:
        return succeed(b"{}")


class Engine:
    """An HTTP client double: refuses connections while down, else approves and accepts everything."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.up = False
        self.tries: list[float] = []
        self.accepted = 0

    def request(self, method: str, url: str, **kwargs: Any) -> Any:
        self.tries.append(self.clock.seconds())
        if not self.up:
            return fail(ConnectionRefusedError("engine down"))
        if method == "PUT":
            self.accepted += 1
            return succeed(Response(201))
        return succeed(Response(200))


@pytest.fixture
def log_lines() -> Iterator[list[tuple[LogLevel, str]]]:
    lines: list[tuple[LogLevel, str]] = []

    def observe(event: LogEvent) -> None:
        if str(event.get("log_namespace", "")).startswith("rpymostat_sensor"):
            lines.append((event["log_level"], formatEvent(event)))

    globalLogPublisher.addObserver(observe)
    yield lines
    globalLogPublisher.removeObserver(observe)


def build(tmp_path: Path) -> tuple[Clock, Engine, Spool, EngineLink]:
    clock = Clock()
    engine = Engine(clock)
    spool = result_of(Spool.open(tmp_path / "spool.sqlite", HOST, runner=run_now))
    client = SignedJsonClient(engine, clock, HOST, SECRET)
    link = EngineLink(clock, StaticLocator(URL), Enrolment(client, dict), Pusher(spool, client), spool, HOST,
                      SECRET, interval=60, info_interval=900, backoff=Backoff(1, 60, rng=Ceiling()))
    return clock, engine, spool, link


def take_reading(clock: Clock, spool: Spool, link: EngineLink) -> None:
    result_of(spool.append([SensorSample("t1", "DS18B20", 20.0, clock.seconds())]))
    link.kick()


def test_tries_spread_out_to_the_ceiling_while_readings_keep_spooling(tmp_path: Path) -> None:
    clock, engine, spool, link = build(tmp_path)
    link.start()
    for _ in range(300):  # five minutes in one-second steps, a reading every ten seconds
        clock.advance(1)
        if clock.seconds() % 10 == 0:
            take_reading(clock, spool, link)

    gaps = [later - earlier for earlier, later in zip(engine.tries, engine.tries[1:], strict=False)]
    assert gaps[:7] == [1, 2, 4, 8, 16, 32, 60]
    assert set(gaps[7:]) == {60}
    assert result_of(spool.count()) == 30


def test_the_first_answer_delivers_the_backlog_and_tries_start_short_again(tmp_path: Path) -> None:
    clock, engine, spool, link = build(tmp_path)
    link.start()
    for _ in range(6):
        clock.advance(10)
        take_reading(clock, spool, link)
    engine.up = True
    clock.advance(60)

    assert engine.accepted == 6 and result_of(spool.count()) == 0

    engine.up = False
    tries_before = len(engine.tries)
    take_reading(clock, spool, link)
    clock.advance(1)
    assert len(engine.tries) == tries_before + 2  # the reading's own try, then a retry one second later


def test_an_outage_is_one_warning_and_one_recovery_line(tmp_path: Path, log_lines: list) -> None:
    clock, engine, spool, link = build(tmp_path)
    link.start()
    for _ in range(30):
        clock.advance(10)
        take_reading(clock, spool, link)
    engine.up = True
    clock.advance(60)

    warnings = [text for level, text in log_lines if level >= LogLevel.warn]
    recoveries = [text for level, text in log_lines if "resumed" in text]
    assert len(warnings) == 1 and "cannot reach the engine" in warnings[0]
    assert len(recoveries) == 1 and "30 kept readings delivered" in recoveries[0]
    assert len([text for level, text in log_lines if level >= LogLevel.info]) <= 4
