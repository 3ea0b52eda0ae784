"""The Now screen follows the live feed: readings and equipment changes arrive without a reload."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _temperature(text: str) -> float:
    return float(re.search(r"-?\d+(\.\d+)?", text).group())


def test_the_live_indicator_says_live_once_signed_in(page, demo):
    sign_in(page, demo.admin_key)
    expect(page.get_by_role("status").filter(has_text="Live")).to_be_visible()


def test_a_new_temperature_arrives_without_reloading(page, demo):
    sign_in(page, demo.admin_key)
    shown = page.locator("#now-rooms .room-value").first
    expect(shown).to_contain_text("°C")
    page.evaluate("window.notReloaded = true")
    before = shown.text_content()
    page.wait_for_function("([old]) => document.querySelector('#now-rooms .room-value').textContent !== old",
                           arg=[before], timeout=20_000)
    assert page.evaluate("window.notReloaded") is True


def test_raising_the_target_turns_the_simulated_furnace_on(page, demo):
    sign_in(page, demo.admin_key)
    current = _temperature(page.locator("#current-temperature").text_content())
    adjust = page.get_by_role("region", name="Adjust")
    adjust.get_by_role("button", name="heat", exact=True).click()
    target = adjust.locator("#adjust-heat")
    for _ in range(60):
        if _temperature(target.text_content()) >= min(current + 5, 35):
            break
        adjust.get_by_role("button", name="Raise heat target").click()
    adjust.get_by_label("How long").select_option(label="For 4 hours")
    adjust.get_by_role("button", name="Apply").click()
    expect(adjust.locator("#adjust-done")).to_contain_text("heat")

    expect(page.locator("#current-target")).to_contain_text(f"to {_temperature(target.text_content()):.1f} °C")
    expect(page.locator("#equipment-state")).to_have_attribute("data-state", "heat", timeout=20_000)
    expect(page.locator('.chip[data-function="heat"]')).to_have_attribute("data-on", "true", timeout=20_000)
    relays = demo.api("GET", "/v1/relays")[1]["relays"]
    heat = [r for r in relays if r["function"] == "heat"]
    assert heat and (heat[0]["on"] or heat[0]["desired"]), json.dumps(heat)


def test_after_the_connection_drops_the_feed_reconnects_and_catches_up(page, demo):
    """The UI's socket is cut by the test; it comes back by itself and asks for what it missed."""
    hellos = []
    sockets = []

    def relay(ws):
        server = ws.connect_to_server()
        sockets.append(ws)

        def from_page(message):
            data = json.loads(message)
            if data.get("type") == "auth":
                hellos.append(data)
            server.send(message)

        ws.on_message(from_page)

    page.route_web_socket(re.compile(r".*/v1/ws$"), relay)
    sign_in(page, demo.admin_key)
    live = page.locator("#live-status")
    expect(live).to_have_text("Live")
    sockets[-1].close(code=1011, reason="cut by the test")
    expect(live).not_to_have_text("Live", timeout=5_000)
    expect(live).to_have_text("Live", timeout=15_000)
    assert len(hellos) >= 2
    assert "after" not in hellos[0] and isinstance(hellos[-1].get("after"), int)
    assert all("key" in hello for hello in hellos) and "key=" not in sockets[-1].url
