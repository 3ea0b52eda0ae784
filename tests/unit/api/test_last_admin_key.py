"""The last live admin key cannot be revoked, by the API or by ``rpymostat-keys``: 409 and the reason.

Without an admin key nobody could make keys or approve devices again short
of editing the database, so the engine refuses, and says what to do instead.
"""

from __future__ import annotations

import pytest_twisted

from rpymostat.security.keys import split_key
from tests.unit.test_keys_cli_devices import keys_cli


def key_id(text: str) -> str:
    return split_key(text)[0]  # type: ignore[index]


async def live_admins(engine, key="admin"):
    keys = (await engine.request("GET", "/v1/keys", key=key)).json["keys"]
    return [k["id"] for k in keys if k["role"] == "admin" and k["revoked_at"] is None]


@pytest_twisted.ensureDeferred
async def test_revoking_the_last_admin_key_is_refused_with_the_reason_and_changes_nothing(engine):
    assert await live_admins(engine) == [key_id(engine.keys["admin"])]

    refused = await engine.request("DELETE", f"/v1/keys/{key_id(engine.keys['admin'])}", key="admin")

    assert refused.code == 409
    assert "last live admin key" in refused.json["error"]
    assert "Create another admin key first" in refused.json["error"]
    assert (await engine.request("GET", "/v1/keys", key="admin")).code == 200


@pytest_twisted.ensureDeferred
async def test_with_a_second_admin_key_the_first_can_go(engine):
    second = await engine.request("POST", "/v1/keys", json={"name": "spare admin", "role": "admin"}, key="admin")

    revoked = await engine.request("DELETE", f"/v1/keys/{key_id(engine.keys['admin'])}", key=second.json["key"])

    assert revoked.code == 200
    assert await live_admins(engine, second.json["key"]) == [second.json["id"]]
    last = await engine.request("DELETE", f"/v1/keys/{second.json['id']}", key=second.json["key"])
    assert last.code == 409


@pytest_twisted.ensureDeferred
async def test_the_cli_refuses_to_revoke_the_last_admin_key(engine, tmp_path):
    refused = keys_cli(tmp_path, "revoke", key_id(engine.keys["admin"]))

    assert refused.returncode == 1
    assert "last live admin key" in refused.stderr
    assert (await engine.request("GET", "/v1/keys", key="admin")).code == 200
