"""The equipment's state at engine start, from one relay's last report and its history (newest first)."""

from __future__ import annotations

import pytest

from rpymostat.decisions.equipment import FunctionState
from rpymostat.engine.relays.restore import combined, relay_state
from rpymostat.store.records import LogEntry

NOW = 10_000.0
FAILSAFE = 60.0


def event(at: float, on: bool, kind: str = "change") -> LogEntry:
    return LogEntry(0, "relay:boiler-pi:heat", at, {"kind": kind, "on": on, "reason": "r"})


def relay(on: bool, reported_at: float = NOW - 10, failsafe_off: bool = False) -> dict:
    return {"id": "boiler-pi:heat", "host_id": "boiler-pi", "on": on, "reported_at": reported_at,
            "failsafe_off": failsafe_off}


CASES = [
    pytest.param(relay(True), [event(9_000, True), event(8_000, False)], FunctionState(on=True, last_on=9_000),
                 id="running since its last switch on"),
    pytest.param(relay(False), [event(9_500, False, "failsafe"), event(9_000, False), event(8_000, True)],
                 FunctionState(on=False, last_off=9_000), id="a failsafe trip of a relay already off is no switch"),
    pytest.param(relay(False), [event(9_600, True, "refusal"), event(9_000, False)],
                 FunctionState(on=False, last_off=9_000), id="refusals are no switches"),
    pytest.param(relay(False), [], FunctionState(on=False, last_off=NOW), id="no history: off since the start"),
    pytest.param(relay(True), [event(9_000, False)], FunctionState(on=True, last_on=NOW),
                 id="a history that disagrees with the report: since the start"),
    pytest.param(relay(False), [event(NOW + 30, False)], FunctionState(on=False, last_off=NOW),
                 id="a daemon clock ahead of the engine's: no later than now"),
    pytest.param(relay(True, reported_at=NOW - 500, failsafe_off=True), [event(8_000, True)],
                 FunctionState(on=False, last_off=NOW - 500 + FAILSAFE),
                 id="silent daemon: off from when its failsafe tripped at the latest"),
]


@pytest.mark.parametrize(("reported", "history", "expected"), CASES)
def test_a_relay_starts_as_its_report_and_history_say(reported, history, expected):
    assert relay_state(reported, history, FAILSAFE, NOW) == expected


def test_a_function_runs_while_any_of_its_relays_runs_and_rests_from_the_last_to_stop():
    one_on = combined([FunctionState(on=True, last_on=9_000), FunctionState(on=False, last_off=9_500)], NOW)
    both_off = combined([FunctionState(on=False, last_off=9_000), FunctionState(on=False, last_off=9_500)], NOW)
    no_relay = combined([], NOW)

    assert one_on == FunctionState(on=True, last_on=9_000)
    assert both_off == FunctionState(on=False, last_off=9_500)
    assert no_relay == FunctionState(on=False, last_off=NOW)
