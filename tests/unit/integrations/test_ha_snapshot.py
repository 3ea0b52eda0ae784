"""What Home Assistant is shown of the engine: rooms and the outdoor sensor, relays, the decision and the instruction."""

from __future__ import annotations

from rpymostat.integrations.ha_snapshot import build_snapshot
from rpymostat.scheduling.instruction import Instruction
from rpymostat.store.records import SensorRecord


def sensor(sensor_id: str, **fields) -> SensorRecord:
    base = {"host_id": "pi", "sensor_type": "DS18B20", "alias": None, "extra": None, "last_value": 20.0,
            "last_reading_at": 1.0, "last_seen": 1.0, "first_seen": 1.0}
    return SensorRecord(sensor_id, **{**base, **fields})


SENSORS = [
    sensor("living", name="Living room"),
    sensor("hall", alias="hall-alias"),
    sensor("garden", outdoor=True, last_value=-2.0),
    sensor("spare", hidden=True),
    sensor("cpu-0", sensor_type="cpu", last_value=55.0),
]
RELAYS = [{"id": "pi-17", "name": None, "function": "heat", "on": True},
          {"id": "pi-27", "name": "AC compressor", "function": "cool", "on": False},
          {"id": "pi-22", "name": None, "function": None, "on": False}]
DECISION = {"temperature": {"value": 19.75}, "alerts": [{"code": "stale", "message": "Hall sensor is stale"}],
            "equipment": {"heat": {"on": True}, "cool": {"on": False}, "fan": {"on": True}}}


def test_rooms_and_the_outdoor_sensor_are_shown_but_hidden_and_cpu_sensors_are_not():
    snapshot = build_snapshot(Instruction("heat", heat_setpoint=21.0), DECISION, SENSORS, RELAYS)
    assert [(s.sensor_id, s.name, s.value, s.outdoor) for s in snapshot.sensors] == [
        ("living", "Living room", 20.0, False), ("hall", "hall-alias", 20.0, False),
        ("garden", "Outdoor temperature", -2.0, True)]


def test_relays_are_named_by_their_name_or_function():
    snapshot = build_snapshot(Instruction("heat", heat_setpoint=21.0), DECISION, SENSORS, RELAYS)
    assert [(r.name, r.on) for r in snapshot.relays] == [("Heat relay", True), ("AC compressor", False),
                                                         ("Relay pi-22", False)]


def test_the_decision_gives_the_temperature_what_runs_and_the_alerts_and_the_instruction_the_targets():
    snapshot = build_snapshot(Instruction("auto", heat_setpoint=20.0, cool_setpoint=25.0), DECISION, [], [])
    assert (snapshot.temperature, snapshot.running, snapshot.alerts) == (19.75, frozenset({"heat", "fan"}),
                                                                         ("Hall sensor is stale",))
    assert (snapshot.mode, snapshot.heat_setpoint, snapshot.cool_setpoint) == ("auto", 20.0, 25.0)


def test_before_the_first_decision_nothing_is_known_to_run():
    snapshot = build_snapshot(Instruction("off"), None, [], [])
    assert (snapshot.temperature, snapshot.running, snapshot.alerts, snapshot.presets) == (None, frozenset(), (), ())
