"""The Adjust panel turns the system off: the decision says so, and the change can be taken back."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _override_ids(demo) -> set[str]:
    return {o["id"] for o in demo.api("GET", "/v1/overrides")[1]["overrides"]}


def test_turning_the_system_off_shows_in_the_decision(page, demo):
    before = _override_ids(demo)
    try:
        sign_in(page, demo.admin_key)
        page.get_by_text("Details").click()
        expect(page.locator("#now-hero .reason")).to_be_visible()
        adjust = page.get_by_role("region", name="Adjust")
        adjust.get_by_role("button", name="off", exact=True).click()
        expect(adjust.get_by_role("button", name="off", exact=True)).to_have_attribute("aria-pressed", "true")
        expect(adjust.get_by_role("group", name="Heat to")).to_be_hidden()
        adjust.get_by_label("How long").select_option(label="For 8 hours")
        adjust.get_by_role("button", name="Apply").click()
        expect(adjust.locator("#adjust-done")).to_contain_text("Done: off")

        expect(page.locator("#current-target")).to_contain_text("System off")
        expect(page.locator("#now-hero .reason")).to_have_text("the system is off", timeout=20_000)
        expect(page.locator("#equipment-state")).to_have_attribute("data-state", "idle")
        made = _override_ids(demo) - before
        assert len(made) == 1, "the panel made one adjustment"
        decision = demo.api("GET", "/v1/decisions/current")[1]
        assert decision["instruction"]["mode"] == "off" and "system off" in decision["summary"]
    finally:
        for override_id in _override_ids(demo) - before:
            demo.api("DELETE", f"/v1/overrides/{override_id}")
    expect(page.locator("#now-hero .reason")).not_to_have_text("the system is off", timeout=20_000)
