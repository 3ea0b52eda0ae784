"""Which of the engine's files hold secrets, and whether others can read them.

The SQLite database (device secrets, key hashes) with its ``-wal`` and
``-shm`` files, the admin-key file and the folders holding them should be
private to the engine's user. The engine creates them so (see
:mod:`rpymostat.common.private_files`); files made by an older version, by
hand or restored from a backup may not be, and the engine says so at start.
"""

from __future__ import annotations

import os

from rpymostat.common.private_files import SQLITE_COMPANIONS, OpenFile, too_open
from rpymostat.config import EngineConfig
from rpymostat.security.keys import ADMIN_KEY_FILENAME
from rpymostat.store.opening import sqlite_path


def secret_paths(config: EngineConfig) -> list[str]:
    """The engine's files and folders that must be private (existing or not)."""
    paths = [config.data_dir, os.path.join(config.data_dir, ADMIN_KEY_FILENAME)]
    if config.db_uri.startswith("sqlite:///"):
        database = os.path.abspath(sqlite_path(config.db_uri))
        folder = os.path.dirname(database)
        if folder != os.path.abspath(config.data_dir):
            paths.append(folder)
        paths += [database] + [database + suffix for suffix in SQLITE_COMPANIONS]
    return paths


def open_secret_files(config: EngineConfig) -> list[OpenFile]:
    """The engine's secret files and folders that other users can read or enter."""
    return too_open(secret_paths(config))
