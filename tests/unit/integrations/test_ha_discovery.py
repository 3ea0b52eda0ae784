"""Home Assistant discovery: every payload is one Home Assistant reads, and the states match what the engine knows."""

from __future__ import annotations

import json
import re

from rpymostat.integrations.ha_discovery import (
    HomeSnapshot,
    RelayState,
    SensorState,
    Topics,
    discovery_messages,
    object_id,
    state_messages,
)
from rpymostat.scheduling.validation import SetpointLimits
from tests.support.docs_examples import DOCS
from tests.support.ha_schema import HVAC_ACTIONS, check_discovery

TOPICS = Topics("homeassistant", "house")
HOME = HomeSnapshot(
    mode="auto", heat_setpoint=20.0, cool_setpoint=24.5, temperature=21.234, running=frozenset({"heat"}),
    alerts=(), presets=(),
    sensors=(SensorState("28-0316a2a0b6ff", "Living room", 21.25, False),
             SensorState("outdoor:garden", "Outdoor temperature", -3.5, True)),
    relays=(RelayState("boiler-1", "Boiler", "heat", True), RelayState("ac-1", "AC", "cool", False)),
)


def configs(snapshot: HomeSnapshot = HOME) -> dict[str, dict]:
    found = {}
    for topic, payload in discovery_messages(TOPICS, snapshot, SetpointLimits()).items():
        component, config = check_discovery(topic, payload)
        found[config["unique_id"]] = {"component": component, "topic": topic, **config}
    return found


def test_every_discovery_payload_uses_only_keys_home_assistant_documents():
    found = configs()
    assert sorted(c["component"] for c in found.values()) == [
        "binary_sensor", "binary_sensor", "binary_sensor", "climate", "sensor", "sensor"]


def test_the_climate_entity_offers_the_engine_modes_targets_and_what_the_equipment_does():
    climate = configs()["house_climate"]
    assert climate["topic"] == "homeassistant/climate/house/climate/config"
    assert climate["modes"] == ["off", "heat", "cool", "heat_cool"]
    for key in ("mode_command_topic", "temperature_command_topic", "temperature_low_command_topic",
                "temperature_high_command_topic"):
        assert TOPICS.command_name(climate[key]) is not None, key
    assert climate["retain"] is False  # a retained command would be replayed at every reconnect
    assert (climate["min_temp"], climate["max_temp"], climate["temperature_unit"]) == (5.0, 35.0, "C")
    assert "preset_modes" not in climate  # no presets exist yet: Home Assistant shows none


def test_presets_appear_with_their_command_topic_when_there_are_some():
    climate = configs(HomeSnapshot(**{**HOME.__dict__, "presets": ("home", "away")}))["house_climate"]
    assert climate["preset_modes"] == ["home", "away"]
    assert TOPICS.command_name(climate["preset_mode_command_topic"]) == "preset"


def test_every_entity_is_on_one_device_and_unavailable_when_the_engine_is_offline():
    found = configs()
    assert len({json.dumps(c["device"], sort_keys=True) for c in found.values()}) == 1
    for config in found.values():
        assert config["availability"] == [{"topic": "rpymostat/house/availability", "payload_available": "online",
                                           "payload_not_available": "offline"}]


def test_unique_ids_and_object_ids_stay_apart_for_ids_that_clean_up_alike():
    assert object_id("sensor", "a:b") != object_id("sensor", "a/b")
    assert object_id("sensor", "28-0316a2a0b6ff") == "sensor_28-0316a2a0b6ff"


def test_states_say_what_home_assistant_shows():
    found = configs()
    states = state_messages(TOPICS, HOME)
    climate = found["house_climate"]
    assert states[climate["mode_state_topic"]] == "heat_cool"
    assert states[climate["current_temperature_topic"]] == "21.23"
    assert (states[climate["temperature_low_state_topic"]], states[climate["temperature_high_state_topic"]]) == (
        "20", "24.5")
    assert climate["temperature_state_topic"] not in states  # a single target means nothing in heat_cool
    assert states[climate["action_topic"]] == "heating" and "heating" in HVAC_ACTIONS
    by_name = {c["name"]: c for c in found.values()}
    assert states[by_name["Living room"]["state_topic"]] == "21.25"
    assert states[by_name["Outdoor temperature"]["state_topic"]] == "-3.5"
    assert states[by_name["Boiler"]["state_topic"]] == by_name["Boiler"]["payload_on"]
    assert states[by_name["AC"]["state_topic"]] == by_name["AC"]["payload_off"]
    assert states[by_name["Alerts"]["state_topic"]] == "OFF"


def test_alerts_turn_the_problem_sensor_on_with_their_messages_as_attributes():
    snapshot = HomeSnapshot(**{**HOME.__dict__, "alerts": ("Living room sensor is stale",), "mode": "off",
                               "running": frozenset()})
    alerts = configs(snapshot)["house_alerts"]
    states = state_messages(TOPICS, snapshot)
    assert states[alerts["state_topic"]] == "ON"
    assert json.loads(states[alerts["json_attributes_topic"]]) == {"alerts": ["Living room sensor is stale"]}
    assert states[configs()["house_climate"]["action_topic"]] == "off"


def test_a_value_the_engine_does_not_have_is_not_sent():
    snapshot = HomeSnapshot(**{**HOME.__dict__, "temperature": None, "mode": "heat", "cool_setpoint": None,
                               "sensors": (SensorState("new", "New", None, False),)})
    states = state_messages(TOPICS, snapshot)
    climate = configs(snapshot)["house_climate"]
    assert climate["current_temperature_topic"] not in states
    assert states[climate["temperature_state_topic"]] == "20"
    assert climate["temperature_high_state_topic"] not in states
    assert not any(topic.endswith("sensor_new/state") for topic in states)


def test_the_topics_the_docs_list_are_the_ones_published():
    """Each topic of the docs' table (``…/x`` puts x in place of the last level of the topic before it)."""
    documented = set()
    for line in (DOCS / "integrations_mqtt.rst").read_text(encoding="utf-8").splitlines():
        if not line.startswith("``") or "  " not in line:
            continue
        names = re.findall(r"``((?:homeassistant|rpymostat|…)/[^`]+)``", line.split("  ")[0])
        for name in names:
            if name.startswith("…/"):
                name = names[0].rsplit("/", 1)[0] + name[1:]
            documented.add(name.replace("<ID>", "ID"))
    topics = Topics("homeassistant", "rpymostat")
    snapshot = HomeSnapshot(**{**HOME.__dict__, "mode": "heat", "sensors": (SensorState("ID", "Room", 20.0, False),),
                               "relays": (RelayState("ID", "Boiler", "heat", True),)})
    published = {topics.availability, *discovery_messages(topics, snapshot, SetpointLimits()),
                 *state_messages(topics, snapshot)}
    assert len(documented) == 15
    assert documented <= published, documented - published
