"""API keys are stored only as hashes: the key's text is nowhere in the database.

Each backend's stored bytes are read as an operator with a copy of the
database would: the SQLite file and its write-ahead log byte for byte, the
MongoDB database's every document. The key's public ID is stored in clear,
so finding it there shows the test reads the right data.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import bson
import pytest
import pytest_twisted
from txmongo.connection import ConnectionPool

from rpymostat.security.keys import split_key
from rpymostat.testing.processes import run_script
from tests.support.engine import start_engine


@dataclass
class Backend:
    uri: str
    stored: Callable[[], Awaitable[bytes]]


def sqlite_backend(folder: Path) -> Backend:
    path = folder / "engine.sqlite"

    async def stored() -> bytes:
        files = sorted(folder.glob("engine.sqlite*"))  # the database, its -wal and -shm
        assert path in files
        return b"".join(f.read_bytes() for f in files)

    return Backend(f"sqlite:///{path}", stored)


def mongodb_backend(uri: str) -> Backend:
    async def stored() -> bytes:
        pool = ConnectionPool(uri)
        try:
            database = pool.get_default_database()
            documents = [doc for name in await database.collection_names() for doc in await database[name].find()]
            return b"".join(bson.encode(doc) for doc in documents)
        finally:
            await pool.disconnect()

    return Backend(uri, stored)


@pytest.fixture(params=["sqlite", "mongodb"])
def backend(request, tmp_path) -> Backend:
    if request.param == "sqlite":
        return sqlite_backend(tmp_path)
    return mongodb_backend(request.getfixturevalue("mongo_test_server").uri_for(f"keys_{uuid.uuid4().hex}"))


async def assert_only_the_hash_is_stored(backend: Backend, key: str) -> None:
    parts = split_key(key)
    assert parts is not None, key
    key_id, secret = parts
    stored = await backend.stored()
    assert key_id.encode() in stored
    assert secret.encode() not in stored
    assert key.encode() not in stored


@pytest_twisted.ensureDeferred
async def test_a_key_created_through_the_api_is_stored_only_as_a_hash(backend, tmp_path):
    engine = await start_engine(tmp_path, db_uri=backend.uri)
    try:
        created = await engine.request("POST", "/v1/keys", json={"name": "hall tablet", "role": "read"}, key="admin")
        assert created.code == 201
        await assert_only_the_hash_is_stored(backend, created.json["key"])
        for role in ("read", "write", "admin"):
            await assert_only_the_hash_is_stored(backend, engine.keys[role])
    finally:
        await engine.close()


@pytest_twisted.ensureDeferred
async def test_a_key_created_with_rpymostat_keys_is_stored_only_as_a_hash(backend, tmp_path):
    env = {"RPYMOSTAT_DB_URI": backend.uri, "RPYMOSTAT_DATA_DIR": str(tmp_path), "RPYMOSTAT_TIMEZONE": "UTC"}
    created = run_script("rpymostat-keys", "create", "--role", "write", "--name", "kitchen", env=env)
    assert created.returncode == 0, created.stderr
    await assert_only_the_hash_is_stored(backend, created.stdout.strip())
