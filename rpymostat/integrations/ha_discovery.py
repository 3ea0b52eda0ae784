"""What the engine publishes for Home Assistant: discovery configs and state, as topic → payload.

Pure functions of a :class:`HomeSnapshot`, so the payloads are tested
without a broker and the bridge only has to send what changed. Home
Assistant builds its entities from the retained configs under the discovery
prefix (``<prefix>/<component>/<node_id>/<object_id>/config``): one climate
entity, a temperature sensor per room sensor and for the outdoor sensor, a
binary sensor per relay and one for alerts, all on one device and all
unavailable when the engine's availability topic says ``offline`` (the last
will). States are plain text on their own topics (no templates), so every
Home Assistant version reads them alike.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rpymostat.scheduling.validation import SetpointLimits
from rpymostat.version import VERSION

ONLINE = "online"
OFFLINE = "offline"
ON = "ON"
OFF = "OFF"
#: RPyMostat's modes as Home Assistant names them: RPyMostat's "auto" keeps a range, which is HA's "heat_cool"
#: (HA's "auto" means "follows its own schedule", which every RPyMostat mode does).
HA_MODES = {"off": "off", "heat": "heat", "cool": "cool", "auto": "heat_cool"}
RPYMOSTAT_MODES = {ha: ours for ours, ha in HA_MODES.items()}
#: Climate commands: topic suffix → what the command changes.
COMMANDS = ("mode", "target", "target_low", "target_high", "preset")
_SAFE = re.compile(r"[^A-Za-z0-9_-]")


@dataclass(frozen=True)
class SensorState:
    sensor_id: str
    name: str
    value: float | None
    outdoor: bool


@dataclass(frozen=True)
class RelayState:
    relay_id: str
    name: str
    function: str | None
    on: bool


@dataclass(frozen=True)
class HomeSnapshot:
    """What Home Assistant shows, read from the engine at one moment.

    ``temperature`` is the weighted temperature that counts; ``running`` the
    functions the equipment is running now; ``mode`` and the setpoints are
    RPyMostat's (the effective instruction).
    """

    mode: str
    heat_setpoint: float | None
    cool_setpoint: float | None
    temperature: float | None
    running: frozenset[str]
    alerts: tuple[str, ...]
    sensors: tuple[SensorState, ...]
    relays: tuple[RelayState, ...]
    presets: tuple[str, ...] = ()
    preset: str | None = None


def object_id(kind: str, raw_id: str) -> str:
    """A topic- and ID-safe name for a sensor or relay ID (a short hash keeps two IDs that clean alike apart)."""
    clean = _SAFE.sub("_", raw_id)
    if clean != raw_id:
        clean += "_" + hashlib.sha256(raw_id.encode("utf-8")).hexdigest()[:6]
    return f"{kind}_{clean}"


class Topics:
    """Every topic one engine uses: discovery under ``prefix``, its own under ``rpymostat/<node_id>``."""

    def __init__(self, prefix: str, node_id: str) -> None:
        self.prefix = prefix
        self.node_id = node_id
        self.base = f"rpymostat/{node_id}"
        self.availability = f"{self.base}/availability"
        #: Home Assistant's own availability ("birth") topic: "online" when it (re)starts.
        self.home_assistant_status = f"{prefix}/status"
        self.alerts_attributes = f"{self.base}/alerts/attributes"

    def discovery(self, component: str, object_name: str) -> str:
        return f"{self.prefix}/{component}/{self.node_id}/{object_name}/config"

    def climate_state(self, name: str) -> str:
        return f"{self.base}/climate/{name}"

    def command(self, name: str) -> str:
        return f"{self.base}/climate/set/{name}"

    def state(self, object_name: str) -> str:
        return f"{self.base}/{object_name}/state"

    @property
    def command_filter(self) -> str:
        """The subscription that catches every command."""
        return f"{self.base}/climate/set/+"

    def command_name(self, topic: str) -> str | None:
        """Which command a topic carries, or None for a topic that is not one of ours."""
        prefix = f"{self.base}/climate/set/"
        name = topic[len(prefix):] if topic.startswith(prefix) else None
        return name if name in COMMANDS else None


def hvac_action(mode: str, running: frozenset[str]) -> str:
    """What Home Assistant shows the equipment doing (its ``hvac_action`` values)."""
    if "heat" in running:
        return "heating"
    if "cool" in running:
        return "cooling"
    if "fan" in running:
        return "fan"
    return "off" if mode == "off" else "idle"


def _device(node_id: str) -> dict[str, Any]:
    return {
        "identifiers": [f"rpymostat_{node_id}"],
        "name": "RPyMostat" if node_id == "rpymostat" else f"RPyMostat {node_id}",
        "manufacturer": "RPyMostat",
        "model": "RPyMostat engine",
        "sw_version": VERSION,
    }


def _common(topics: Topics, object_name: str, name: str) -> dict[str, Any]:
    return {
        "name": name,
        "unique_id": f"{topics.node_id}_{object_name}",
        "device": _device(topics.node_id),
        "availability": [{"topic": topics.availability, "payload_available": ONLINE,
                          "payload_not_available": OFFLINE}],
        "qos": 1,
    }


def climate_config(topics: Topics, presets: Sequence[str], limits: SetpointLimits) -> dict[str, Any]:
    config = {
        **_common(topics, "climate", "Thermostat"),
        "modes": list(HA_MODES.values()),
        "mode_state_topic": topics.climate_state("mode"),
        "mode_command_topic": topics.command("mode"),
        "current_temperature_topic": topics.climate_state("current_temperature"),
        "temperature_state_topic": topics.climate_state("target"),
        "temperature_command_topic": topics.command("target"),
        "temperature_low_state_topic": topics.climate_state("target_low"),
        "temperature_low_command_topic": topics.command("target_low"),
        "temperature_high_state_topic": topics.climate_state("target_high"),
        "temperature_high_command_topic": topics.command("target_high"),
        "action_topic": topics.climate_state("action"),
        "temperature_unit": "C",
        "precision": 0.1,
        "temp_step": 0.5,
        "min_temp": limits.minimum,
        "max_temp": limits.maximum,
        "optimistic": False,
        "retain": False,
    }
    if presets:  # Home Assistant wants the list and the command topic together, and never an empty list
        config.update(preset_modes=list(presets), preset_mode_command_topic=topics.command("preset"),
                      preset_mode_state_topic=topics.climate_state("preset"))
    return config


def sensor_config(topics: Topics, sensor: SensorState) -> dict[str, Any]:
    object_name = object_id("sensor", sensor.sensor_id)
    return {
        **_common(topics, object_name, sensor.name),
        "state_topic": topics.state(object_name),
        "device_class": "temperature",
        "state_class": "measurement",
        "unit_of_measurement": "°C",
        "suggested_display_precision": 1,
    }


def relay_config(topics: Topics, relay: RelayState) -> dict[str, Any]:
    object_name = object_id("relay", relay.relay_id)
    return {
        **_common(topics, object_name, relay.name),
        "state_topic": topics.state(object_name),
        "payload_on": ON,
        "payload_off": OFF,
        "device_class": "running",
    }


def alerts_config(topics: Topics) -> dict[str, Any]:
    return {
        **_common(topics, "alerts", "Alerts"),
        "state_topic": topics.state("alerts"),
        "payload_on": ON,
        "payload_off": OFF,
        "device_class": "problem",
        "json_attributes_topic": topics.alerts_attributes,
    }


def discovery_messages(topics: Topics, snapshot: HomeSnapshot, limits: SetpointLimits) -> dict[str, str]:
    """Every discovery config (published retained), as topic → JSON text."""
    configs: dict[str, dict[str, Any]] = {
        topics.discovery("climate", "climate"): climate_config(topics, snapshot.presets, limits),
        topics.discovery("binary_sensor", "alerts"): alerts_config(topics),
    }
    for sensor in snapshot.sensors:
        configs[topics.discovery("sensor", object_id("sensor", sensor.sensor_id))] = sensor_config(topics, sensor)
    for relay in snapshot.relays:
        configs[topics.discovery("binary_sensor", object_id("relay", relay.relay_id))] = relay_config(topics, relay)
    return {topic: json.dumps(config, sort_keys=True) for topic, config in configs.items()}


def entity_topics(topics: Topics, snapshot: HomeSnapshot) -> frozenset[str]:
    """The config and state topics of each sensor and relay: what to empty when one is deleted."""
    entities = [("sensor", object_id("sensor", sensor.sensor_id)) for sensor in snapshot.sensors]
    entities += [("binary_sensor", object_id("relay", relay.relay_id)) for relay in snapshot.relays]
    return frozenset(topic for component, name in entities
                     for topic in (topics.discovery(component, name), topics.state(name)))


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def state_messages(topics: Topics, snapshot: HomeSnapshot) -> dict[str, str]:
    """Every state (published retained), as topic → text.

    A value the engine does not have (no temperature yet, no target in this
    mode) is left out rather than sent as a word Home Assistant would
    refuse to read as a number.
    """
    states = {
        topics.climate_state("mode"): HA_MODES.get(snapshot.mode, "off"),
        topics.climate_state("action"): hvac_action(snapshot.mode, snapshot.running),
        topics.state("alerts"): ON if snapshot.alerts else OFF,
        topics.alerts_attributes: json.dumps({"alerts": list(snapshot.alerts)}),
    }
    if snapshot.temperature is not None:
        states[topics.climate_state("current_temperature")] = _number(snapshot.temperature)
    single = {"heat": snapshot.heat_setpoint, "cool": snapshot.cool_setpoint}.get(snapshot.mode)
    if single is not None:
        states[topics.climate_state("target")] = _number(single)
    if snapshot.heat_setpoint is not None:
        states[topics.climate_state("target_low")] = _number(snapshot.heat_setpoint)
    if snapshot.cool_setpoint is not None:
        states[topics.climate_state("target_high")] = _number(snapshot.cool_setpoint)
    if snapshot.presets:
        states[topics.climate_state("preset")] = snapshot.preset or "none"
    for sensor in snapshot.sensors:
        if sensor.value is not None:
            states[topics.state(object_id("sensor", sensor.sensor_id))] = _number(sensor.value)
    for relay in snapshot.relays:
        states[topics.state(object_id("relay", relay.relay_id))] = ON if relay.on else OFF
    return states
