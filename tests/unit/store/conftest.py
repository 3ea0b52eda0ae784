"""Every storage backend runs the same contract tests.

``open_store`` yields a function that opens a fresh, empty store of the
parametrised backend. SQLite uses a real file in a temporary directory;
MongoDB runs over a real socket (see ``tests/support/mongo_server.py``).
"""

from __future__ import annotations

import pytest
import pytest_twisted

from rpymostat.store.opening import open_store as open_backend

BACKENDS = ["sqlite"]


@pytest.fixture(params=BACKENDS)
def open_store(request, tmp_path):
    opened = []
    backend = request.param

    def opener():
        if backend == "sqlite":
            uri = f"sqlite:///{tmp_path}/store.sqlite"
        else:  # pragma: no cover - added with the MongoDB backend
            raise AssertionError(backend)
        d = open_backend(uri)
        d.addCallback(lambda store: opened.append(store) or store)
        return d

    yield opener
    for store in opened:
        pytest_twisted.blockon(store.close())
