"""How long to wait before retrying the engine.

Exponential back-off with "full jitter": each delay is drawn uniformly
between zero and a ceiling that doubles (by ``factor``) after each failure,
up to ``maximum``. Drawing from the whole range spreads a room full of
sensors apart after an engine restart, instead of having them retry in
lockstep. Pure: the randomness is injected so tests are repeatable.
"""

from __future__ import annotations

import random


class Backoff:
    """Delays for consecutive failed attempts; :meth:`reset` after a success."""

    def __init__(self, initial: float, maximum: float, factor: float = 2.0, rng: random.Random | None = None) -> None:
        if initial <= 0:
            raise ValueError("the initial back-off delay must be positive")
        if maximum < initial:
            raise ValueError("the maximum back-off delay must be at least the initial delay")
        if factor < 1:
            raise ValueError("the back-off factor must be at least 1")
        self.initial = initial
        self.maximum = maximum
        self.factor = factor
        self._rng = rng if rng is not None else random.Random()
        self._ceiling = initial

    @property
    def ceiling(self) -> float:
        """The longest delay the next call may return."""
        return self._ceiling

    def next_delay(self) -> float:
        """Seconds to wait before the next attempt; each call counts one more failure."""
        delay = self._rng.uniform(0.0, self._ceiling)
        self._ceiling = min(self.maximum, self._ceiling * self.factor)
        return delay

    def reset(self) -> None:
        """Start again from the initial delay (call after a success)."""
        self._ceiling = self.initial
