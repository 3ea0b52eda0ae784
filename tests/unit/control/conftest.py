"""Fixtures for the control daemon's unit tests: mock GPIO pins and a fake clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from gpiozero.pins.mock import MockFactory
from twisted.internet.task import Clock
from twisted.logger import LogEvent, LogLevel, formatEvent, globalLogPublisher

from rpymostat.testing.pins import mock_pins
from rpymostat_control.guard import RelayGuard
from rpymostat_control.relay_config import parse_relays
from rpymostat_control.relays import make_relay_id
from rpymostat_control.relays.gpio import open_gpio_relays
from tests.unit.control.house import HOST, HOUSE


@pytest.fixture
def pin_factory() -> Iterator[MockFactory]:
    """gpiozero's mock pins, released after the test so the next one starts clean."""
    with mock_pins() as factory:
        yield factory


@pytest.fixture
def warnings() -> Iterator[list[str]]:
    """The control daemon's warnings and errors (its own and its device toolkit's), as its log shows them."""
    lines: list[str] = []

    def observe(event: LogEvent) -> None:
        namespace = str(event.get("log_namespace", ""))
        if (namespace.startswith(("rpymostat_control", "rpymostat.common"))
                and event["log_level"] in (LogLevel.warn, LogLevel.error)):
            lines.append(formatEvent(event))

    globalLogPublisher.addObserver(observe)
    yield lines
    globalLogPublisher.removeObserver(observe)


@pytest.fixture
def clock() -> Clock:
    clock = Clock()
    clock.advance(1_800_000_000)
    return clock


@pytest.fixture
def make_guard(pin_factory: MockFactory, clock: Clock) -> Iterator[Callable[..., RelayGuard]]:
    """Build a guard over mock-pin relays declared as in RPYMOSTAT_CONTROL_RELAYS.

    Each relay's function is the one its name suggests.
    """
    guards: list[RelayGuard] = []

    def build(declaration: str = HOUSE, **options: Any) -> RelayGuard:
        specs = parse_relays(declaration)
        relays = open_gpio_relays(HOST, specs, pin_factory)
        functions = {
            make_relay_id(HOST, s.name): s.suggested_function
            for s in specs
            if s.suggested_function is not None
        }
        guard = RelayGuard(relays, clock, functions, **options)
        guards.append(guard)
        return guard

    yield build
    for guard in guards:
        guard.close()
