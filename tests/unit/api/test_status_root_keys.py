"""The status page, the HTML root page, JSON 404/405, and API keys through the API."""

from __future__ import annotations

import pytest_twisted

from rpymostat.version import VERSION


@pytest_twisted.ensureDeferred
async def test_status_is_public_and_names_the_backend(engine):
    response = await engine.request("GET", "/v1/status")
    assert response.code == 200
    assert response.json == {"status": True, "dependencies": {"sqlite": True}, "version": VERSION}


@pytest_twisted.ensureDeferred
async def test_status_is_503_when_the_database_cannot_be_reached(engine):
    await engine.store.close()
    response = await engine.request("GET", "/v1/status")
    assert response.code == 503
    assert response.json["status"] is False
    assert response.json["dependencies"] == {"sqlite": False}
    listing = await engine.request("GET", "/v1/sensors", key="read")
    assert listing.code == 503


@pytest_twisted.ensureDeferred
async def test_root_page_links_docs_status_api_and_source(engine):
    response = await engine.request("GET", "/")
    assert response.code == 200
    assert response.headers["content-type"].startswith("text/html")
    for link in ("/v1/status", "/v1/openapi.json", "rpymostat.readthedocs.io", "github.com"):
        assert link in response.text
    assert VERSION in response.text


@pytest_twisted.ensureDeferred
async def test_unknown_paths_and_wrong_methods_answer_json(engine):
    missing = await engine.request("GET", "/v1/thermostat", key="read")
    assert (missing.code, missing.json["status"]) == (404, "error")
    wrong = await engine.request("DELETE", "/v1/sensors/update", key="admin")
    assert wrong.code == 405
    assert "PUT" in wrong.headers["allow"] and "PUT" in wrong.json["error"]


@pytest_twisted.ensureDeferred
async def test_an_admin_creates_uses_and_revokes_a_key(engine):
    created = await engine.request("POST", "/v1/keys", json={"name": "tablet", "role": "read"}, key="admin")
    assert created.code == 201
    key = created.json["key"]
    assert (await engine.request("GET", "/v1/sensors", key=key)).code == 200
    listed = (await engine.request("GET", "/v1/keys", key="admin")).json["keys"]
    assert "key" not in next(k for k in listed if k["id"] == created.json["id"])
    assert all(key not in str(k) for k in listed)
    revoked = await engine.request("DELETE", f"/v1/keys/{created.json['id']}", key="admin")
    assert revoked.code == 200 and revoked.json["revoked_at"] is not None
    assert (await engine.request("GET", "/v1/sensors", key=key)).code == 401
    again = await engine.request("DELETE", f"/v1/keys/{created.json['id']}", key="admin")
    assert again.code == 404


@pytest_twisted.ensureDeferred
async def test_key_creation_refuses_bad_fields(engine):
    for body, message in [({"role": "read"}, "name field is missing"), ({"name": "x", "role": "root"}, "role must be"),
                          ({"name": "", "role": "read"}, "name must be"), ({"name": "x", "role": "read", "a": 1},
                                                                          "unknown field")]:
        response = await engine.request("POST", "/v1/keys", json=body, key="admin")
        assert response.code == 422 and message in response.json["error"]
    assert len((await engine.request("GET", "/v1/keys", key="admin")).json["keys"]) == 4


@pytest_twisted.ensureDeferred
async def test_sensor_settings_change_through_the_api_and_bad_changes_are_refused(engine):
    await engine.request("PUT", "/v1/sensors/update", key="write",
                         json={"host_id": "h", "sensors": {"28-a": {"type": "DS18B20", "value": 20.0}}})
    changed = await engine.request("PATCH", "/v1/sensors/28-a", json={"name": "Living room", "room": "living"},
                                   key="write")
    assert (changed.json["name"], changed.json["room"]) == ("Living room", "living")
    for body in ({"value": 30}, {"hidden": "yes"}, {"name": 5}):
        assert (await engine.request("PATCH", "/v1/sensors/28-a", json=body, key="write")).code == 422
    assert (await engine.request("PATCH", "/v1/sensors/nope", json={"name": "x"}, key="write")).code == 404
    final = (await engine.request("GET", "/v1/sensors/28-a", key="read")).json
    assert (final["name"], final["value"], final["hidden"]) == ("Living room", 20.0, False)


@pytest_twisted.ensureDeferred
async def test_paging_parameters_are_validated(engine):
    for query in ("limit=0", "limit=abc", "offset=-1", "before=yesterday", "full=maybe"):
        response = await engine.request("GET", f"/v1/sensors?{query}", key="read")
        assert response.code == 400, query
        assert query.split("=")[0] in response.json["error"]


@pytest_twisted.ensureDeferred
async def test_a_key_can_ask_its_own_role_and_nothing_more(engine):
    for role in ("read", "write", "admin"):
        me = await engine.request("GET", "/v1/keys/current", key=role)
        assert me.code == 200
        key_id = engine.keys[role].split("_")[1]  # the public part of the key, never its secret
        assert me.json == {"kind": "key", "role": role, "name": f"test {role}", "id": key_id}
    assert (await engine.request("GET", "/v1/keys/current")).code == 401
