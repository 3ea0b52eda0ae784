"""Export settings: a wrong URL stops the engine naming the variable; a right one gives the request to make."""

from __future__ import annotations

import base64

import pytest

from rpymostat.config import ConfigError, EngineConfig
from rpymostat.integrations.targets import amqp_target, influx_target


def config(**environ: str) -> EngineConfig:
    return EngineConfig.from_environ({"RPYMOSTAT_DATA_DIR": "/tmp/rpymostat-test", **environ})


def test_every_export_is_off_by_default():
    loaded = config()
    assert loaded.influx_url is None and loaded.amqp_url is None and loaded.amqp_exchange == "rpymostat"


@pytest.mark.parametrize(("variable", "value", "message"), [
    ("RPYMOSTAT_INFLUX_URL", "influx://host/write?db=x", "is not an http:// or https:// URL"),
    ("RPYMOSTAT_INFLUX_URL", "http://host:8086/write", "needs ?db=DATABASE"),
    ("RPYMOSTAT_INFLUX_URL", "http://host:8086/api/v2/write?org=home", "needs ?org=ORG&bucket=BUCKET"),
    ("RPYMOSTAT_INFLUX_URL", "http://host:8086/query?db=x", "the path must end with /write"),
    ("RPYMOSTAT_INFLUX_URL", "http://host:8086/write?db=x&precision=s", "leave precision out"),
    ("RPYMOSTAT_AMQP_URL", "http://u:secret@host/", "'http://u:***@host/' is not an amqp:// or amqps:// URL"),
    ("RPYMOSTAT_AMQP_URL", "amqp://host:port/", "port of the AMQP URL is not a number"),
    ("RPYMOSTAT_AMQP_EXCHANGE", "amq.topic", "is not an exchange name"),
    ("RPYMOSTAT_INFLUX_BATCH_SIZE", "0", "outside 1..10000"),
])
def test_a_bad_value_is_refused_naming_the_variable(variable, value, message):
    with pytest.raises(ConfigError) as error:
        config(**{variable: value})
    assert str(error.value).startswith(variable + ":") and message in str(error.value)
    assert "secret" not in str(error.value)


def test_a_1x_url_writes_in_milliseconds_with_its_credentials_as_basic_auth_not_in_the_url():
    target = influx_target(config(RPYMOSTAT_INFLUX_URL="http://grafana:p%40ss@db.lan:8086/write?db=home").influx_url
                           or "", None)
    assert target.url == "http://db.lan:8086/write?db=home&precision=ms"
    assert target.headers["Authorization"] == "Basic " + base64.b64encode(b"grafana:p@ss").decode()


def test_a_2x_url_sends_the_token():
    loaded = config(RPYMOSTAT_INFLUX_URL="https://cloud:8086/api/v2/write?org=home&bucket=house",
                    RPYMOSTAT_INFLUX_TOKEN="tok")
    target = influx_target(loaded.influx_url or "", loaded.influx_token)
    assert target.url == "https://cloud:8086/api/v2/write?org=home&bucket=house&precision=ms"
    assert target.headers["Authorization"] == "Token tok"


def test_show_config_hides_the_token_and_the_passwords_in_urls():
    environ = {"RPYMOSTAT_INFLUX_URL": "http://u:pw1@h:8086/write?db=x", "RPYMOSTAT_INFLUX_TOKEN": "tok",
               "RPYMOSTAT_AMQP_URL": "amqp://u:pw2@h/"}
    shown = " ".join(row["value"] for row in config(**environ).describe(environ))
    assert "pw1" not in shown and "pw2" not in shown and "tok" not in shown


def test_an_amqp_url_without_credentials_or_vhost_uses_rabbitmqs_defaults():
    target = amqp_target("amqps://broker.lan")
    assert (target.host, target.port, target.tls, target.username, target.virtual_host) == (
        "broker.lan", 5671, True, "guest", "/")
    assert amqp_target("amqp://me:pw@h:5673/house").virtual_host == "house"
