"""``/v1/keys``: API keys, for admins only. A key's text is shown once, at creation."""

from __future__ import annotations

from typing import Any

from rpymostat.common.timeutil import to_iso
from rpymostat.engine.api.app import Call, Reply
from rpymostat.engine.api.errors import ApiError, not_found, unprocessable
from rpymostat.engine.api.routing import route
from rpymostat.engine.context import EngineContext
from rpymostat.security.keys import LAST_ADMIN_KEY, ROLES, new_api_key
from rpymostat.store.interface import LastAdminKeyError
from rpymostat.store.records import ApiKeyRecord


def key_json(record: ApiKeyRecord) -> dict[str, Any]:
    return {
        "id": record.key_id,
        "name": record.name,
        "role": record.role,
        "created_at": to_iso(record.created_at),
        "revoked_at": None if record.revoked_at is None else to_iso(record.revoked_at),
    }


class KeysAPI:
    def __init__(self, context: EngineContext) -> None:
        self.context = context

    @route("/v1/keys/current")
    def current(self, call: Call) -> dict[str, Any]:
        """Who the caller is: lets a UI offer only what the key's role allows, and mark the key in use."""
        principal = call.principal
        return {"kind": principal.kind, "role": principal.role, "name": principal.name, "id": principal.key_id}

    @route("/v1/keys", role="admin")
    async def list(self, call: Call) -> dict[str, Any]:
        records = await self.context.store.list_api_keys()
        return {"keys": [key_json(r) for r in records]}

    @route("/v1/keys", methods=["POST"], role="admin")
    async def create(self, call: Call) -> Reply:
        data = call.json_object()
        name = data.get("name")
        role = data.get("role")
        if name is None:
            raise unprocessable("name field is missing", "name")
        if not isinstance(name, str) or not 1 <= len(name.strip()) <= 64:
            raise unprocessable("name must be a string of 1 to 64 characters", "name")
        if role not in ROLES:
            raise unprocessable(f"role must be one of {', '.join(ROLES)}", "role")
        unknown = sorted(set(data) - {"name", "role"})
        if unknown:
            raise unprocessable(f"unknown field(s): {', '.join(unknown)}")
        text, record = new_api_key(name.strip(), role, self.context.now())
        await self.context.store.add_api_key(record)
        return Reply({**key_json(record), "key": text}, 201)

    @route("/v1/keys/<key_id>", methods=["DELETE"], role="admin")
    async def revoke(self, call: Call) -> dict[str, Any]:
        key_id = call.params["key_id"]
        try:
            revoked = await self.context.store.revoke_api_key(key_id, self.context.now())
        except LastAdminKeyError:
            raise ApiError(409, LAST_ADMIN_KEY, code="last_admin_key") from None
        if not revoked:
            raise not_found(f"no live API key with ID {key_id!r}")
        record = await self.context.store.get_api_key(key_id)
        if record is None:  # deleted between the revocation and this read
            raise not_found(f"no API key with ID {key_id!r}")
        return key_json(record)
