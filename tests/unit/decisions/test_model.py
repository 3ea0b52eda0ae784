"""How decisions explain themselves."""

from __future__ import annotations

import pytest

from rpymostat.decisions.durations import format_duration
from rpymostat.decisions.model import Lockout


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(200, "3 min 20 s"), (60, "1 min"), (0.2, "1 s"), (59.01, "1 min"), (3600, "1 h"), (3725, "1 h 2 min 5 s")],
)
def test_format_duration(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


def test_lockout_sentences() -> None:
    assert Lockout("heat", "start", "minimum off time", 200).describe() == "heat starts in 3 min 20 s: minimum off time"
    assert Lockout("cool", "stop", "minimum run time", 45).describe() == "cool keeps running for 45 s: minimum run time"
