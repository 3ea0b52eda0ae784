"""Engine configuration: defaults, parsing, refusals that name the variable."""

from __future__ import annotations

import dataclasses

import pytest

from rpymostat.config import SETTINGS, ConfigError, EngineConfig


def test_no_configuration_gives_a_working_default():
    config = EngineConfig.from_environ({})
    assert config.port == 8088
    assert config.host == "0.0.0.0"
    assert config.db_uri.startswith("sqlite:///") and config.db_uri.endswith("rpymostat.sqlite")
    assert config.discovery is True


def test_every_setting_has_a_field_and_a_description():
    assert {s.attribute for s in SETTINGS} == {f.name for f in dataclasses.fields(EngineConfig)}
    assert all(s.description.endswith(".") and s.env_var.startswith("RPYMOSTAT_") for s in SETTINGS)


@pytest.mark.parametrize("name, value", [
    ("RPYMOSTAT_PORT", "http"), ("RPYMOSTAT_PORT", "70000"), ("RPYMOSTAT_DB_URI", "postgres://x"),
    ("RPYMOSTAT_TIMEZONE", "Nowhere/Land"), ("RPYMOSTAT_DISCOVERY", "maybe"),
    ("RPYMOSTAT_MAX_BODY_BYTES", "10"), ("RPYMOSTAT_DISCOVERY_INTERFACES", "1.2.3.4,,"),
])
def test_invalid_values_are_refused_naming_the_variable(name, value):
    with pytest.raises(ConfigError, match=name):
        EngineConfig.from_environ({name: value})


def test_values_are_parsed_to_their_types():
    config = EngineConfig.from_environ({"RPYMOSTAT_PORT": "9000", "RPYMOSTAT_DISCOVERY": "off",
                                        "RPYMOSTAT_TIMEZONE": "America/New_York",
                                        "RPYMOSTAT_DB_URI": "mongodb://db/rpymostat"})
    assert (config.port, config.discovery, config.timezone) == (9000, False, "America/New_York")


def test_describe_masks_database_passwords():
    environ = {"RPYMOSTAT_DB_URI": "mongodb://user:hunter2@db/rpymostat"}
    rows = EngineConfig.from_environ(environ).describe(environ)
    shown = next(r for r in rows if r["variable"] == "RPYMOSTAT_DB_URI")["value"]
    assert "hunter2" not in shown and "user:***@db" in shown


def test_the_data_directory_alone_moves_the_default_database(tmp_path):
    environ = {"RPYMOSTAT_DATA_DIR": str(tmp_path)}
    config = EngineConfig.from_environ(environ)
    assert config.db_uri == f"sqlite:///{tmp_path}/rpymostat.sqlite"
    shown = next(r for r in config.describe(environ) if r["variable"] == "RPYMOSTAT_DB_URI")
    assert (shown["value"], shown["default"]) == (config.db_uri, config.db_uri)


def test_an_explicit_database_wins_over_the_data_directory(tmp_path):
    environ = {"RPYMOSTAT_DATA_DIR": str(tmp_path / "files"), "RPYMOSTAT_DB_URI": f"sqlite:///{tmp_path}/db.sqlite"}
    config = EngineConfig.from_environ(environ)
    assert (config.db_uri, config.data_dir) == (f"sqlite:///{tmp_path}/db.sqlite", str(tmp_path / "files"))
    shown = next(r for r in config.describe(environ) if r["variable"] == "RPYMOSTAT_DB_URI")
    assert shown["default"] == f"sqlite:///{tmp_path}/files/rpymostat.sqlite"
