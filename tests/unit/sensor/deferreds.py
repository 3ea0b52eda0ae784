"""Run the sensor daemon's blocking work synchronously in unit tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from twisted.internet.defer import Deferred, maybeDeferred
from twisted.python.failure import Failure


def run_now(work: Callable[[], Any]) -> Deferred:
    """A BlockingRunner that runs on the calling thread, so results are ready at once."""
    return maybeDeferred(work)


def result_of(deferred: Deferred) -> Any:
    """The result of a Deferred that must already have succeeded."""
    outcome: list[Any] = []
    deferred.addBoth(outcome.append)
    assert outcome, "the Deferred has not fired"
    if isinstance(outcome[0], Failure):
        outcome[0].raiseException()
    return outcome[0]


def failure_of(deferred: Deferred) -> Failure:
    """The Failure of a Deferred that must already have failed."""
    outcome: list[Any] = []
    deferred.addBoth(outcome.append)
    assert outcome and isinstance(outcome[0], Failure), f"expected a failure, got {outcome!r}"
    return outcome[0]
