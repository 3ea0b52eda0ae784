"""``rpymostat-keys``: manage API keys and device secrets in the engine's database.

It opens the same database as the engine (``RPYMOSTAT_DB_URI``), so it
works on the engine's host whether or not the engine is running. New keys
and secrets are printed alone on stdout, so ``KEY=$(rpymostat-keys create
...)`` captures exactly the key; everything else goes to stderr.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from twisted.internet import task
from twisted.internet.defer import ensureDeferred

from rpymostat.common.signing import fingerprint, new_secret
from rpymostat.common.timeutil import to_iso
from rpymostat.config import ConfigError, EngineConfig
from rpymostat.engine.api.v1.devices import KINDS
from rpymostat.security.keys import LAST_ADMIN_KEY, ROLES, new_api_key
from rpymostat.store.interface import LastAdminKeyError, Store
from rpymostat.store.opening import open_store
from rpymostat.store.records import DeviceRecord, DeviceStatus
from rpymostat.version import VERSION


class CommandError(Exception):
    """A refusal to report on stderr with exit code 1."""


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="rpymostat-keys", description=__doc__.splitlines()[0].strip("`: "))
    parser.add_argument("--version", action="version", version=f"rpymostat-keys {VERSION}")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="create an API key and print it")
    create.add_argument("--role", required=True, choices=ROLES)
    create.add_argument("--name", required=True, help="who or what the key is for")
    commands.add_parser("list", help="list API keys (never the keys themselves)")
    revoke = commands.add_parser("revoke", help="revoke an API key by its ID")
    revoke.add_argument("key_id")
    device = commands.add_parser("device", help="create a pre-shared secret for a device and print it")
    device.add_argument("host_id")
    device.add_argument("--kind", choices=KINDS, default="sensor")
    device.add_argument("--replace", action="store_true", help="replace the secret of a known device")
    commands.add_parser("devices", help="list devices and their approval status")
    for name in ("approve", "reject"):
        sub = commands.add_parser(name, help=f"{name} a pending device")
        sub.add_argument("host_id")
    return parser.parse_args(argv)


async def run_command(args: argparse.Namespace, store: Store, now: float, out: TextIO, err: TextIO) -> None:
    if args.command == "create":
        text, record = new_api_key(args.name, args.role, now)
        await store.add_api_key(record)
        out.write(text + "\n")
        err.write(f"created {args.role} key {record.key_id} for {args.name!r}; it is not shown again\n")
    elif args.command == "list":
        for key in await store.list_api_keys():
            state = f"revoked {to_iso(key.revoked_at)}" if key.revoked_at else "live"
            out.write(f"{key.key_id}\t{key.role}\t{key.name}\tcreated {to_iso(key.created_at)}\t{state}\n")
    elif args.command == "revoke":
        try:
            revoked = await store.revoke_api_key(args.key_id, now)
        except LastAdminKeyError:
            raise CommandError(f"key {args.key_id} not revoked: {LAST_ADMIN_KEY} "
                               "(rpymostat-keys create --role admin --name ...)") from None
        if not revoked:
            raise CommandError(f"no live key with ID {args.key_id}")
        err.write(f"revoked key {args.key_id}\n")
    elif args.command == "device":
        existing = await store.get_device(args.host_id)
        if existing is not None and not args.replace:
            raise CommandError(f"device {args.host_id} exists ({existing.status}); use --replace for a new secret")
        secret = new_secret()
        await store.put_device(DeviceRecord(args.host_id, args.kind, secret, "approved", now))
        out.write(secret + "\n")
        err.write(f"device {args.host_id} approved with a pre-shared secret (fingerprint {fingerprint(secret)})\n")
    elif args.command == "devices":
        for device in await store.list_devices():
            seen = to_iso(device.last_seen) if device.last_seen else "never"
            out.write(f"{device.host_id}\t{device.kind}\t{device.status}\t{fingerprint(device.secret)}\t"
                      f"last seen {seen}\n")
    elif args.command in ("approve", "reject"):
        status: DeviceStatus = "approved" if args.command == "approve" else "rejected"
        if not await store.set_device_status(args.host_id, status):
            raise CommandError(f"no device with host ID {args.host_id}")
        err.write(f"device {args.host_id} {status}\n")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        config = EngineConfig.from_environ(os.environ)
    except ConfigError as exc:
        print(f"rpymostat-keys: configuration error: {exc}", file=sys.stderr)
        return 2
    outcome = {"code": 0}

    async def body(reactor: Any) -> None:
        store = await open_store(config.db_uri, reactor)
        try:
            await run_command(args, store, reactor.seconds(), sys.stdout, sys.stderr)
        except CommandError as exc:
            print(f"rpymostat-keys: {exc}", file=sys.stderr)
            outcome["code"] = 1
        finally:
            await store.close()

    try:
        task.react(lambda reactor: ensureDeferred(body(reactor)))
    except SystemExit as exit_:
        if exit_.code:
            return int(exit_.code)
    return outcome["code"]


if __name__ == "__main__":
    sys.exit(main())
