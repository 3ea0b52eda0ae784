"""What Home Assistant's MQTT discovery accepts, written from its documented keys, to check our payloads against.

Home Assistant drops keys it does not know without a word, so a misspelt
``current_temperature_topic`` would leave the thermostat without a
temperature and nobody told: every key we send must be one it documents,
with a value of the kind it expects.
"""

from __future__ import annotations

import json
import re
from typing import Any

DISCOVERY_TOPIC = re.compile(r"^(?P<prefix>.+)/(?P<component>[a-z_]+)/(?P<node>[A-Za-z0-9_-]+)/"
                             r"(?P<object>[A-Za-z0-9_-]+)/config$")
COMMON = {"name": str, "unique_id": str, "object_id": str, "device": dict, "availability": list,
          "availability_mode": str, "availability_topic": str, "payload_available": str,
          "payload_not_available": str, "qos": int, "icon": str, "json_attributes_topic": str,
          "enabled_by_default": bool, "entity_category": str, "encoding": str}
CLIMATE_TOPICS = ("action_topic", "current_temperature_topic", "mode_command_topic", "mode_state_topic",
                  "temperature_command_topic", "temperature_state_topic", "temperature_low_command_topic",
                  "temperature_low_state_topic", "temperature_high_command_topic", "temperature_high_state_topic",
                  "preset_mode_command_topic", "preset_mode_state_topic")
CLIMATE = {**COMMON, **dict.fromkeys(CLIMATE_TOPICS, str), "modes": list, "preset_modes": list,
           "temperature_unit": str, "precision": float, "temp_step": float, "min_temp": float, "max_temp": float,
           "optimistic": bool, "retain": bool}
SENSOR = {**COMMON, "state_topic": str, "device_class": str, "state_class": str, "unit_of_measurement": str,
          "suggested_display_precision": int, "expire_after": int, "force_update": bool}
BINARY_SENSOR = {**COMMON, "state_topic": str, "device_class": str, "payload_on": str, "payload_off": str,
                 "expire_after": int, "force_update": bool, "off_delay": int}
KEYS = {"climate": CLIMATE, "sensor": SENSOR, "binary_sensor": BINARY_SENSOR}
REQUIRED = {"climate": set(), "sensor": {"state_topic"}, "binary_sensor": {"state_topic"}}
HVAC_MODES = {"off", "heat", "cool", "heat_cool", "auto", "dry", "fan_only"}
HVAC_ACTIONS = {"off", "heating", "cooling", "drying", "idle", "fan", "preheating", "defrosting"}
DEVICE_KEYS = {"identifiers", "connections", "manufacturer", "model", "name", "sw_version", "hw_version",
               "suggested_area", "configuration_url", "via_device"}
SENSOR_CLASSES = {"temperature"}
BINARY_CLASSES = {"running", "problem", "heat", "cold", "power"}


def _topic(value: str, what: str) -> None:
    assert value and "#" not in value and "+" not in value and not value.startswith("/"), f"{what}: {value!r}"


def check_discovery(topic: str, payload: str) -> tuple[str, dict[str, Any]]:
    """Raise AssertionError naming what Home Assistant would not accept; return the component and config."""
    match = DISCOVERY_TOPIC.match(topic)
    assert match, f"{topic} is not <prefix>/<component>/<node_id>/<object_id>/config"
    component = match["component"]
    assert component in KEYS, f"{component} is not a component we mean to use"
    config = json.loads(payload)
    allowed = KEYS[component]
    for key, value in config.items():
        assert key in allowed, f"{topic}: Home Assistant does not document {key!r} for {component}"
        kind = allowed[key]
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) if kind is float else \
            isinstance(value, kind) and (kind is bool or not isinstance(value, bool))
        assert ok, f"{topic}: {key} should be {kind.__name__}, is {value!r}"
    missing = REQUIRED[component] - set(config)
    assert not missing, f"{topic}: missing {missing}"
    for key in config:
        if key.endswith("_topic"):
            _topic(config[key], f"{topic} {key}")
    assert set(config["device"]) <= DEVICE_KEYS and config["device"]["identifiers"], config["device"]
    for entry in config["availability"]:
        assert set(entry) <= {"topic", "payload_available", "payload_not_available", "value_template"}
        _topic(entry["topic"], "availability")
    if component == "climate":
        assert set(config["modes"]) <= HVAC_MODES
        assert config.get("precision") in (None, 0.1, 0.5, 1.0)
        assert config.get("temperature_unit") in (None, "C", "F")
        assert ("preset_modes" in config) == ("preset_mode_command_topic" in config), "presets need both keys"
        assert "none" not in config.get("preset_modes", [])
    if component == "sensor":
        assert config.get("device_class") in SENSOR_CLASSES
    if component == "binary_sensor":
        assert config.get("device_class") in BINARY_CLASSES
    return component, config
