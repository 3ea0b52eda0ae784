"""A clock that runs ``speed`` times faster than a real one, for the demo.

Everything in RPyMostat that waits takes an ``IReactorTime``; handing it a
:class:`ScaledClock` makes an hour of simulated house pass in a minute while
real HTTP, real timers and the real reactor do the work.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from twisted.internet.interfaces import IDelayedCall, IReactorTime
from zope.interface import implementer


@implementer(IDelayedCall)
class ScaledDelayedCall:
    """A call scheduled on the real clock, seen in scaled time."""

    def __init__(self, clock: ScaledClock, real: IDelayedCall, func: Callable[..., Any], args: tuple[Any, ...],
                 kw: dict[str, Any]) -> None:
        self._clock = clock
        self._real = real
        self.func, self.args, self.kw = func, args, kw

    def getTime(self) -> float:
        return self._clock.scaled(self._real.getTime())

    def cancel(self) -> None:
        self._real.cancel()
        self._clock._forget(self)

    def delay(self, secondsLater: float) -> None:
        self._real.delay(secondsLater / self._clock.speed)

    def reset(self, secondsFromNow: float) -> None:
        self._real.reset(secondsFromNow / self._clock.speed)

    def active(self) -> bool:
        return bool(self._real.active())

    def __repr__(self) -> str:
        return f"<ScaledDelayedCall at {self.getTime():.3f} of {self.func!r}>"


@implementer(IReactorTime)
class ScaledClock:
    """``seconds()`` is ``start + speed × real seconds elapsed``; delays shrink by ``speed``.

    ``start`` defaults to the real clock's present time, so timestamps stay
    plausible epoch seconds and simulated time runs on from the present.
    """

    def __init__(self, real: IReactorTime, speed: float, start: float | None = None) -> None:
        if not (math.isfinite(speed) and speed > 0):
            raise ValueError(f"speed must be a positive number, not {speed!r}")
        self.speed = float(speed)
        self._real = real
        self._real_start = real.seconds()
        self._start = self._real_start if start is None else start
        self._calls: list[ScaledDelayedCall] = []

    def scaled(self, real_time: float) -> float:
        """The scaled time that corresponds to a time of the real clock."""
        return self._start + self.speed * (real_time - self._real_start)

    def seconds(self) -> float:
        return self.scaled(self._real.seconds())

    def callLater(self, delay: float, callable: Callable[..., Any], *args: Any, **kw: Any) -> IDelayedCall:
        """Schedule on the real clock after ``delay / speed`` real seconds."""
        def fire() -> None:
            self._forget(call)
            callable(*args, **kw)

        real = self._real.callLater(max(0.0, delay) / self.speed, fire)
        call = ScaledDelayedCall(self, real, callable, args, kw)
        self._calls.append(call)
        return call

    def getDelayedCalls(self) -> list[IDelayedCall]:
        """The calls scheduled through this clock that have neither run nor been cancelled."""
        return list(self._calls)

    def _forget(self, call: ScaledDelayedCall) -> None:
        if call in self._calls:
            self._calls.remove(call)
