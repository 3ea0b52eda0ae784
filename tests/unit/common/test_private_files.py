"""Whatever the umask, the files that hold secrets are 0600 and the folders made for them 0700."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
import pytest_twisted

from rpymostat.common.private_files import too_open, write_private_file
from rpymostat.common.secret_file import load_or_create_secret
from rpymostat.common.spool import open_spool_file
from rpymostat.store.records import ApiKeyRecord
from rpymostat.store.sqlite import SQLiteStore


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The most careless umask: everything created would be readable and writable by all."""
    previous = os.umask(0)
    yield
    os.umask(previous)


@pytest_twisted.ensureDeferred
async def test_the_database_and_its_wal_files_are_private_in_a_private_folder(tmp_path, open_umask):
    database = tmp_path / "data" / "rpymostat.sqlite"
    store = await SQLiteStore.open(str(database))
    try:
        await store.add_api_key(ApiKeyRecord("k1", "phone", "read", "hash1", 10.0))
        files = [database, Path(f"{database}-wal"), Path(f"{database}-shm")]
        assert all(path.exists() for path in files)
        assert [mode(path) for path in files] == [0o600, 0o600, 0o600]
        assert mode(database.parent) == 0o700
    finally:
        await store.close()


def test_a_spool_and_its_wal_files_are_private_in_a_private_folder(tmp_path, open_umask):
    spool = tmp_path / "spool" / "readings.sqlite"
    connection = open_spool_file(spool, "CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY) STRICT;")
    try:
        connection.execute("INSERT INTO t DEFAULT VALUES")
        files = [spool, Path(f"{spool}-wal"), Path(f"{spool}-shm")]
        assert [mode(path) for path in files] == [0o600, 0o600, 0o600]
        assert mode(spool.parent) == 0o700
    finally:
        connection.close()


def test_key_and_secret_files_are_private_in_private_folders(tmp_path, open_umask):
    write_private_file(str(tmp_path / "engine" / "admin-key"), "rpm_x_y")
    load_or_create_secret(str(tmp_path / "control" / "secret"), "RPYMOSTAT_CONTROL_SECRET_FILE")
    for folder, name in (("engine", "admin-key"), ("control", "secret")):
        assert mode(tmp_path / folder / name) == 0o600
        assert mode(tmp_path / folder) == 0o700


def test_an_existing_file_keeps_its_mode_and_is_reported_if_others_can_read_it(tmp_path):
    database = tmp_path / "old.sqlite"
    database.write_bytes(b"")
    database.chmod(0o644)
    tmp_path.chmod(0o755)

    found = too_open([tmp_path, database, tmp_path / "missing"])

    assert [(f.path, f.mode, f.is_dir) for f in found] == [(str(tmp_path), 0o755, True), (str(database), 0o644, False)]
    assert found[1].advice() == f"{database} is open to other users (mode 0644); run: chmod 600 {database}"
    assert found[0].advice().endswith(f"run: chmod 700 {tmp_path}")
