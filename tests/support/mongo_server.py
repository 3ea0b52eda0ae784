"""A MongoDB wire-protocol server for tests, with mongomock behind it.

No ``mongod`` can be installed on the machines this project is built on, yet
the MongoDB backend must be driven through txmongo over a real socket. This
server speaks the wire protocol with mockupdb on the loopback interface and
executes every command it receives against an in-memory mongomock client:
inserts, finds (filter, sort, skip, limit, projection, batches with getMore),
updates and findAndModify (with upserts), deletes, unique and partial
indexes (a duplicate key is the real write error, code 11000), counts and
aggregations. It is a translator of the protocol, not a double that knows
its callers: a command it cannot translate is refused with MongoDB's own
"no such command" error, and transactions are refused as on a standalone
server.

Use it as a context manager::

    with MongoTestServer() as server:
        store = yield MongoStore.open(server.uri + "/mydb", reactor)

or from another process: ``python -m tests.support.mongo_server`` prints
its URI and serves until interrupted. ``replica_set="rs0"`` makes it
announce itself as the primary of a one-member replica set, so clients can
connect with ``?replicaSet=rs0``.

Durability options (write concerns) are accepted and have no effect: the
data lives in memory.
"""

from __future__ import annotations

import datetime
import itertools
import sys
import threading
from collections.abc import Callable
from typing import Any, Self

import mongomock
from mockupdb import OP_MSG_FLAGS, Command, MockupDB, OpMsg, Request  # type: ignore[import-untyped]

COMMAND_NOT_FOUND = 59
ILLEGAL_OPERATION = 20
BAD_VALUE = 2
INTERNAL_ERROR = 1
DUPLICATE_KEY = 11000
INDEX_OPTIONS_CONFLICT = 85
WIRE_VERSION = 21  # MongoDB 7.0; pymongo 4.18 refuses servers below 9.

# Fields of a command document that describe the session, the read or write
# concern or the routing of the command, not what it does.
_SESSION_TRANSACTION_FIELDS = ("startTransaction", "autocommit")


class CommandError(Exception):
    """A command failed as a whole: ``{"ok": 0, "code": ..., "errmsg": ...}``."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _is_operator_update(update: Any) -> bool:
    if isinstance(update, list):
        raise CommandError(BAD_VALUE, "pipeline-style updates are not supported by the test server")
    return bool(update) and all(key.startswith("$") for key in update)


def _sort_spec(sort: dict[str, Any] | None) -> list[tuple[str, Any]] | None:
    return list(sort.items()) if sort else None


def _write_error(index: int, error: mongomock.OperationFailure) -> dict[str, Any]:
    return {"index": index, "code": error.code or BAD_VALUE, "errmsg": str(error)}


class MongomockTranslator:
    """Executes wire-protocol command documents against one mongomock client."""

    def __init__(self) -> None:
        self.client: mongomock.MongoClient = mongomock.MongoClient()
        self._lock = threading.Lock()
        self._cursors: dict[int, tuple[str, list[dict[str, Any]]]] = {}
        self._cursor_ids = itertools.count(1)
        self._handlers: dict[str, Callable[[str, dict[str, Any]], dict[str, Any]]] = {
            "ping": lambda db, cmd: {},
            "endsessions": lambda db, cmd: {},
            "insert": self._insert,
            "update": self._update,
            "delete": self._delete,
            "find": self._find,
            "getmore": self._get_more,
            "killcursors": self._kill_cursors,
            "findandmodify": self._find_and_modify,
            "count": self._count,
            "aggregate": self._aggregate,
            "createindexes": self._create_indexes,
            "listindexes": self._list_indexes,
            "dropindexes": self._drop_indexes,
            "drop": self._drop,
            "dropdatabase": self._drop_database,
            "listcollections": self._list_collections,
        }

    def execute(self, db_name: str, command: dict[str, Any]) -> dict[str, Any]:
        """Run one command; the reply document, ``ok`` included."""
        name = next(iter(command))
        handler = self._handlers.get(name.lower())
        try:
            if handler is None:
                raise CommandError(COMMAND_NOT_FOUND, f"no such command: '{name}'")
            if any(field in command for field in _SESSION_TRANSACTION_FIELDS):
                raise CommandError(ILLEGAL_OPERATION,
                                   "Transaction numbers are only allowed on a replica set member or mongos")
            with self._lock:
                reply = handler(db_name, command)
        except CommandError as error:
            return {"ok": 0, "code": error.code, "errmsg": error.message}
        except mongomock.OperationFailure as error:
            return {"ok": 0, "code": error.code or BAD_VALUE, "errmsg": str(error)}
        except Exception as error:  # noqa: BLE001 - a mongomock gap: answer as mongod does an internal error
            return {"ok": 0, "code": INTERNAL_ERROR, "errmsg": f"test server cannot execute {name}: {error!r}"}
        return {**reply, "ok": 1}

    def _collection(self, db_name: str, command: dict[str, Any]) -> mongomock.Collection:
        return self.client[db_name][next(iter(command.values()))]

    # Writes

    def _insert(self, db_name: str, cmd: dict[str, Any]) -> dict[str, Any]:
        collection = self._collection(db_name, cmd)
        inserted, errors = 0, []
        for index, document in enumerate(cmd.get("documents", [])):
            try:
                collection.insert_one(document)
                inserted += 1
            except mongomock.OperationFailure as error:
                errors.append(_write_error(index, error))
                if cmd.get("ordered", True):
                    break
        return {"n": inserted, **({"writeErrors": errors} if errors else {})}

    def _update(self, db_name: str, cmd: dict[str, Any]) -> dict[str, Any]:
        collection = self._collection(db_name, cmd)
        matched = modified = 0
        upserted, errors = [], []
        for index, statement in enumerate(cmd.get("updates", [])):
            try:
                result = self._apply_update(collection, statement["q"], statement["u"],
                                            statement.get("upsert", False), statement.get("multi", False))
            except (mongomock.OperationFailure, CommandError) as error:
                if isinstance(error, CommandError):
                    error = mongomock.OperationFailure(error.message, error.code)
                errors.append(_write_error(index, error))
                if cmd.get("ordered", True):
                    break
                continue
            if result.upserted_id is not None:
                upserted.append({"index": index, "_id": result.upserted_id})
            else:
                matched += result.matched_count
                modified += result.modified_count
        reply: dict[str, Any] = {"n": matched + len(upserted), "nModified": modified}
        if upserted:
            reply["upserted"] = upserted
        if errors:
            reply["writeErrors"] = errors
        return reply

    @staticmethod
    def _apply_update(collection: mongomock.Collection, query: dict[str, Any], update: Any, upsert: bool,
                      multi: bool = False) -> Any:
        if _is_operator_update(update):
            method = collection.update_many if multi else collection.update_one
            return method(query, update, upsert=upsert)
        if multi:
            raise CommandError(BAD_VALUE, "multi update is not supported for replacement-style update")
        return collection.replace_one(query, update, upsert=upsert)

    def _delete(self, db_name: str, cmd: dict[str, Any]) -> dict[str, Any]:
        collection = self._collection(db_name, cmd)
        removed = 0
        for statement in cmd.get("deletes", []):
            method = collection.delete_one if statement.get("limit", 0) == 1 else collection.delete_many
            removed += method(statement["q"]).deleted_count
        return {"n": removed}

    def _find_and_modify(self, db_name: str, cmd: dict[str, Any]) -> dict[str, Any]:
        collection = self._collection(db_name, cmd)
        query = cmd.get("query") or {}
        fields = cmd.get("fields") or None
        target = collection.find_one(query, {"_id": 1}, sort=_sort_spec(cmd.get("sort")))
        if cmd.get("remove"):
            value = collection.find_one({"_id": target["_id"]}, fields) if target else None
            if target:
                collection.delete_one({"_id": target["_id"]})
            return {"lastErrorObject": {"n": int(target is not None)}, "value": value}
        update = cmd.get("update")
        if update is None:
            raise CommandError(BAD_VALUE, "Either an update or remove=true must be specified")
        if target is not None:
            before = collection.find_one({"_id": target["_id"]}, fields)
            self._apply_update(collection, {"_id": target["_id"]}, update, upsert=False)
            value = collection.find_one({"_id": target["_id"]}, fields) if cmd.get("new") else before
            return {"lastErrorObject": {"n": 1, "updatedExisting": True}, "value": value}
        if cmd.get("upsert"):
            upserted_id = self._apply_update(collection, query, update, upsert=True).upserted_id
            value = collection.find_one({"_id": upserted_id}, fields) if cmd.get("new") else None
            return {"lastErrorObject": {"n": 1, "updatedExisting": False, "upserted": upserted_id},
                    "value": value}
        return {"lastErrorObject": {"n": 0, "updatedExisting": False}, "value": None}

    # Reads and cursors

    def _cursor_reply(self, namespace: str, documents: list[dict[str, Any]], batch_size: int | None,
                      single_batch: bool = False, first: bool = True) -> dict[str, Any]:
        if batch_size:
            batch, rest = documents[:batch_size], documents[batch_size:]
        else:
            batch, rest = documents, []
        cursor_id = 0
        if rest and not single_batch:
            cursor_id = next(self._cursor_ids)
            self._cursors[cursor_id] = (namespace, rest)
        return {"cursor": {"id": cursor_id, "ns": namespace, "firstBatch" if first else "nextBatch": batch}}

    def _find(self, db_name: str, cmd: dict[str, Any]) -> dict[str, Any]:
        collection = self._collection(db_name, cmd)
        cursor = collection.find(cmd.get("filter") or {}, cmd.get("projection") or None,
                                 sort=_sort_spec(cmd.get("sort")))
        documents = list(cursor.skip(cmd.get("skip", 0)).limit(cmd.get("limit", 0)))
        return self._cursor_reply(f"{db_name}.{collection.name}", documents, cmd.get("batchSize"),
                                  cmd.get("singleBatch", False))

    def _get_more(self, db_name: str, cmd: dict[str, Any]) -> dict[str, Any]:
        cursor_id = cmd["getMore"]
        if cursor_id not in self._cursors:
            raise CommandError(43, f"cursor id {cursor_id} not found")
        namespace, documents = self._cursors.pop(cursor_id)
        batch_size = cmd.get("batchSize")
        reply = self._cursor_reply(namespace, documents, batch_size, first=False)
        if reply["cursor"]["id"]:
            self._cursors[cursor_id] = self._cursors.pop(reply["cursor"]["id"])
            reply["cursor"]["id"] = cursor_id
        return reply

    def _kill_cursors(self, db_name: str, cmd: dict[str, Any]) -> dict[str, Any]:
        killed: list[int] = []
        unknown: list[int] = []
        for cursor_id in cmd.get("cursors", []):
            (killed if self._cursors.pop(cursor_id, None) else unknown).append(cursor_id)
        return {"cursorsKilled": killed, "cursorsNotFound": unknown, "cursorsAlive": [], "cursorsUnknown": []}

    def _count(self, db_name: str, cmd: dict[str, Any]) -> dict[str, Any]:
        collection = self._collection(db_name, cmd)
        options = {key: cmd[key] for key in ("skip", "limit") if cmd.get(key)}
        return {"n": collection.count_documents(cmd.get("query") or {}, **options)}

    def _aggregate(self, db_name: str, cmd: dict[str, Any]) -> dict[str, Any]:
        collection = self._collection(db_name, cmd)
        documents = list(collection.aggregate(cmd.get("pipeline", [])))
        return self._cursor_reply(f"{db_name}.{collection.name}", documents, cmd.get("cursor", {}).get("batchSize"))

    # Indexes and collections

    def _create_indexes(self, db_name: str, cmd: dict[str, Any]) -> dict[str, Any]:
        collection = self._collection(db_name, cmd)
        before = collection.index_information()
        for index in cmd.get("indexes", []):
            options = {key: value for key, value in index.items() if key not in ("key", "name", "v")}
            existing = before.get(index["name"])
            if existing is not None:
                existing_options = {key: value for key, value in existing.items() if key not in ("key", "v")}
                if list(existing["key"]) != list(index["key"].items()) or existing_options != options:
                    raise CommandError(INDEX_OPTIONS_CONFLICT,
                                       f"An existing index has the same name as the requested index: {index['name']}")
                continue
            if options.get("unique") and "partialFilterExpression" in options:
                self._create_partial_unique_index(collection, index["name"], list(index["key"].items()), options)
            else:
                collection.create_index(list(index["key"].items()), name=index["name"], **options)
        after = collection.index_information()
        return {"numIndexesBefore": len(before), "numIndexesAfter": len(after),
                "createdCollectionAutomatically": not before}

    @staticmethod
    def _create_partial_unique_index(collection: mongomock.Collection, name: str, keys: list[tuple[str, Any]],
                                     options: dict[str, Any]) -> None:
        """mongomock checks existing documents against every unique index as if it were total: check
        only the documents the partial filter selects, as mongod does, then register the index."""
        seen = set()
        for document in collection.find(options["partialFilterExpression"]):
            values = tuple(repr(document.get(field)) for field, _ in keys)
            if values in seen:
                raise CommandError(DUPLICATE_KEY, f"E11000 duplicate key error index: {name} dup key: {values}")
            seen.add(values)
        collection._store.create_index(name, {"key": keys, **options})  # type: ignore[arg-type]

    def _list_indexes(self, db_name: str, cmd: dict[str, Any]) -> dict[str, Any]:
        collection = self._collection(db_name, cmd)
        indexes = [{"v": 2, "key": dict(info["key"]), "name": name,
                    **{key: value for key, value in info.items() if key not in ("key", "v")}}
                   for name, info in collection.index_information().items()]
        return self._cursor_reply(f"{db_name}.{collection.name}", indexes, None)

    def _drop_indexes(self, db_name: str, cmd: dict[str, Any]) -> dict[str, Any]:
        collection = self._collection(db_name, cmd)
        if cmd.get("index") == "*":
            collection.drop_indexes()
        else:
            collection.drop_index(cmd["index"])
        return {}

    def _drop(self, db_name: str, cmd: dict[str, Any]) -> dict[str, Any]:
        self._collection(db_name, cmd).drop()
        return {}

    def _drop_database(self, db_name: str, cmd: dict[str, Any]) -> dict[str, Any]:
        self.client.drop_database(db_name)
        return {"dropped": db_name}

    def _list_collections(self, db_name: str, cmd: dict[str, Any]) -> dict[str, Any]:
        names = self.client[db_name].list_collection_names()
        return self._cursor_reply(f"{db_name}.$cmd.listCollections",
                                  [{"name": name, "type": "collection", "options": {}} for name in names], None)


class MongoTestServer:
    """A wire-protocol MongoDB on 127.0.0.1 backed by mongomock.

    ``received`` lists every command document as it arrived, so a test can
    check what a client asked for (its write concern, say).
    """

    def __init__(self, replica_set: str | None = None) -> None:
        self.replica_set = replica_set
        self.translator = MongomockTranslator()
        self.received: list[dict[str, Any]] = []
        self._connection_ids = itertools.count(1)
        self._server = MockupDB(request_timeout=int(1e6))
        self._server.autoresponds(self._respond)

    @property
    def address(self) -> str:
        """``host:port`` of the listening socket."""
        return f"127.0.0.1:{self._server.port}"

    @property
    def uri(self) -> str:
        """A connection URI without a database, with the replica set when there is one."""
        query = f"?replicaSet={self.replica_set}" if self.replica_set else ""
        return f"mongodb://{self.address}/{query}"

    def uri_for(self, database: str, **options: str) -> str:
        """A URI naming a database, with extra URI options."""
        if self.replica_set:
            options = {"replicaSet": self.replica_set, **options}
        query = "&".join(f"{key}={value}" for key, value in options.items())
        return f"mongodb://{self.address}/{database}" + (f"?{query}" if query else "")

    def start(self) -> Self:
        self._server.run()
        return self

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def hello(self) -> dict[str, Any]:
        """What the server says about itself in the connection handshake."""
        reply: dict[str, Any] = {
            "ismaster": True,
            "isWritablePrimary": True,
            "helloOk": True,
            "minWireVersion": 0,
            "maxWireVersion": WIRE_VERSION,
            "maxBsonObjectSize": 16 * 1024 * 1024,
            "maxMessageSizeBytes": 48_000_000,
            "maxWriteBatchSize": 100_000,
            "logicalSessionTimeoutMinutes": 30,
            "localTime": datetime.datetime.now(datetime.UTC),
            "connectionId": next(self._connection_ids),
        }
        if self.replica_set:
            reply.update(setName=self.replica_set, setVersion=1, secondary=False, hosts=[self.address],
                         primary=self.address, me=self.address)
        return reply

    def _respond(self, request: Request) -> bool:
        if not isinstance(request, (OpMsg, Command)):
            return request.fail("only OP_MSG commands are served by this test server")
        command = dict(request.doc)
        self.received.append(dict(command))
        if command and next(iter(command)).lower() in ("hello", "ismaster"):
            return request.replies(self.hello())
        db_name = command.pop("$db", None) or request.namespace.split(".", 1)[0]
        reply = self.translator.execute(db_name, command)
        if isinstance(request, OpMsg) and request.flags & OP_MSG_FLAGS["moreToCome"]:
            return True
        return request.replies(reply)


def main() -> None:
    """Serve until interrupted, printing the URI (for use from another process)."""
    replica_set = sys.argv[1] if len(sys.argv) > 1 else None
    with MongoTestServer(replica_set) as server:
        print(server.uri, flush=True)
        threading.Event().wait()


if __name__ == "__main__":
    main()
