"""The Events and Presets screens: a posted event shows up live, a reaction is switched, a preset changed."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_an_event_appears_in_the_log_as_it_is_posted_and_a_reaction_is_switched_on(page, demo):
    sign_in(page, demo.admin_key, "events")
    switch = page.get_by_role("switch", name="Pause heating and cooling while a window is open")
    expect(switch).to_be_visible()
    before = demo.api("GET", "/v1/reactions/window")[1]["enabled"]
    try:
        status, posted = demo.api("POST", "/v1/events", {"device": "door", "location": "Browser hall",
                                                          "action": "contact", "value": "open"})
        assert status == 201, posted
        expect(page.locator(f'tr[data-event="{posted["id"]}"]')).to_contain_text("Browser hall")
        if before:
            switch.uncheck()
        with page.expect_response(lambda r: r.url.endswith("/v1/reactions/window") and r.request.method == "PATCH"):
            switch.check()
        expect(page.get_by_role("switch", name="Pause heating and cooling while a window is open")).to_be_checked()
        assert demo.api("GET", "/v1/reactions/window")[1]["enabled"] is True
    finally:
        demo.api("PATCH", "/v1/reactions/window", {"enabled": before})


def test_a_preset_is_changed_on_its_card(page, demo):
    before = demo.api("GET", "/v1/presets/eco")[1]
    try:
        sign_in(page, demo.admin_key, "presets")
        card = page.locator('.card.preset[data-preset="eco"]')
        card.get_by_label("eco: heat to").fill("18.5")
        # Saving redraws the screen from a fresh GET: wait for it, so the next typing is not redrawn away.
        with page.expect_response(lambda r: r.url.endswith("/v1/presets") and r.request.method == "GET"):
            card.get_by_role("button", name="Save").click()
        expect(card.get_by_label("eco: heat to")).to_have_value("18.5")
        assert demo.api("GET", "/v1/presets/eco")[1]["heat_setpoint"] == 18.5
        card.get_by_label("eco: cool to").fill("18")
        card.get_by_role("button", name="Save").click()
        expect(card.locator(".form-error, .field-error[role=alert]").first).to_contain_text("cool_setpoint")
    finally:
        demo.api("PUT", "/v1/presets/eco", {"heat_setpoint": before["heat_setpoint"],
                                            "cool_setpoint": before["cool_setpoint"]})


def test_a_rule_of_ones_own_is_switched_off_on_its_card(page, demo):
    status, rule = demo.api("POST", "/v1/reactions/rules", {"name": "Browser party", "when": {"device": "light"},
                                                             "action": "step", "step": 1})
    assert status == 201, rule
    try:
        sign_in(page, demo.admin_key, "events")
        switch = page.get_by_role("switch", name="Browser party")
        expect(switch).to_be_checked()
        with page.expect_response(lambda r: "/v1/reactions/rules/" in r.url and r.request.method == "PUT"):
            switch.uncheck()
        expect(page.get_by_role("switch", name="Browser party")).not_to_be_checked()
        assert demo.api("GET", f"/v1/reactions/rules/{rule['id']}")[1]["enabled"] is False
    finally:
        demo.api("DELETE", f"/v1/reactions/rules/{rule['id']}")
