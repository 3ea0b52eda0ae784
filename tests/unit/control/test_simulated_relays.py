"""Simulated relays: the house simulator hears of every change, and only of changes."""

from __future__ import annotations

from rpymostat_control.relay_config import parse_relays
from rpymostat_control.relays.sim import SimulatedRelay, make_simulated_relays


def test_listener_hears_each_change_once() -> None:
    heard: list[tuple[str, bool]] = []
    (relay,) = make_simulated_relays(
        "demo", parse_relays("heat=17"), lambda r, on: heard.append((r.relay_id, on))
    )
    relay.set(True)
    relay.set(True)
    relay.set(False)
    relay.set(False)
    assert heard == [("demo:heat", True), ("demo:heat", False)]


def test_starts_off_and_close_turns_it_off() -> None:
    heard: list[bool] = []
    (relay,) = make_simulated_relays(
        "demo", parse_relays("cool=27"), lambda r, on: heard.append(on)
    )
    assert not relay.is_on
    relay.set(True)
    relay.close()
    assert not relay.is_on
    assert heard == [True, False]


def test_works_without_a_listener() -> None:
    relays: list[SimulatedRelay] = make_simulated_relays("demo", parse_relays("heat=17,fan=22!"))
    relays[1].set(True)
    assert [r.is_on for r in relays] == [False, True]
    assert relays[1].active_high is False
