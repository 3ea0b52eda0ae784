"""The Devices screen changes sensors, relays and devices; each test puts back what it changed."""

from __future__ import annotations

import json
import secrets
from datetime import datetime

import pytest
from playwright.sync_api import expect

from rpymostat.common.signing import new_secret, sign_request
from rpymostat.testing.processes import http, wait_for
from tests.browser.conftest import new_key, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SENSOR = "bedroom"  # the other demo room, "Living room", is what the history test looks for
SETTINGS = "/v1/schedules/settings"
RELAY = "demo-furnace:cool"  # the demo heats in December: its cool relay is the one nobody misses


def _sensor(demo, sensor_id: str = SENSOR) -> dict:
    # Right after the demo starts its sensors may not have reported yet.
    return wait_for(lambda: next((s for s in demo.api("GET", "/v1/sensors")[1]["sensors"] if s["id"] == sensor_id),
                                 None), what=f"sensor {sensor_id} to report")


def _restore_sensor(demo, before: dict) -> None:
    demo.api("PATCH", f"/v1/sensors/{SENSOR}", {key: before[key] for key in ("name", "room", "hidden")})


def _sensor_card(page):
    return page.locator(f'.card.sensor[data-sensor="{SENSOR}"]')


def test_a_renamed_sensor_in_its_room_shows_on_the_now_screen(page, demo):
    before = _sensor(demo)
    try:
        sign_in(page, demo.admin_key, "devices")
        card = _sensor_card(page)
        card.get_by_label("Name", exact=True).fill("Guest bed")
        card.get_by_label("Room", exact=True).fill("Guest room")
        card.get_by_role("button", name=f"Save {before['name']}").click()
        expect(card.locator("h3")).to_have_text("Guest bed")
        stored = _sensor(demo)
        assert (stored["name"], stored["room"]) == ("Guest bed", "Guest room")

        page.goto("/ui/#now")
        expect(page.locator(f'#now-rooms [data-sensor="{SENSOR}"] .room-name')).to_have_text("Guest room — Guest bed")
    finally:
        _restore_sensor(demo, before)


def test_a_sensors_weight_is_stored_as_a_default_weight(page, demo):
    before = demo.api("GET", SETTINGS)[1]["default_sensors"]
    wanted = before.get(SENSOR, 0) + 2
    try:
        sign_in(page, demo.admin_key, "devices")
        card = _sensor_card(page)
        card.get_by_label("Weight").fill(f"{wanted:g}")
        card.get_by_role("button", name="Save", exact=False).click()
        wait_for(lambda: demo.api("GET", SETTINGS)[1]["default_sensors"].get(SENSOR) == wanted,
                 what="the new weight to be stored")
        others = {k: v for k, v in demo.api("GET", SETTINGS)[1]["default_sensors"].items() if k != SENSOR}
        assert others == {k: v for k, v in before.items() if k != SENSOR}, "the other sensors keep their weights"
        page.reload()
        expect(_sensor_card(page).get_by_label("Weight")).to_have_value(f"{wanted:g}")
    finally:
        demo.api("PATCH", SETTINGS, {"default_sensors": before})


def test_a_hidden_sensor_leaves_the_rooms_on_the_now_screen(page, demo):
    before = _sensor(demo)
    try:
        sign_in(page, demo.admin_key)
        room = page.locator(f'#now-rooms [data-sensor="{SENSOR}"]')
        expect(room).to_be_visible()
        page.goto("/ui/#devices")
        card = _sensor_card(page)
        card.get_by_label("Hidden").check()
        card.get_by_role("button", name="Save", exact=False).click()
        wait_for(lambda: _sensor(demo)["hidden"], what="the sensor to be hidden")

        page.goto("/ui/#now")
        expect(page.locator("#now-rooms .room").first).to_be_visible()
        expect(room).to_have_count(0)
    finally:
        _restore_sensor(demo, before)


def _relay(demo) -> dict:
    status, relay = demo.api("GET", f"/v1/relays/{RELAY}")
    assert status == 200, relay
    return relay


def test_a_relay_is_given_to_aux_and_back_to_its_own_function(page, demo):
    before = _relay(demo)["function"]
    assert before == "cool"
    try:
        sign_in(page, demo.admin_key, "devices")
        card = page.locator(f'.card.relay[data-relay="{RELAY}"]')
        card.get_by_label("Function").select_option("aux")
        card.get_by_role("button", name="Assign cool").click()
        wait_for(lambda: _relay(demo)["function"] == "aux", what="the relay to drive aux")
        page.reload()
        expect(card.get_by_label("Function")).to_have_value("aux")

        card.get_by_label("Function").select_option("cool")
        card.get_by_role("button", name="Assign cool").click()
        wait_for(lambda: _relay(demo)["function"] == "cool", what="the relay to drive cool again")
        expect(card.locator(".form-error")).to_have_count(0)
    finally:
        demo.api("PUT", f"/v1/relays/{RELAY}", {"function": before})


def _register_pending_device(demo) -> str:
    """A daemon of its own asking to join, signed the way daemons sign, on the demo's (fast) clock."""
    host_id = f"browser-{secrets.token_hex(4)}"
    secret = new_secret()
    body = json.dumps({"host_id": host_id, "kind": "sensor", "secret": secret}).encode()
    engine_now = datetime.fromisoformat(demo.api("GET", "/v1/timeline?hours=1")[1]["start"].replace("Z", "+00:00"))
    path = "/v1/devices/register"
    headers = sign_request(host_id, secret, "POST", path, body, engine_now.timestamp())
    status, answer = http("POST", demo.url + path, raw=body, headers=headers)
    assert status == 202 and answer["status"] == "pending", answer
    return host_id


def test_an_admin_rejects_a_pending_device(page, demo):
    host_id = _register_pending_device(demo)
    try:
        sign_in(page, demo.admin_key, "devices")
        card = page.locator(f'.card.device[data-host="{host_id}"]')
        expect(card.locator(".device-status")).to_have_text("pending")
        card.get_by_role("button", name=f"Reject {host_id}").click()
        expect(card.locator(".device-status")).to_have_text("rejected")
        expect(card.get_by_role("button", name=f"Reject {host_id}")).to_have_count(0)
        assert demo.api("GET", f"/v1/devices/{host_id}")[1]["status"] == "rejected"
    finally:
        demo.api("DELETE", f"/v1/devices/{host_id}")


def _engine_now(demo) -> float:
    """The demo engine's (fast) clock, which signatures are checked against."""
    start = demo.api("GET", "/v1/timeline?hours=1")[1]["start"]
    return datetime.fromisoformat(start.replace("Z", "+00:00")).timestamp()


def _signed(demo, host_id: str, secret: str, method: str, path: str, body: dict) -> tuple[int, object]:
    raw = json.dumps(body).encode()
    return http(method, demo.url + path, raw=raw, headers=sign_request(host_id, secret, method, path, raw,
                                                                       _engine_now(demo)))


def _phantom_host(demo) -> str:
    """An approved control daemon of its own, reporting a cool relay that is on and a fan."""
    host_id = f"browser-{secrets.token_hex(4)}"
    secret = new_secret()
    status, _ = _signed(demo, host_id, secret, "POST", "/v1/devices/register",
                        {"host_id": host_id, "kind": "control", "secret": secret})
    assert status == 202
    assert demo.api("POST", f"/v1/devices/{host_id}/approve")[0] == 200
    relays = [{"id": f"{host_id}:{name}", "name": name, "pin": pin, "active_high": True, "function": name, "on": on}
              for name, pin, on in (("cool", 27, True), ("fan", 22, False))]
    status, answer = _signed(demo, host_id, secret, "PUT", "/v1/relays/report", {"host_id": host_id, "relays": relays})
    assert status == 200, answer
    return host_id


def test_an_admin_deletes_a_relay_and_then_every_relay_of_its_host_after_confirming(page, demo):
    host_id = _phantom_host(demo)
    try:
        cool, fan = f"{host_id}:cool", f"{host_id}:fan"
        # The phantom host never answers: after its failsafe time (180 s of the demo's fast clock) its cool is off.
        wait_for(lambda: demo.api("GET", f"/v1/relays/{cool}")[1]["failsafe_off"], what="the silent cool to be off")
        sign_in(page, demo.admin_key)
        expect(page.locator("li.alert-silent", has_text=host_id)).to_contain_text("its relays count as off")
        page.goto("/ui/#devices")
        cool_card = page.locator(f'.card.relay[data-relay="{cool}"]')
        expect(cool_card.locator(".relay-state")).to_contain_text("Off (its daemon is silent: failsafe)")
        page.once("dialog", lambda dialog: dialog.dismiss())
        cool_card.get_by_role("button", name=f"Delete {cool}").click()
        expect(cool_card).to_be_visible()
        assert demo.api("GET", f"/v1/relays/{cool}")[0] == 200, "a dismissed question deletes nothing"

        questions: list[str] = []

        def accept(dialog) -> None:
            questions.append(dialog.message)
            dialog.accept()

        page.on("dialog", accept)
        cool_card.get_by_role("button", name=f"Delete {cool}").click()
        expect(cool_card).to_have_count(0)
        assert demo.api("GET", f"/v1/relays/{cool}")[0] == 404

        page.get_by_role("button", name=f"Delete every relay of {host_id}").click()
        expect(page.locator(f'.card.relay[data-relay="{fan}"]')).to_have_count(0)
        assert demo.api("GET", f"/v1/relays/{fan}")[0] == 404
        assert questions[0].startswith(f"Delete relay {cool}?")
        assert questions[1].startswith(f"Delete every relay of {host_id}?")
        expect(page.locator(".card.relay").first).to_be_visible()  # the demo's own relays stay
    finally:
        demo.api("DELETE", f"/v1/relays/hosts/{host_id}")
        demo.api("DELETE", f"/v1/devices/{host_id}")


def test_only_an_admin_is_offered_to_delete_relays(page, demo):
    sign_in(page, new_key(demo, "write"), "devices")

    expect(page.locator(".card.relay").first).to_be_visible()
    expect(page.get_by_role("button", name="Delete", exact=False)).to_have_count(0)
