"""Configuration: RPYMOSTAT_CONTROL_* variables and flags, --show-config, refusals that name the setting."""

from __future__ import annotations

import pytest

from rpymostat_control.config import ConfigError, ControlConfig
from rpymostat_control.relay_config import RelaySpec
from rpymostat_control.runner import main, parse_args

SECRET = "a-pre-shared-secret-of-some-length"


def load(environ: dict[str, str], *argv: str) -> ControlConfig:
    return ControlConfig.load({"RPYMOSTAT_CONTROL_HOST_ID": "boiler-pi", **environ}, parse_args(list(argv)))


def test_defaults():
    config = load({})

    assert (config.engine_url, config.port, config.failsafe, config.backend) == (None, 8089, 180.0, "gpio")
    assert config.min_off == {"heat": 0.0, "cool": 300.0, "fan": 0.0, "aux": 0.0}
    assert config.relays == ()


def test_the_fixed_variables_are_read():
    config = load({
        "RPYMOSTAT_ENGINE_URL": "http://10.0.0.5:8088/",
        "RPYMOSTAT_CONTROL_SECRET": SECRET,
        "RPYMOSTAT_CONTROL_HOST": "127.0.0.1",
        "RPYMOSTAT_CONTROL_PORT": "9000",
        "RPYMOSTAT_CONTROL_RELAYS": "heat=17,cool=27,fan=22!",
        "RPYMOSTAT_CONTROL_FAILSAFE": "6",
        "RPYMOSTAT_CONTROL_MIN_OFF_COOL": "600",
    })

    assert config.engine_url == "http://10.0.0.5:8088"
    assert (config.secret, config.host, config.port, config.failsafe) == (SECRET, "127.0.0.1", 9000, 6.0)
    assert config.relays == (RelaySpec("heat", 17), RelaySpec("cool", 27), RelaySpec("fan", 22, False))
    assert config.min_off["cool"] == 600.0


def test_a_flag_wins_over_its_variable():
    config = load({"RPYMOSTAT_CONTROL_PORT": "9000"}, "--port", "9100", "--relays", "heat=5")

    assert config.port == 9100
    assert config.relays == (RelaySpec("heat", 5),)


@pytest.mark.parametrize(("variable", "value", "words"), [
    ("RPYMOSTAT_CONTROL_RELAYS", "heat=17,cool=17", "used twice"),
    ("RPYMOSTAT_CONTROL_FAILSAFE", "0", "outside"),
    ("RPYMOSTAT_CONTROL_BACKEND", "relayboard", "gpio, sim"),
    ("RPYMOSTAT_CONTROL_SECRET", "short", "16 to 256 characters"),
    ("RPYMOSTAT_CONTROL_HOST_ID", "no spaces please", "letters, digits"),
    ("RPYMOSTAT_CONTROL_HOST_ID", "-boiler", "starting with a letter or digit"),
    ("RPYMOSTAT_ENGINE_URL", "engine.local:8088", "http"),
])
def test_a_bad_value_is_refused_naming_its_variable(variable, value, words):
    with pytest.raises(ConfigError) as raised:
        load({variable: value})

    assert str(raised.value).startswith(variable)
    assert words in str(raised.value)


def test_show_config_lists_every_variable_and_masks_the_secret(monkeypatch, capsys):
    monkeypatch.setenv("RPYMOSTAT_CONTROL_HOST_ID", "boiler-pi")
    monkeypatch.setenv("RPYMOSTAT_CONTROL_SECRET", SECRET)
    monkeypatch.setenv("RPYMOSTAT_CONTROL_RELAYS", "heat=17, fan=22!")

    assert main(["--show-config"]) == 0
    out = capsys.readouterr().out

    assert SECRET not in out
    assert "RPYMOSTAT_CONTROL_SECRET=***" in out
    assert "RPYMOSTAT_CONTROL_RELAYS=heat=17,fan=22!" in out
    for name in ("RPYMOSTAT_ENGINE_URL", "RPYMOSTAT_CONTROL_HOST_ID", "RPYMOSTAT_CONTROL_HOST",
                 "RPYMOSTAT_CONTROL_PORT", "RPYMOSTAT_CONTROL_FAILSAFE", "RPYMOSTAT_CONTROL_MIN_OFF_COOL"):
        assert f"\n{name}=" in "\n" + out


def test_the_daemon_will_not_start_without_relays(monkeypatch, capsys):
    monkeypatch.setenv("RPYMOSTAT_CONTROL_HOST_ID", "boiler-pi")
    monkeypatch.delenv("RPYMOSTAT_CONTROL_RELAYS", raising=False)

    assert main([]) == 2
    assert "RPYMOSTAT_CONTROL_RELAYS" in capsys.readouterr().err


def test_a_configuration_error_exits_2_with_the_reason(monkeypatch, capsys):
    monkeypatch.setenv("RPYMOSTAT_CONTROL_HOST_ID", "boiler-pi")

    assert main(["--relays", "heat=40"]) == 2
    assert "outside the BCM GPIO range" in capsys.readouterr().err
