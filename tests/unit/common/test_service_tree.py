"""Service trees start in order, stop in reverse, and leave nothing running after a failed start."""

from __future__ import annotations

import pytest
from twisted.internet.defer import Deferred, succeed

from rpymostat.common.service_tree import InOrder, Opened, Step


def recorded(log: list[str], name: str, fail: bool = False) -> Step:
    def start() -> None:
        if fail:
            raise RuntimeError(f"{name} cannot start")
        log.append(f"start {name}")

    return Step(name, start, lambda: log.append(f"stop {name}"))


def tree(log: list[str], *names: str, failing: str | None = None) -> InOrder:
    top = InOrder()
    for name in names:
        recorded(log, name, fail=name == failing).setServiceParent(top)
    return top


def test_children_start_in_order_and_stop_in_reverse():
    log: list[str] = []
    top = tree(log, "store", "api", "advertiser")
    top.startService()
    top.stopService()
    assert log == ["start store", "start api", "start advertiser",
                   "stop advertiser", "stop api", "stop store"]


def test_a_child_starts_only_once_the_one_before_has_started():
    log: list[str] = []
    opening: Deferred[None] = Deferred()
    top = InOrder()
    Step("store", lambda: opening, lambda: log.append("stop store")).setServiceParent(top)
    recorded(log, "api").setServiceParent(top)
    started = top.startService()
    assert log == []
    opening.callback(None)
    assert log == ["start api"]
    assert started.called


def test_a_failing_start_stops_what_started_and_starts_nothing_after_it():
    log: list[str] = []
    top = tree(log, "store", "api", "loop", failing="api")
    failures: list[str] = []
    top.startService().addErrback(lambda f: failures.append(f.getErrorMessage()))
    assert failures == ["api cannot start"]
    assert log == ["start store", "stop store"]
    assert not top.running and not any(child.running for child in top)
    top.stopService()  # as the runner does at shutdown: nothing is stopped twice
    assert log == ["start store", "stop store"]


def test_a_stop_during_the_start_waits_for_it_then_stops_everything():
    log: list[str] = []
    opening: Deferred[None] = Deferred()
    top = InOrder()
    Step("store", lambda: opening, lambda: log.append("stop store")).setServiceParent(top)
    recorded(log, "api").setServiceParent(top)
    top.startService()
    stopped = top.stopService()
    assert not stopped.called
    opening.callback(None)
    assert log == ["start api", "stop api", "stop store"]
    assert stopped.called


def test_opened_builds_its_subtree_from_what_it_opened_and_closes_it_last():
    log: list[str] = []

    def build(store: str) -> InOrder:
        log.append(f"build with {store}")
        return tree(log, "api")

    node = Opened("store", lambda: succeed("the store"), build, lambda store: log.append(f"close {store}"))
    node.startService()
    assert node.opened == "the store"
    node.stopService()
    assert log == ["build with the store", "start api", "stop api", "close the store"]
    assert node.built is None


@pytest.mark.parametrize("failing", ["build", "api"])
def test_opened_closes_again_when_what_it_built_cannot_start(failing):
    log: list[str] = []

    def build(store: str) -> InOrder:
        if failing == "build":
            raise RuntimeError("cannot build")
        return tree(log, "api", failing="api")

    node = Opened("store", lambda: succeed("the store"), build, lambda store: log.append(f"close {store}"))
    failures: list[object] = []
    node.startService().addErrback(failures.append)
    node.stopService()
    assert len(failures) == 1
    assert log == ["close the store"]
    assert not node.running and node.built is None
