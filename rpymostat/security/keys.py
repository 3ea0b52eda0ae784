"""API keys: ``rpm_<id>_<secret>``, of which only a hash of the secret is stored.

The public ID lets the engine find the record without scanning; the secret
has 256 bits of entropy, so one SHA-256 is enough (a slow password hash
would add nothing but latency to every request).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Iterable

from twisted.internet.defer import Deferred, inlineCallbacks
from twisted.internet.interfaces import IReactorTime

from rpymostat.common.private_files import write_private_file
from rpymostat.store.interface import Store
from rpymostat.store.records import ApiKeyRecord, Role

ROLES: tuple[Role, ...] = ("read", "write", "admin")
ROLE_RANK: dict[str, int] = {"read": 1, "write": 2, "admin": 3}
KEY_PREFIX = "rpm"
ADMIN_KEY_FILENAME = "admin-key"
KEY_CACHE_SECONDS = 0.25
#: Why the last live admin key is not revoked, for the API and the CLI alike.
LAST_ADMIN_KEY = ("this is the last live admin key; without one nobody could manage keys or approve devices. "
                  "Create another admin key first, then revoke this one")


def role_allows(have: str, need: str) -> bool:
    """Whether a key of role ``have`` may use a route that needs ``need``."""
    return ROLE_RANK[have] >= ROLE_RANK[need]


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_api_key(name: str, role: Role, now: float) -> tuple[str, ApiKeyRecord]:
    """A fresh key: the text to hand to the user once, and the record to store."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    key_id = secrets.token_hex(5)
    secret = secrets.token_urlsafe(32)
    return f"{KEY_PREFIX}_{key_id}_{secret}", ApiKeyRecord(key_id, name, role, hash_secret(secret), now)


def split_key(text: str) -> tuple[str, str] | None:
    """(key_id, secret) of a well-formed key, else None."""
    parts = text.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


def matching_live_key(record: ApiKeyRecord | None, secret: str) -> ApiKeyRecord | None:
    """``record`` when it is live and ``secret`` is its secret, else None."""
    if record is None or record.revoked_at is not None:
        return None
    if not hmac.compare_digest(record.key_hash, hash_secret(secret)):
        return None
    return record


@inlineCallbacks
def find_live_key(store: Store, text: str):  # type: ignore[no-untyped-def]
    """The stored, unrevoked record matching a presented key, else None."""
    parts = split_key(text)
    if parts is None:
        return None
    key_id, secret = parts
    record = yield store.get_api_key(key_id)
    return matching_live_key(record, secret)


class LiveKeyCache:
    """Live key records read recently, so a busy client does not cost a database read per request.

    Only live records are kept, for ``ttl`` seconds of ``clock`` time, and
    the presented secret is checked against the record on every request.
    A revocation made in this process calls :meth:`forget_all`, which
    takes effect at once; one made by another process (``rpymostat-keys``)
    takes effect when the entry expires.
    """

    def __init__(self, store: Store, clock: IReactorTime, ttl: float = KEY_CACHE_SECONDS) -> None:
        self.store = store
        self.clock = clock
        self.ttl = ttl
        self._records: dict[str, tuple[ApiKeyRecord, float]] = {}
        self._generation = 0

    async def find(self, text: str) -> ApiKeyRecord | None:
        """The live record matching a presented key, else None."""
        parts = split_key(text)
        if parts is None:
            return None
        key_id, secret = parts
        now = self.clock.seconds()
        cached = self._records.get(key_id)
        if cached is not None and 0 <= now - cached[1] < self.ttl:
            return matching_live_key(cached[0], secret)
        generation = self._generation
        record = await self.store.get_api_key(key_id)
        if record is None or record.revoked_at is not None:
            self._records.pop(key_id, None)
        elif generation == self._generation:
            # A record read before a forget_all() may predate the revocation that caused it: not kept.
            self._records[key_id] = (record, now)
        return matching_live_key(record, secret)

    def forget_all(self) -> None:
        """Drop every entry, and any read still in flight, after keys may have changed."""
        self._records.clear()
        self._generation += 1


def live_keys(records: Iterable[ApiKeyRecord]) -> list[ApiKeyRecord]:
    return [record for record in records if record.revoked_at is None]


def ensure_first_admin_key(store: Store, data_dir: str, now: float) -> Deferred[str | None]:
    """On an engine with no keys at all, create an admin key in a private file.

    Fires with the file's path when a key was made (the caller logs the path
    once, never the key), or None when keys already exist.
    """

    @inlineCallbacks
    def run():  # type: ignore[no-untyped-def]
        existing = yield store.list_api_keys()
        if existing:
            return None
        path = os.path.join(data_dir, ADMIN_KEY_FILENAME)
        if os.path.exists(path):
            os.replace(path, path + ".old")
        text, record = new_api_key("first-start admin", "admin", now)
        write_private_file(path, text)
        yield store.add_api_key(record)
        return path

    return run()


def admin_key_file_problem(store: Store, data_dir: str) -> Deferred[str | None]:
    """Why the admin-key file in ``data_dir`` would not work with this store, or None when it would.

    Another engine (the demo, say) writing its own key there, or a database
    moved or started afresh, leaves a key file that only answers 401; the
    engine says so at start, with what to do, rather than let the user
    guess. No file at all is fine: its key may have been put away safely.
    """

    @inlineCallbacks
    def run():  # type: ignore[no-untyped-def]
        path = os.path.join(data_dir, ADMIN_KEY_FILENAME)
        try:
            with open(path, encoding="utf-8") as handle:
                text = handle.read().strip()
        except FileNotFoundError:
            return None
        except OSError as exc:
            return f"the admin key file {path} cannot be read ({exc.strerror})"
        parts = split_key(text)
        record = None if parts is None else (yield store.get_api_key(parts[0]))
        if record is not None and matching_live_key(record, parts[1]) is not None:  # type: ignore[index]
            return None
        if record is not None and record.revoked_at is not None:
            why = "holds a key that was revoked"
        else:
            why = "holds a key this engine's database does not know (another engine's, such as the demo's, " \
                  "or one from a database that was replaced)"
        return (f"the admin key file {path} {why}, so signing in with it fails (401). To get an admin key for "
                f"this engine, run with the same RPYMOSTAT_* settings: rpymostat-keys create --role admin "
                f"--name admin (it prints the new key), then delete or replace {path}")

    return run()
