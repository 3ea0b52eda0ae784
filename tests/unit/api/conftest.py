"""Fixtures shared by the API tests that run a real control daemon on mock GPIO pins."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from gpiozero.pins.mock import MockFactory

from rpymostat.testing.pins import mock_pins


@pytest.fixture
def pin_factory() -> Iterator[MockFactory]:
    """gpiozero's mock pins, released after the test so the next one starts clean."""
    with mock_pins() as factory:
        yield factory
