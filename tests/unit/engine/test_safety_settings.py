"""The safety layer's limits are engine settings: the defaults of old, the user's values, refusals naming the variable."""

from __future__ import annotations

import pytest

from rpymostat.config import ConfigError, EngineConfig
from rpymostat.decisions.safety import SafetyLimits
from rpymostat.engine.loop.limits import configured_limits


def test_unset_the_limits_are_the_built_in_ones():
    assert configured_limits(EngineConfig.from_environ({})) == SafetyLimits()


def test_each_variable_sets_its_own_limit():
    config = EngineConfig.from_environ({
        "RPYMOSTAT_HEAT_MIN_RUN": "60", "RPYMOSTAT_HEAT_MIN_OFF": "90", "RPYMOSTAT_HEAT_MAX_RUN": "7200",
        "RPYMOSTAT_COOL_MIN_RUN": "240", "RPYMOSTAT_COOL_MIN_OFF": "600", "RPYMOSTAT_COOL_MAX_RUN": "3600",
        "RPYMOSTAT_MAX_RUN_REST": "900", "RPYMOSTAT_FROST_FLOOR": "7.5", "RPYMOSTAT_FROST_MARGIN": "0.5",
    })
    limits = configured_limits(config)
    assert dict(limits.min_on) == {"heat": 60.0, "cool": 240.0, "fan": 0.0}
    assert dict(limits.min_off) == {"heat": 90.0, "cool": 600.0, "fan": 0.0}
    assert dict(limits.max_run) == {"heat": 7200.0, "cool": 3600.0, "fan": None}
    assert (limits.forced_rest, limits.frost_floor, limits.frost_margin) == (900.0, 7.5, 0.5)


@pytest.mark.parametrize("name, value, reason", [
    ("RPYMOSTAT_HEAT_MAX_RUN", "600", "outside 3600..86400"),
    ("RPYMOSTAT_COOL_MAX_RUN", "4h", "not a whole number"),
    ("RPYMOSTAT_HEAT_MIN_RUN", "3600", "outside 0..1800"),
    ("RPYMOSTAT_COOL_MIN_OFF", "-5", "outside 0..3600"),
    ("RPYMOSTAT_MAX_RUN_REST", "0", "outside 60..7200"),
    ("RPYMOSTAT_FROST_FLOOR", "cold", "not a number"),
    ("RPYMOSTAT_FROST_FLOOR", "20", "outside 0.0..15.0"),
    ("RPYMOSTAT_FROST_MARGIN", "0", "outside 0.1..5.0"),
])
def test_a_bad_limit_is_refused_at_load_naming_the_variable(name, value, reason):
    with pytest.raises(ConfigError) as refused:
        EngineConfig.from_environ({name: value})
    assert str(refused.value).startswith(f"{name}: ") and reason in str(refused.value)
