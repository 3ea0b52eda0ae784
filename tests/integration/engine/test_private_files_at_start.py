"""The engine's secrets are private on disk whatever the umask, and it warns at start of any that are not."""

from __future__ import annotations

import os
import stat

import pytest

from rpymostat.testing.processes import EngineProcess


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def engine(tmp_path):
    """An engine whose data directory does not exist yet (the test's folder keeps the logs)."""
    process = EngineProcess.prepare(tmp_path, RPYMOSTAT_DATA_DIR=str(tmp_path / "data"),
                                    RPYMOSTAT_DB_URI=f"sqlite:///{tmp_path}/data/rpymostat.sqlite")
    yield process
    process.kill()


def test_under_an_open_umask_the_engine_makes_its_files_private(engine):
    previous = os.umask(0)  # the child inherits it
    try:
        engine.start()
    finally:
        os.umask(previous)
    data = engine.data_dir / "data"
    assert mode(data) == 0o700
    for name in ("admin-key", "rpymostat.sqlite", "rpymostat.sqlite-wal", "rpymostat.sqlite-shm"):
        assert mode(data / name) == 0o600, name
    assert "open to other users" not in engine.log()
    assert engine.stop() == 0


def test_files_others_can_read_are_named_at_start_with_the_command_that_fixes_them(engine):
    engine.start()
    assert engine.stop() == 0
    data = engine.data_dir / "data"
    data.chmod(0o755)
    (data / "rpymostat.sqlite").chmod(0o644)

    engine.start()

    log = engine.log()
    assert f"{data} is open to other users (mode 0755); run: chmod 700 {data}" in log
    database = data / "rpymostat.sqlite"
    assert f"{database} is open to other users (mode 0644); run: chmod 600 {database}" in log
    assert "admin-key is open" not in log
    assert mode(database) == 0o644, "the engine reports; it does not change the admin's files"
    assert engine.stop() == 0
