"""A fixture that makes network-namespace LANs and always tears them down."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import pytest

from tests.support.netns import Lan, NetnsUnavailable
from tests.support.requirements import requirement_missing


@pytest.fixture
def make_lan() -> Iterator[Callable[[Sequence[str]], Lan]]:
    """``make_lan(["engine", "room"])`` gives a built LAN; skips (fails in CI) only where namespaces cannot exist."""
    made: list[Lan] = []

    def make(labels: Sequence[str]) -> Lan:
        lan = Lan(labels)
        try:
            lan.__enter__()
        except NetnsUnavailable as exc:
            requirement_missing(str(exc))
        made.append(lan)
        return lan

    yield make
    for lan in made:
        lan.close()
