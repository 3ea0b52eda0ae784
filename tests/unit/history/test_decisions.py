"""Equipment on/off periods and target steps read back from recorded decisions."""

from __future__ import annotations

from rpymostat.common.timeutil import to_iso
from rpymostat.history.decisions import Period, chart_fields, equipment_periods, merge_periods, target_steps


def decision(at, heat_on, since, heat=20.0, mode="heat"):
    return (at, {"instruction": {"mode": mode, "heat_setpoint": heat, "cool_setpoint": None},
                 "equipment": {"heat": {"on": heat_on, "since": to_iso(since) if since is not None else None},
                               "cool": {"on": False, "since": None}}})


def test_on_and_off_decisions_become_periods_clipped_to_the_range():
    entries = [decision(100.0, True, 95.0), decision(400.0, True, 95.0), decision(700.0, False, 690.0),
               decision(1000.0, True, 1000.0), decision(1100.0, False, 1100.0)]
    assert equipment_periods(entries, 200.0, 1050.0, 900.0) == [
        Period("heat", 200.0, 690.0, 490.0), Period("heat", 1000.0, 1050.0, 50.0)]


def test_a_last_known_on_holds_only_a_while_after_the_last_decision():
    entries = [decision(100.0, True, 100.0)]
    assert equipment_periods(entries, 0.0, 100_000.0, 900.0) == [Period("heat", 100.0, 1000.0, 900.0)]


def test_short_gaps_merge_and_keep_their_on_time():
    periods = [Period("heat", 0.0, 100.0, 100.0), Period("heat", 150.0, 200.0, 50.0),
               Period("heat", 1000.0, 1100.0, 100.0), Period("cool", 120.0, 130.0, 10.0)]
    assert merge_periods(periods, 300.0) == [Period("cool", 120.0, 130.0, 10.0), Period("heat", 0.0, 200.0, 150.0),
                                             Period("heat", 1000.0, 1100.0, 100.0)]


def test_target_steps_only_when_the_setpoints_change():
    entries = [decision(50.0, False, None, 18.0), decision(300.0, False, None, 18.0),
               decision(600.0, False, None, 21.0), decision(900.0, False, None, 21.0)]
    steps = target_steps(entries, 100.0, 1000.0)
    assert [(s.at, s.heat) for s in steps] == [(100.0, 18.0), (600.0, 21.0)]


def test_from_the_changes_alone_a_last_on_holds_after_the_last_decision_not_the_last_change():
    changes = [decision(100.0, True, 100.0)]  # then unchanged decisions until 5000
    assert equipment_periods(changes, 0.0, 100_000.0, 900.0, last_at=5000.0) == [
        Period("heat", 100.0, 5900.0, 5800.0)]


def test_the_chart_fields_of_a_decision_draw_what_the_whole_decision_draws():
    at, whole = decision(100.0, True, 90.0)
    whole = {**whole, "summary": "heating", "instruction": {**whole["instruction"], "fan": "auto"}}
    fields = chart_fields(whole)
    assert fields == {"instruction": {"mode": "heat", "heat_setpoint": 20.0, "cool_setpoint": None},
                      "equipment": {"heat": {"on": True, "since": to_iso(90.0)}, "cool": {"on": False, "since": None}}}
    assert target_steps([(at, fields)], 0.0, 200.0) == target_steps([(at, whole)], 0.0, 200.0)
    assert chart_fields({"instruction": None}) == {
        "instruction": {"mode": None, "heat_setpoint": None, "cool_setpoint": None}, "equipment": {}}
