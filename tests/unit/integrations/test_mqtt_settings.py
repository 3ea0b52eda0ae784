"""The MQTT settings: off by default, checked at start-up, the password never shown."""

from __future__ import annotations

import pytest

from rpymostat.config import ConfigError, EngineConfig
from rpymostat.integrations.mqtt_config import BrokerAddress, broker_address


def config(**environ: str) -> EngineConfig:
    return EngineConfig.from_environ({"RPYMOSTAT_TIMEZONE": "UTC", **environ})


def test_mqtt_is_off_unless_a_url_is_given():
    settings = config()
    assert settings.mqtt_url is None
    assert (settings.mqtt_discovery_prefix, settings.mqtt_node_id, settings.mqtt_command_role) == (
        "homeassistant", "rpymostat", "none")


@pytest.mark.parametrize(("url", "expected"), [
    ("mqtt://broker.lan", BrokerAddress("broker.lan", 1883, False)),
    ("mqtts://broker.lan", BrokerAddress("broker.lan", 8883, True)),
    ("mqtt://ha:s%40cret@10.0.0.2:1884/", BrokerAddress("10.0.0.2", 1884, False, "ha", "s@cret")),
])
def test_the_url_names_the_broker_and_the_sign_in(url, expected):
    assert broker_address(config(RPYMOSTAT_MQTT_URL=url).mqtt_url or "") == expected


def test_separate_user_and_password_win_over_the_urls():
    settings = config(RPYMOSTAT_MQTT_URL="mqtt://old:pw@broker", RPYMOSTAT_MQTT_USERNAME="ha",
                      RPYMOSTAT_MQTT_PASSWORD="new")
    address = broker_address(settings.mqtt_url or "", settings.mqtt_username, settings.mqtt_password)
    assert (address.username, address.password) == ("ha", "new")


@pytest.mark.parametrize(("variable", "value", "message"), [
    ("RPYMOSTAT_MQTT_URL", "http://broker", "not an mqtt:// or mqtts:// URL"),
    ("RPYMOSTAT_MQTT_URL", "mqtt://", "names no broker host"),
    ("RPYMOSTAT_MQTT_URL", "mqtt://broker:99999", "port that is not a number"),
    ("RPYMOSTAT_MQTT_URL", "mqtt://broker/topic", "has a path"),
    ("RPYMOSTAT_MQTT_NODE_ID", "my house", "letters, digits"),
    ("RPYMOSTAT_MQTT_DISCOVERY_PREFIX", "home/#", "not a topic prefix"),
    ("RPYMOSTAT_MQTT_COMMAND_ROLE", "owner", "not one of none, read, write, admin"),
])
def test_a_bad_value_stops_the_start_naming_the_variable(variable, value, message):
    with pytest.raises(ConfigError, match=f"{variable}: .*{message}"):
        config(**{variable: value})


def test_show_config_hides_both_passwords():
    environ = {"RPYMOSTAT_TIMEZONE": "UTC", "RPYMOSTAT_MQTT_URL": "mqtt://ha:urlsecret@broker",
               "RPYMOSTAT_MQTT_PASSWORD": "varsecret"}
    shown = {row["variable"]: row["value"] for row in EngineConfig.from_environ(environ).describe(environ)}
    assert shown["RPYMOSTAT_MQTT_URL"] == "mqtt://ha:***@broker"
    assert shown["RPYMOSTAT_MQTT_PASSWORD"] == "***"
    assert "secret" not in repr(shown)
