"""Files only their owner may read: the database, key and secret files, spools, and their folders.

The engine's database holds device secrets and its data directory the
first admin key; a daemon's folder holds its secret. Whatever the umask,
what this module creates is mode 0600 (files) or 0700 (folders): the mode
asked of ``open``/``mkdir`` only loses bits to the umask, never gains any.
SQLite gives its ``-wal`` and ``-shm`` files the mode of the database file,
so creating that file private first keeps them private too. Files that
exist already are left as they are (an admin may have reasons); the engine
reports those wider than private at start (:func:`too_open`). Standard
library only, so the daemons can use it on a Pi Zero.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass

PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700
#: SQLite's companions of a database file in WAL mode.
SQLITE_COMPANIONS = ("-wal", "-shm")


def make_private_dir(path: str | os.PathLike[str]) -> None:
    """Create ``path`` (and missing parents) if needed; the folders made here are 0700."""
    path = os.path.abspath(os.fspath(path))
    if os.path.isdir(path):
        return
    make_private_dir(os.path.dirname(path))
    try:
        os.mkdir(path, PRIVATE_DIR_MODE)
    except FileExistsError:
        pass


def create_private_file(path: str | os.PathLike[str]) -> None:
    """Create an empty ``path`` with mode 0600 (and its folder 0700) unless it exists; never truncates."""
    if os.path.exists(path):
        return
    make_private_dir(os.path.dirname(os.path.abspath(os.fspath(path))))
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE))
    except FileExistsError:
        pass  # made meanwhile by another process; its mode is reported, not changed


def write_private_file(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to a new file only its owner can read (in a folder made 0700 if missing).

    Created exclusively: an existing file is never reused or truncated
    (``FileExistsError``), so a secret cannot land in a file someone else
    prepared with a wider mode or a link to elsewhere.
    """
    make_private_dir(os.path.dirname(os.path.abspath(os.fspath(path))))
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text + "\n")


@dataclass(frozen=True)
class OpenFile:
    """A file or folder that others than its owner may read or enter."""

    path: str
    mode: int
    is_dir: bool

    def advice(self) -> str:
        """One sentence: what is wrong and the command that fixes it."""
        private = PRIVATE_DIR_MODE if self.is_dir else PRIVATE_FILE_MODE
        return (f"{self.path} is open to other users (mode {self.mode:04o}); run: chmod {private:o} "
                f"{self.path}")


def too_open(paths: Iterable[str | os.PathLike[str]]) -> list[OpenFile]:
    """Those of ``paths`` that exist with any group or other permission; missing ones are skipped."""
    found = []
    for path in paths:
        try:
            status = os.stat(path)
        except FileNotFoundError:
            continue
        mode = stat.S_IMODE(status.st_mode)
        if mode & 0o077:
            found.append(OpenFile(os.fspath(path), mode, stat.S_ISDIR(status.st_mode)))
    return found
