"""One decision step: defaults applied, plugin failures contained, safety always last."""

from __future__ import annotations

import pytest

from rpymostat.decisions.equipment import EquipmentState
from rpymostat.decisions.hysteresis import hysteresis
from rpymostat.decisions.safety import SafetyLimits
from rpymostat.decisions.step import decide_step
from rpymostat.decisions.weighting import SensorReading
from rpymostat.scheduling.instruction import Instruction

NOW = 100_000.0
HEAT_21 = Instruction("heat", heat_setpoint=21.0)


def step(instruction=HEAT_21, readings=None, weights=None, plugin=hysteresis, equipment=None, history=None):
    return decide_step(plugin, {}, instruction, readings if readings is not None else {"a": SensorReading(18.0, NOW)},
                       weights if weights is not None else {"a": 1.0},
                       equipment or EquipmentState.all_off_since(NOW - 3600), NOW, 300.0, SafetyLimits(),
                       history=history)


def test_a_cold_house_with_a_heat_instruction_heats():
    result = step()
    assert result.decision.desired == "heat"
    assert result.equipment.heat.on and not result.equipment.cool.on
    assert result.temperature.value == 18.0


def test_an_instruction_without_sensors_uses_the_default_weights():
    readings = {"a": SensorReading(18.0, NOW), "b": SensorReading(22.0, NOW)}
    result = step(readings=readings, weights={"a": 1.0, "b": 3.0})
    assert result.temperature.value == 21.0
    named = step(instruction=Instruction("heat", heat_setpoint=21.0, sensors={"a": 1.0}), readings=readings,
                 weights={"a": 1.0, "b": 3.0})
    assert named.temperature.value == 18.0


def test_a_failing_plugin_means_idle_with_an_alert():
    class Broken:
        name, description, options_schema = "broken", "raises", {"type": "object"}

        def decide(self, context, options):
            raise RuntimeError("boom")

    result = step(plugin=Broken())
    assert result.decision.desired == "idle"
    assert any(a.code == "plugin_error" and "boom" in a.message for a in result.decision.alerts)


def test_a_plugin_cannot_heat_when_every_sensor_is_stale():
    class AlwaysHeat:
        name, description, options_schema = "always", "heats", {"type": "object"}

        def decide(self, context, options):
            from rpymostat.decisions.model import Decision
            return Decision("heat", "always")

    result = step(plugin=AlwaysHeat(), readings={"a": SensorReading(10.0, NOW - 3600)})
    assert result.decision.desired == "idle"
    assert not result.equipment.heat.on
    assert [a.code for a in result.decision.alerts] == ["no_temperature"]


def falling(sensor_value_now: float, ages=(0, 60, 120, 180, 240)):
    """Reports falling 0.6 °C an hour to ``sensor_value_now``."""
    return [SensorReading(sensor_value_now + 0.6 / 3600 * age, NOW - age) for age in ages]


def test_the_plugin_sees_the_trend_of_the_sensors_that_count():
    readings = {"a": SensorReading(20.5, NOW), "b": SensorReading(30.0, NOW - 3600)}
    result = step(readings=readings, weights={"a": 1.0, "b": 1.0}, history={"a": falling(20.5), "b": falling(30.0)})
    assert [d.sensor_id for d in result.temperature.dropped] == ["b"]
    assert result.context.trend is not None
    assert result.context.trend.value == pytest.approx(20.5)
    assert result.context.trend.rate_per_hour == pytest.approx(-0.6)


def test_the_trend_starts_after_the_equipment_last_switched():
    equipment = EquipmentState.all_off_since(NOW - 150)
    result = step(history={"a": falling(18.0)}, equipment=equipment)
    assert result.context.trend is not None and result.context.trend.readings == 3
    assert step(history={"a": falling(18.0)}, equipment=EquipmentState.all_off_since(NOW - 90)).context.trend is None


def test_without_history_there_is_no_trend():
    assert step().context.trend is None
