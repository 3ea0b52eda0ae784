"""Engine events become InfluxDB points at their own times, the same line every time."""

from __future__ import annotations

from rpymostat.integrations.lines import event_lines, line

READINGS = {"host_id": "00000000c0ffee01", "readings": [
    {"sensor_id": "28-0000075a1b2c", "value": 21.5, "at": "2026-09-21T14:13:20.125Z"},
    {"sensor_id": "28-unplugged", "value": None, "at": "2026-09-21T14:13:20.125Z"},
]}


def test_a_reading_is_a_temperature_point_at_the_time_it_was_taken():
    assert event_lines("readings", READINGS) == [
        "temperature,host_id=00000000c0ffee01,sensor_id=28-0000075a1b2c value=21.5 1790000000125"]


def test_the_same_event_always_gives_the_same_line_so_a_resent_point_overwrites_itself():
    assert event_lines("readings", READINGS) == event_lines("readings", dict(READINGS))


def test_relay_switches_are_points_and_refusals_are_not():
    data = {"host_id": "pi4", "events": [
        {"relay_id": "pi4:furnace", "function": "heat", "kind": "change", "on": True, "at": "2026-09-21T14:13:20Z",
         "reason": "heat: living room 19.2 °C"},
        {"relay_id": "pi4:ac", "function": "cool", "kind": "refusal", "on": True, "at": "2026-09-21T14:13:21Z",
         "reason": "interlock"},
    ]}
    assert event_lines("relay_events", data) == [
        'relay,function=heat,host_id=pi4,kind=change,relay_id=pi4:furnace on=true,reason="heat: living room 19.2 °C" '
        "1790000000000"]


def test_a_decision_is_one_point_with_what_was_wanted_and_why():
    data = {"equipment_changed": True, "decision": {
        "at": "2026-09-21T14:13:20Z", "desired": "heat", "plugin": "hysteresis", "alerts": [],
        "temperature": {"value": 19.25}, "outdoor": None,
        "instruction": {"mode": "heat", "heat_setpoint": 21.0, "cool_setpoint": None}}}
    assert event_lines("decision", data) == [
        'decision,mode=heat,plugin=hysteresis desired="heat",temperature=19.25,heat_setpoint=21.0,alerts=0i,'
        "equipment_changed=true 1790000000000"]


def test_other_events_give_no_points():
    assert event_lines("alerts", {"alerts": []}) == []


def test_special_characters_are_escaped_and_a_point_without_fields_is_left_out():
    assert line("temp", {"room": "living room, north", "empty": ""}, {"note": 'say "hi"\\', "v": 1.0}, 5) == (
        'temp,room=living\\ room\\,\\ north note="say \\"hi\\"\\\\",v=1.0 5')
    assert line("temp", {"room": "x"}, {"v": None, "w": float("nan")}, 5) is None
