"""The docs' worked setup, as written: a mosquitto with TLS and a password file, and the engine's settings."""

from __future__ import annotations

import re

from rpymostat.testing.processes import EngineProcess, http, wait_for
from tests.support.docs_examples import example_source
from tests.support.mosquitto import password_file, self_signed_certificate

PAGE = "integrations_mqtt.rst"


def documented_engine_settings() -> dict[str, str]:
    return dict(line.split("=", 1) for line in example_source(PAGE, "mqtt-engine-example").splitlines() if line)


def documented_broker(cert, key, passwd) -> str:
    """The documented broker configuration with this test's port and files in place of /etc's."""
    text = example_source(PAGE, "mqtt-broker-example")
    text = re.sub(r"^listener 8883$", "", text, flags=re.M)  # the test's own listener line comes first
    text = text.replace("/etc/mosquitto/certs/broker.crt", str(cert)).replace("/etc/mosquitto/certs/broker.key",
                                                                                 str(key))
    return text.replace("/etc/mosquitto/passwd", str(passwd)).strip() + "\n"


def test_the_documented_setup_connects_over_tls_with_the_password(tmp_path, brokers, watch):
    settings = documented_engine_settings()
    cert, key = self_signed_certificate(tmp_path)
    passwd = password_file(tmp_path, settings["RPYMOSTAT_MQTT_USERNAME"], settings["RPYMOSTAT_MQTT_PASSWORD"])
    broker = brokers(tmp_path, documented_broker(cert, key, passwd))
    settings["RPYMOSTAT_MQTT_URL"] = settings["RPYMOSTAT_MQTT_URL"].replace("homeassistant.lan:8883",
                                                                            f"127.0.0.1:{broker.port}")
    settings["RPYMOSTAT_MQTT_CA_FILE"] = str(cert)
    engine = EngineProcess.prepare(tmp_path, **settings).start()
    try:
        watcher = watch(broker.port, username=settings["RPYMOSTAT_MQTT_USERNAME"],
                        password=settings["RPYMOSTAT_MQTT_PASSWORD"], ca_file=str(cert))
        wait_for(lambda: watcher.get("homeassistant/climate/rpymostat/climate/config"), what="discovery over TLS")
        assert watcher.get("rpymostat/rpymostat/availability") == "online"
        assert settings["RPYMOSTAT_MQTT_PASSWORD"] not in engine.log()
    finally:
        engine.kill()


def test_a_wrong_password_is_logged_and_retried_and_the_engine_serves_on(tmp_path, brokers):
    settings = documented_engine_settings()
    cert, key = self_signed_certificate(tmp_path)
    passwd = password_file(tmp_path, settings["RPYMOSTAT_MQTT_USERNAME"], "another-password")
    broker = brokers(tmp_path, documented_broker(cert, key, passwd))
    settings["RPYMOSTAT_MQTT_URL"] = f"mqtts://127.0.0.1:{broker.port}"
    settings["RPYMOSTAT_MQTT_CA_FILE"] = str(cert)
    engine = EngineProcess.prepare(tmp_path, **settings).start()
    try:
        wait_for(lambda: engine.log().count("Could not connect to the MQTT broker") >= 2, timeout=30,
                 what="two refused attempts")
        assert "Not authorized" in engine.log() or "Bad user name or password" in engine.log()
        assert http("GET", engine.url + "/v1/status")[0] == 200
        assert settings["RPYMOSTAT_MQTT_PASSWORD"] not in engine.log()
    finally:
        engine.kill()
