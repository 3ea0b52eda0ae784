"""Home Assistant's commands become the adjustment a user would have made in the web UI."""

from __future__ import annotations

import pytest

from rpymostat.integrations.ha_commands import CommandRefused, adjustment_for, available_presets
from rpymostat.scheduling.instruction import Instruction
from rpymostat.scheduling.validation import NEXT_CHANGE

HEAT_20 = Instruction("heat", heat_setpoint=20.0)
RANGE = Instruction("auto", heat_setpoint=19.0, cool_setpoint=25.0)
OFF = Instruction("off")


@pytest.mark.parametrize(("command", "payload", "current", "expected"), [
    ("target", "21.5", HEAT_20, {"mode": "heat", "heat_setpoint": 21.5}),
    ("target", " 26 ", Instruction("cool", cool_setpoint=24.0), {"mode": "cool", "cool_setpoint": 26.0}),
    ("mode", "cool", HEAT_20, {"mode": "cool", "cool_setpoint": 24.0}),
    ("mode", "heat_cool", HEAT_20, {"mode": "auto", "heat_setpoint": 20.0, "cool_setpoint": 24.0}),
    ("mode", "heat_cool", Instruction("heat", heat_setpoint=23.5), {"mode": "auto", "heat_setpoint": 23.5,
                                                                     "cool_setpoint": 24.5}),
    ("mode", "off", RANGE, {"mode": "off"}),
    ("mode", "heat", OFF, {"mode": "heat", "heat_setpoint": 20.0}),
    ("target_low", "18", RANGE, {"mode": "auto", "heat_setpoint": 18.0, "cool_setpoint": 25.0}),
    ("target_high", "26.5", RANGE, {"mode": "auto", "heat_setpoint": 19.0, "cool_setpoint": 26.5}),
])
def test_a_command_keeps_the_rest_of_the_instruction_in_force(command, payload, current, expected):
    body = adjustment_for(command, payload, current)
    assert body == {"start": "now", "until": NEXT_CHANGE, "name": "Adjusted from Home Assistant", **expected}


@pytest.mark.parametrize(("command", "payload", "current", "why"), [
    ("mode", "dry", HEAT_20, "mode 'dry' is not one of off, heat, cool, heat_cool"),
    ("mode", "auto", HEAT_20, "mode 'auto' is not one of"),
    ("target", "warm", HEAT_20, "'warm' is not a temperature"),
    ("target", "nan", HEAT_20, "'nan' is not a temperature"),
    ("target", "21", RANGE, "a single target means nothing in mode auto"),
    ("target_low", "18", OFF, "the system is off"),
    ("preset", "away", HEAT_20, "this engine has no presets"),
])
def test_a_command_that_cannot_apply_is_refused_with_the_reason(command, payload, current, why):
    with pytest.raises(CommandRefused, match=why.replace("(", r"\(")):
        adjustment_for(command, payload, current)


def test_no_presets_are_offered_until_the_engine_has_some():
    assert available_presets() == []
