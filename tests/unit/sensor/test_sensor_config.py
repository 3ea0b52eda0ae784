"""``rpymostat-sensor`` settings: variables and flags, validation, and --show-config."""

from __future__ import annotations

import pytest

from rpymostat_sensor.config import SensorConfig
from rpymostat_sensor.runner import main, parse_args

SECRET = "pre-shared-secret-0123456789"


def test_a_flag_wins_over_its_variable_and_values_are_parsed() -> None:
    args = parse_args(["--interval", "5", "--sources", "w1, cpu"])
    config = SensorConfig.load({"RPYMOSTAT_SENSOR_INTERVAL": "30", "RPYMOSTAT_SENSOR_HOST_ID": "den-pi",
                                "RPYMOSTAT_ENGINE_URL": "http://10.0.0.2:8088/"}, args)

    assert (config.interval, config.sources, config.host_id) == (5.0, ("w1", "cpu"), "den-pi")
    assert config.engine_url == "http://10.0.0.2:8088"
    assert config.secret == ""


@pytest.mark.parametrize(("variable", "value", "named"), [
    ("RPYMOSTAT_SENSOR_INTERVAL", "1", "RPYMOSTAT_SENSOR_INTERVAL"),
    ("RPYMOSTAT_SENSOR_SOURCES", "w1,thermocouple", "RPYMOSTAT_SENSOR_SOURCES"),
    ("RPYMOSTAT_SENSOR_HOST_ID", "has space", "RPYMOSTAT_SENSOR_HOST_ID"),
    ("RPYMOSTAT_SENSOR_SECRET", "short", "RPYMOSTAT_SENSOR_SECRET"),
    ("RPYMOSTAT_ENGINE_URL", "thermostat.local", "RPYMOSTAT_ENGINE_URL"),
])
def test_a_bad_value_stops_the_daemon_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], variable: str, value: str, named: str
) -> None:
    monkeypatch.setenv("RPYMOSTAT_SENSOR_HOST_ID", "den-pi")
    monkeypatch.setenv(variable, value)

    assert main(["--show-config"]) == 2
    assert named in capsys.readouterr().err


def test_show_config_lists_every_setting_and_masks_the_secret(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RPYMOSTAT_SENSOR_HOST_ID", "den-pi")
    monkeypatch.setenv("RPYMOSTAT_SENSOR_SECRET", SECRET)

    assert main(["--show-config", "--interval", "15"]) == 0
    shown = capsys.readouterr().out

    assert SECRET not in shown
    assert "RPYMOSTAT_SENSOR_SECRET=***" in shown
    assert "RPYMOSTAT_SENSOR_INTERVAL=15.0" in shown
    for name in ("RPYMOSTAT_ENGINE_URL", "RPYMOSTAT_SENSOR_HOST_ID", "RPYMOSTAT_SENSOR_W1_PATH",
                 "RPYMOSTAT_SENSOR_SPOOL", "RPYMOSTAT_SENSOR_INFO_INTERVAL", "RPYMOSTAT_SENSOR_SOURCES"):
        assert f"\n{name}=" in "\n" + shown
