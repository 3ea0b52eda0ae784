"""Every storage backend runs the same contract tests.

``open_store`` yields a function that opens a fresh, empty store of the
parametrised backend. SQLite uses a real file in a temporary directory;
MongoDB runs over a real socket against the wire-protocol test server
(``tests/support/mongo_server.py``), and also against a real server when
``RPYMOSTAT_TEST_MONGODB_URI`` is set (a unique database per test, dropped
afterwards).
"""

from __future__ import annotations

import os
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest
import pytest_twisted
from twisted.internet.defer import inlineCallbacks
from txmongo.connection import ConnectionPool

from rpymostat.store.opening import open_store as open_backend
from tests.support.mongo_server import MongoTestServer

REAL_MONGODB_URI = os.environ.get("RPYMOSTAT_TEST_MONGODB_URI")

BACKENDS = ["sqlite", "mongodb"] + (["mongodb-real"] if REAL_MONGODB_URI else [])


def with_database(uri: str, database: str) -> str:
    """``uri`` with its path replaced by ``/database``, options kept."""
    parts = urlsplit(uri)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, parts.fragment))


@inlineCallbacks
def drop_database(uri: str):
    pool = ConnectionPool(uri)
    try:
        yield pool.drop_database(urlsplit(uri).path.lstrip("/"))
    finally:
        yield pool.disconnect()


@pytest.fixture(scope="session")
def mongo_test_server():
    with MongoTestServer() as server:
        yield server


@pytest.fixture(params=BACKENDS)
def open_store(request, tmp_path):
    opened = []
    backend = request.param
    database = f"rpymostat_test_{uuid.uuid4().hex}"
    if backend == "sqlite":
        uri = f"sqlite:///{tmp_path}/store.sqlite"
    elif backend == "mongodb":
        uri = request.getfixturevalue("mongo_test_server").uri_for(database)
    else:
        uri = with_database(REAL_MONGODB_URI, database)

    def opener():
        d = open_backend(uri)
        d.addCallback(lambda store: opened.append(store) or store)
        return d

    yield opener
    for store in opened:
        pytest_twisted.blockon(store.close())
    if backend != "sqlite":
        pytest_twisted.blockon(drop_database(uri))
