"""The engine as a user runs it: a real process, a real socket, a real database file."""

from __future__ import annotations

import os
import signal
import stat

import pytest

from rpymostat.testing.processes import EngineProcess, free_port, http, run_script

SEED = {"host_id": "myhostid",
        "sensors": {"1058F50F01080047": {"type": "DS18S20", "value": 24.3125, "alias": "some_alias",
                                         "extra": "arbitrary string"}}}


@pytest.fixture
def engine(tmp_path):
    process = EngineProcess.prepare(tmp_path)
    yield process
    process.kill()


def test_first_start_writes_a_private_admin_key_and_logs_only_its_path(engine):
    engine.start()
    key_file = engine.data_dir / "admin-key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_text().strip()
    assert key not in engine.log()
    assert engine.log().count(str(key_file)) == 1
    assert http("GET", engine.url + "/v1/keys", key=key)[0] == 200
    assert engine.stop() == 0
    engine.start()
    assert engine.log().count("admin-key") == 0


def test_an_acknowledged_reading_survives_kill_9(engine):
    engine.start()
    key = (engine.data_dir / "admin-key").read_text().strip()
    status, body = http("PUT", engine.url + "/v1/sensors/update", SEED, key=key)
    assert (status, body) == (201, {"status": "ok", "ids": ["1058F50F01080047"]})
    engine.process.send_signal(signal.SIGKILL)
    engine.process.wait(timeout=10)
    engine.start()
    status, body = http("GET", engine.url + "/v1/sensors/1058F50F01080047/readings", key=key)
    assert status == 200
    assert [r["value"] for r in body["readings"]] == [24.3125]


def test_sigterm_and_sigint_shut_down_cleanly(engine):
    for sig in (signal.SIGTERM, signal.SIGINT):
        engine.start()
        assert engine.stop(sig) == 0
        assert "Database closed" in engine.log()


def test_with_no_configuration_the_engine_serves_and_keeps_its_files_in_the_user_data_directory(tmp_path):
    data_home = tmp_path / "xdg-data"
    port = free_port()
    # Only what a login shell has, plus the network rule: tests stay on loopback.
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path / "home"), "XDG_DATA_HOME": str(data_home),
           "RPYMOSTAT_HOST": "127.0.0.1", "RPYMOSTAT_PORT": str(port), "RPYMOSTAT_DISCOVERY": "off"}
    engine = EngineProcess(tmp_path, port, env)
    try:
        engine.start()
        assert http("GET", engine.url + "/v1/status")[0] == 200
        files = data_home / "rpymostat"
        key_file = files / "admin-key"
        assert (files / "rpymostat.sqlite").is_file() and key_file.is_file()
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        assert http("GET", engine.url + "/v1/keys", key=key_file.read_text().strip())[0] == 200
        assert engine.stop() == 0
    finally:
        engine.kill()


def _shown_defaults(show_config: str) -> dict[str, str]:
    """``VARIABLE -> default`` as ``--show-config`` prints them."""
    defaults: dict[str, str] = {}
    variable = None
    for line in show_config.splitlines():
        if not line.startswith(" "):
            variable = line.split("=", 1)[0]
        elif line.strip().startswith("default:") and variable is not None:
            defaults[variable] = line.split("default:", 1)[1].strip()
    return defaults


def test_show_config_lists_every_variable_with_value_default_and_description(engine):
    from rpymostat.config import SETTINGS, EngineConfig

    result = run_script("rpymostat-engine", "--show-config", env=engine.env)
    assert result.returncode == 0
    defaults = _shown_defaults(result.stdout)
    for setting in SETTINGS:
        assert f"{setting.env_var}=" in result.stdout
        assert setting.description in result.stdout
        # The default shown is what the engine takes when that variable alone is left unset.
        unset = EngineConfig.from_environ({k: v for k, v in engine.env.items() if k != setting.env_var})
        assert setting.parse(defaults[setting.env_var]) == getattr(unset, setting.attribute), setting.env_var
    assert f"RPYMOSTAT_PORT={engine.port}" in result.stdout
    assert defaults["RPYMOSTAT_PORT"] == "8088"
    assert defaults["RPYMOSTAT_DB_URI"] == f"sqlite:///{engine.data_dir}/rpymostat.sqlite"


def test_a_bad_variable_is_named_and_the_engine_does_not_start(engine):
    result = run_script("rpymostat-engine", env={**engine.env, "RPYMOSTAT_TIMEZONE": "Mars/Olympus"})
    assert result.returncode == 2
    assert "RPYMOSTAT_TIMEZONE" in result.stderr


def test_verbose_flag_shows_debug_messages(engine):
    engine.start()
    http("GET", engine.url + "/v1/status")
    engine.stop()
    assert "GET /v1/status -> 200" not in engine.log()
    engine.start("-v")
    http("GET", engine.url + "/v1/status")
    engine.stop()
    assert "GET /v1/status -> 200" in engine.log()


def test_twice_verbose_also_shows_twisteds_own_access_log(engine):
    access_line = '"GET /v1/status HTTP/1.1" 200'
    engine.start("-v")
    http("GET", engine.url + "/v1/status")
    engine.stop()
    assert access_line not in engine.log()
    engine.start("-vv")
    http("GET", engine.url + "/v1/status")
    engine.stop()
    assert access_line in engine.log()
    assert "GET /v1/status -> 200" in engine.log()


def test_keys_cli_creates_lists_and_revokes_keys_the_engine_honours(engine):
    engine.start()
    created = run_script("rpymostat-keys", "create", "--role", "write", "--name", "kitchen tablet", env=engine.env)
    assert created.returncode == 0
    key = created.stdout.strip()
    assert created.stdout == key + "\n"
    assert http("PUT", engine.url + "/v1/sensors/update", SEED, key=key)[0] == 201
    listing = run_script("rpymostat-keys", "list", env=engine.env)
    assert "kitchen tablet" in listing.stdout and key not in listing.stdout
    key_id = key.split("_")[1]
    assert run_script("rpymostat-keys", "revoke", key_id, env=engine.env).returncode == 0
    assert http("GET", engine.url + "/v1/sensors", key=key)[0] == 401
    assert run_script("rpymostat-keys", "revoke", key_id, env=engine.env).returncode == 1


def test_keys_cli_device_secret_signs_updates(engine):
    import json
    import time

    from rpymostat.common.signing import sign_request

    engine.start()
    made = run_script("rpymostat-keys", "device", "myhostid", env=engine.env)
    assert made.returncode == 0
    secret = made.stdout.strip()
    body = json.dumps(SEED).encode()
    headers = sign_request("myhostid", secret, "PUT", "/v1/sensors/update", body, time.time())
    assert http("PUT", engine.url + "/v1/sensors/update", raw=body, headers=headers)[0] == 201
    assert os.path.exists(engine.data_dir / "engine.sqlite")
