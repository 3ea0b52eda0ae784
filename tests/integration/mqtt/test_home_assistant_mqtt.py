"""Home Assistant through a real mosquitto: discovery, state, commands, availability and a broker restart.

The engine runs as a user runs it (a process with ``RPYMOSTAT_MQTT_URL``);
another MQTT client stands in for Home Assistant: it reads what the engine
published and publishes commands as Home Assistant does.
"""

from __future__ import annotations

import json
import signal
import socket

import pytest

from rpymostat.testing.processes import EngineProcess, free_port, http, wait_for
from tests.support.ha_schema import HVAC_ACTIONS, check_discovery

NODE = "testhouse"
BASE = f"rpymostat/{NODE}"
SENSOR = "1058F50F01080047"


def reading(value: float) -> dict:
    return {"host_id": "room1", "sensors": {SENSOR: {"type": "DS18B20", "value": value, "alias": "Living room"}}}


@pytest.fixture
def engines(tmp_path):
    made: list[EngineProcess] = []

    def make(url: str, **env: str) -> EngineProcess:
        engine = EngineProcess.prepare(tmp_path, RPYMOSTAT_MQTT_URL=url, RPYMOSTAT_MQTT_NODE_ID=NODE, **env)
        made.append(engine.start())
        return engine

    yield make
    for engine in made:
        engine.kill()


def admin_key(engine: EngineProcess) -> str:
    return (engine.data_dir / "admin-key").read_text().strip()


def report(engine: EngineProcess, value: float) -> None:
    status, body = http("PUT", engine.url + "/v1/sensors/update", reading(value), key=admin_key(engine))
    assert status == 201, body


def discovered(watcher) -> dict[str, dict]:
    """Each config Home Assistant would read, by unique ID, once the climate entity and the sensor are there."""
    configs = {}
    for topic, payload in watcher.matching("homeassistant/").items():
        _, config = check_discovery(topic, payload)
        configs[config["unique_id"]] = config
    return configs if {f"{NODE}_climate", f"{NODE}_sensor_{SENSOR}"} <= set(configs) else {}


def test_home_assistant_finds_the_thermostat_and_its_rooms_with_no_yaml(mosquitto, watch, engines):
    engine = engines(mosquitto.url)
    report(engine, 19.25)
    watcher = watch(mosquitto.port)
    configs = wait_for(lambda: discovered(watcher), what="discovery configs")
    climate, room, alerts = configs[f"{NODE}_climate"], configs[f"{NODE}_sensor_{SENSOR}"], configs[f"{NODE}_alerts"]
    assert room["name"] == "Living room" and room["device_class"] == "temperature"
    assert wait_for(lambda: watcher.get(climate["current_temperature_topic"]), what="temperature") == "19.25"
    assert wait_for(lambda: watcher.get(room["state_topic"])) == "19.25"
    assert watcher.get(climate["mode_state_topic"]) in climate["modes"]
    assert watcher.get(climate["action_topic"]) in HVAC_ACTIONS
    assert watcher.get(alerts["state_topic"]) in ("ON", "OFF")
    assert watcher.get(f"{BASE}/availability") == "online"
    # Retained: a Home Assistant that starts later (a new client) gets every config and state at once.
    later = watch(mosquitto.port)
    wait_for(lambda: discovered(later), what="retained configs")
    assert all(retain for topic, _, retain in later.received if topic.startswith(("homeassistant/", BASE)))


def test_a_command_from_home_assistant_changes_the_target_the_api_shows(mosquitto, watch, engines):
    engine = engines(mosquitto.url, RPYMOSTAT_MQTT_COMMAND_ROLE="write")
    watcher = watch(mosquitto.port)
    climate = wait_for(lambda: _climate(watcher), what="climate config")
    watcher.publish(climate["mode_command_topic"], "heat")
    watcher.publish(climate["temperature_command_topic"], "22.5")

    def adjusted():
        status, body = http("GET", engine.url + "/v1/overrides", key=admin_key(engine))
        assert status == 200
        return [o for o in body["overrides"] if o["heat_setpoint"] == 22.5]

    (override,) = wait_for(adjusted, what="the adjustment in GET /v1/overrides")
    assert (override["kind"], override["mode"], override["name"]) == ("adjustment", "heat",
                                                                      "Adjusted from Home Assistant")
    assert wait_for(lambda: watcher.get(climate["temperature_state_topic"]) == "22.5", what="the new target")
    assert watcher.get(climate["mode_state_topic"]) == "heat"


def _climate(watcher) -> dict | None:
    payload = watcher.get(f"homeassistant/climate/{NODE}/climate/config")
    return None if payload is None else json.loads(payload)


def test_without_a_granted_role_commands_change_nothing(mosquitto, watch, engines):
    engine = engines(mosquitto.url)
    watcher = watch(mosquitto.port)
    climate = wait_for(lambda: _climate(watcher), what="climate config")
    watcher.publish(climate["mode_command_topic"], "heat")
    wait_for(lambda: "RPYMOSTAT_MQTT_COMMAND_ROLE is none" in engine.log(), what="the log line")
    assert http("GET", engine.url + "/v1/overrides", key=admin_key(engine))[1]["overrides"] == []


def test_a_broker_restart_is_survived_and_everything_is_published_again(mosquitto, watch, engines):
    engine = engines(mosquitto.url)
    report(engine, 20.5)
    first = watch(mosquitto.port)
    wait_for(lambda: discovered(first), what="discovery before the restart")
    mosquitto.stop()  # it keeps nothing: every retained message is gone
    wait_for(lambda: "Lost the MQTT broker" in engine.log(), what="the engine noticing")
    status, body = http("GET", engine.url + "/v1/status")
    assert status == 200 and body["integrations"]["mqtt"]["connected"] is False
    mosquitto.start()
    watcher = watch(mosquitto.port)
    configs = wait_for(lambda: discovered(watcher), timeout=30, what="discovery after the restart")
    room = configs[f"{NODE}_sensor_{SENSOR}"]
    assert wait_for(lambda: watcher.get(room["state_topic"])) == "20.5"
    assert watcher.get(f"{BASE}/availability") == "online"
    mqtt = http("GET", engine.url + "/v1/status")[1]["integrations"]["mqtt"]
    assert (mqtt["connected"], mqtt["connections"]) == (True, 2)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_home_assistant_is_told_when_the_engine_goes_away(mosquitto, watch, engines, sig):
    engine = engines(mosquitto.url)
    watcher = watch(mosquitto.port)
    wait_for(lambda: watcher.get(f"{BASE}/availability") == "online", what="online")
    engine.process.send_signal(sig)
    engine.process.wait(timeout=20)
    # A goodbye publishes offline; a killed engine's connection drops and the broker publishes its last will.
    wait_for(lambda: watcher.get(f"{BASE}/availability") == "offline", timeout=30, what="offline")


@pytest.mark.parametrize("broker", ["silent", "absent"])
def test_the_thermostat_keeps_deciding_while_the_broker_is_down(engines, broker):
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        if broker == "silent":
            silent.listen(8)  # connections complete in the kernel's backlog and are never answered
            port = silent.getsockname()[1]
        else:
            port = free_port()  # nothing listens: every attempt is refused
        engine = engines(f"mqtt://127.0.0.1:{port}")
        for value in (18.0, 18.5, 19.0, 19.5):
            report(engine, value)
            wait_for(lambda value=value: _decided(engine) == value, timeout=5, what=f"a decision on {value}")
        if broker == "absent":
            assert "Could not connect to the MQTT broker" in engine.log()


def _decided(engine: EngineProcess) -> float | None:
    status, body = http("GET", engine.url + "/v1/decisions/current", key=admin_key(engine))
    temperature = body.get("temperature") if status == 200 and isinstance(body, dict) else None
    return None if temperature is None else temperature["value"]


def test_a_restarted_home_assistant_gets_everything_again(mosquitto, watch, engines):
    engine = engines(mosquitto.url)
    report(engine, 21.0)
    watcher = watch(mosquitto.port)
    wait_for(lambda: discovered(watcher), what="discovery")
    watcher.forget()
    watcher.publish("homeassistant/status", "online")  # Home Assistant's birth message after its restart
    wait_for(lambda: any(topic.startswith("homeassistant/climate/") and not retain
                         for topic, _, retain in list(watcher.received)), what="the configs sent again")
    assert "Home Assistant came online" in engine.log()


def test_a_deleted_sensor_leaves_home_assistant_and_the_broker(mosquitto, watch, engines):
    engine = engines(mosquitto.url)
    report(engine, 19.25)
    watcher = watch(mosquitto.port)
    room = wait_for(lambda: discovered(watcher), what="discovery configs")[f"{NODE}_sensor_{SENSOR}"]
    config_topic = next(t for t, p in watcher.matching("homeassistant/").items() if SENSOR.lower() in t.lower()
                        and json.loads(p)["unique_id"] == room["unique_id"])

    status, body = http("DELETE", f"{engine.url}/v1/sensors/{SENSOR}", key=admin_key(engine))
    assert status == 200, body

    wait_for(lambda: watcher.get(config_topic) == "" and watcher.get(room["state_topic"]) == "",
             what="the sensor's config and state to be emptied")
    # A Home Assistant starting now is not offered the deleted sensor, and still finds the thermostat.
    later = watch(mosquitto.port)
    wait_for(lambda: any(t.endswith("/climate/config") for t in later.matching("homeassistant/")), what="the climate")
    assert config_topic not in later.matching("homeassistant/")
    assert room["state_topic"] not in later.matching(BASE)
