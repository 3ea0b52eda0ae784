"""Choosing and opening the backend named by ``RPYMOSTAT_DB_URI``."""

from __future__ import annotations

from typing import NoReturn, cast

from twisted.internet.defer import Deferred, maybeDeferred
from twisted.internet.interfaces import IReactorTime

from rpymostat.store.interface import Store, StoreError


def sqlite_path(uri: str) -> str:
    """The file path of a ``sqlite:///PATH`` URI (``sqlite:////abs`` or ``sqlite:///rel``)."""
    return uri[len("sqlite:///"):]


def open_store(uri: str, reactor: IReactorTime | None = None) -> Deferred[Store]:
    """Open (and migrate or index) the database; fires with a ready store."""
    if uri.startswith("sqlite:///"):
        from rpymostat.store.sqlite import SQLiteStore

        return SQLiteStore.open(sqlite_path(uri))
    if uri.startswith(("mongodb://", "mongodb+srv://")):
        try:
            from rpymostat.store.mongodb import MongoStore
        except ImportError as exc:
            return maybeDeferred(_raise, StoreError(f"MongoDB support is not installed ({exc}); "
                                                    "install it with: pip install 'rpymostat[engine,mongodb]'"))
        # Deferred is invariant in its result type; a MongoStore is a Store.
        return cast("Deferred[Store]", MongoStore.open(uri, reactor))
    return maybeDeferred(_raise, StoreError(f"unsupported database URI {uri!r}"))


def _raise(error: Exception) -> NoReturn:
    raise error
