"""The demo and a real engine on one machine keep their own admin keys and never lock each other out.

Both default to the same data directory; the demo keeps its files in a
``demo`` folder inside it. An engine that finds an admin-key file its
database does not know says so at start, and how to get a working key.
"""

from __future__ import annotations

import subprocess

import pytest

from rpymostat.security.keys import new_api_key
from rpymostat.testing.processes import BIN, EngineProcess, free_port, http, run_script, wait_for


@pytest.fixture
def engine(tmp_path):
    process = EngineProcess.prepare(tmp_path, RPYMOSTAT_DB_URI=f"sqlite:///{tmp_path}/rpymostat.sqlite")
    yield process
    process.kill()


def run_demo_once(engine: EngineProcess) -> str:
    """Start the demo with the engine's settings (its own port), wait until it serves, stop it; its key."""
    port = free_port()
    env = {**engine.env, "RPYMOSTAT_PORT": str(port), "RPYMOSTAT_DEMO_SPEED": "600"}
    env.pop("RPYMOSTAT_DB_URI")
    key_file = engine.data_dir / "demo" / "admin-key"
    with open(engine.data_dir / "demo.log", "w") as log:
        demo = subprocess.Popen([str(BIN / "rpymostat-demo")], env=env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
    try:
        wait_for(lambda: key_file.exists() and _status(f"http://127.0.0.1:{port}") == 200, timeout=30,
                 what="the demo")
        key = key_file.read_text().strip()
        assert http("GET", f"http://127.0.0.1:{port}/v1/keys", key=key)[0] == 200
        return key
    finally:
        demo.terminate()
        demo.wait(timeout=30)


def _status(url: str) -> int | None:
    try:
        return http("GET", url + "/v1/status")[0]
    except OSError:
        return None


def test_after_the_demo_ran_the_engine_key_file_still_holds_the_engines_key(engine):
    engine.start()
    key_file = engine.data_dir / "admin-key"
    engine_key = key_file.read_text().strip()
    assert engine.stop() == 0

    demo_key = run_demo_once(engine)

    assert key_file.read_text().strip() == engine_key
    assert demo_key != engine_key
    engine.start()
    assert http("GET", engine.url + "/v1/keys", key=key_file.read_text().strip())[0] == 200
    assert "admin key file" not in engine.log()
    assert engine.stop() == 0


def test_a_key_file_the_database_does_not_know_is_reported_at_start_with_the_way_out(engine):
    engine.start()
    assert engine.stop() == 0
    key_file = engine.data_dir / "admin-key"
    foreign, _ = new_api_key("another engine's admin", "admin", 0.0)
    key_file.write_text(foreign + "\n")

    engine.start()
    log = engine.log()
    assert f"the admin key file {key_file} holds a key this engine's database does not know" in log
    assert "rpymostat-keys create --role admin" in log
    assert foreign not in log

    made = run_script("rpymostat-keys", "create", "--role", "admin", "--name", "admin", env=engine.env)
    assert made.returncode == 0
    assert http("GET", engine.url + "/v1/keys", key=made.stdout.strip())[0] == 200
    assert engine.stop() == 0
