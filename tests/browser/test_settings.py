"""The Settings screen: display units, the home's time zone, the decision plugin, API keys."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from rpymostat.testing.processes import wait_for
from tests.browser.conftest import new_key, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SETTINGS = "/v1/schedules/settings"


def _degrees(text: str) -> float:
    return float(re.search(r"-?\d+(\.\d+)?", text).group())


def test_fahrenheit_shows_on_the_now_screen_and_celsius_comes_back(page, demo):
    sign_in(page, demo.admin_key, "settings")
    page.get_by_label("Units").select_option("F")
    page.goto("/ui/#now")
    hero = page.locator("#current-temperature")
    expect(hero).to_contain_text("°F")
    expect(page.locator("#now-rooms .room-value").first).to_contain_text("°F")
    assert 50 <= _degrees(hero.text_content()) <= 95, "a room temperature in °F"

    page.goto("/ui/#settings")
    page.get_by_label("Units").select_option("C")
    page.goto("/ui/#now")
    expect(hero).to_contain_text("°C")
    assert 10 <= _degrees(hero.text_content()) <= 35


def test_a_chosen_time_zone_is_stored_and_can_be_given_back_to_the_engine(page, demo):
    before = demo.api("GET", SETTINGS)[1]
    assert before["timezone"] is None, "the demo starts following RPYMOSTAT_TIMEZONE"
    try:
        sign_in(page, demo.admin_key, "settings")
        zone = page.get_by_label("Home time zone")
        expect(page.locator("#timezone-effective")).to_contain_text(before["effective_timezone"])
        zone.fill("Asia/Tokyo")
        page.get_by_role("button", name="Save time zone").click()
        expect(page.locator("#timezone-effective")).to_contain_text("Schedules follow Asia/Tokyo.")
        expect(zone).to_have_value("Asia/Tokyo")
        stored = demo.api("GET", SETTINGS)[1]
        assert (stored["timezone"], stored["effective_timezone"]) == ("Asia/Tokyo", "Asia/Tokyo")
        assert demo.api("GET", "/v1/timeline")[1]["timezone"] == "Asia/Tokyo"

        zone.fill("")
        page.get_by_role("button", name="Save time zone").click()
        expect(page.locator("#timezone-effective")).to_contain_text(
            f"Schedules follow {before['effective_timezone']}, the engine's RPYMOSTAT_TIMEZONE.")
        assert demo.api("GET", SETTINGS)[1]["timezone"] is None
    finally:
        demo.api("PATCH", SETTINGS, {"timezone": before["timezone"]})


def test_an_unknown_time_zone_is_explained_next_to_the_field(page, demo):
    sign_in(page, demo.admin_key, "settings")
    zone = page.get_by_label("Home time zone")
    zone.fill("Mars/Olympus_Mons")
    page.get_by_role("button", name="Save time zone").click()
    expect(page.locator("#timezone-error")).to_contain_text("is not an IANA time zone name")
    expect(zone).to_have_attribute("aria-invalid", "true")
    assert demo.api("GET", SETTINGS)[1]["timezone"] is None


def test_a_read_key_sees_the_time_zone_but_cannot_change_it(page, demo):
    sign_in(page, new_key(demo, "read"), "settings")
    expect(page.locator("#timezone-effective")).to_contain_text("Schedules follow")
    expect(page.get_by_label("Home time zone")).to_be_disabled()
    expect(page.get_by_role("button", name="Save time zone")).to_have_count(0)


def test_a_key_made_in_settings_is_shown_once_and_revoking_it_locks_it_out(page, demo, browser):
    name = "browser-made writer"
    sign_in(page, demo.admin_key, "settings")
    keys = page.get_by_role("region", name="API keys")
    keys.get_by_label("Name").fill(name)
    keys.get_by_label("Role").select_option("write")
    keys.get_by_role("button", name="Create key").click()
    shown = keys.locator("#new-key")
    expect(shown).to_contain_text("New key (shown once): rpm_")
    key = shown.text_content().split(": ", 1)[1].strip()
    status, me = demo.api("GET", "/v1/keys/current", key=key)
    assert status == 200 and (me["name"], me["role"]) == (name, "write")

    page.reload()
    card = keys.locator(".card").filter(has_text=name)
    expect(card).to_contain_text("write — live")
    assert key not in page.content(), "the key's text is shown only once"
    card.get_by_role("button", name=f"Revoke {name}").click()
    expect(card.get_by_role("alert")).to_contain_text(f"Revoke {name}? Whatever uses it is locked out at once")
    card.get_by_role("button", name="Cancel").click()
    expect(card).to_contain_text("write — live")
    assert demo.api("GET", "/v1/keys/current", key=key)[0] == 200, "cancelled: the key still works"
    card.get_by_role("button", name=f"Revoke {name}").click()
    card.get_by_role("button", name="Yes, revoke").click()
    expect(card).to_contain_text("write — revoked")

    elsewhere = browser.new_context(base_url=demo.url)
    try:
        other = elsewhere.new_page()
        other.goto("/ui/")
        other.get_by_label("API key").fill(key)
        other.get_by_role("button", name="Sign in").click()
        expect(other.get_by_role("alert")).to_contain_text("That key is not valid.")
        expect(other.get_by_role("navigation", name="Screens")).to_have_count(0)
    finally:
        elsewhere.close()


def test_the_decision_plugins_options_form_stores_a_new_tolerance(page, demo):
    before = demo.api("GET", "/v1/plugins")[1]["decisions"]
    assert before["active"] == "predictive"
    label = "above the heat setpoint at which heating stops"
    try:
        sign_in(page, demo.admin_key, "settings")
        section = page.get_by_role("region", name="Decision plugin")
        tolerance = section.get_by_label(label, exact=False)
        tolerance.fill("0.4")
        section.get_by_role("button", name="Use these settings").click()
        wait_for(lambda: demo.api("GET", "/v1/plugins")[1]["decisions"]["options"].get("hot_tolerance") == 0.4,
                 what="the new hot tolerance to be stored")
        stored = demo.api("GET", "/v1/plugins")[1]["decisions"]
        assert stored["active"] == "predictive"
        page.reload()
        expect(section.get_by_label(label, exact=False)).to_have_value("0.4")
    finally:
        demo.api("PUT", "/v1/plugins/decisions", {"name": before["active"], "options": before["options"]})


def test_the_key_in_use_is_marked_and_the_last_admin_key_is_kept_with_the_reason(page, demo):
    admin_id = demo.api("GET", "/v1/keys/current")[1]["id"]
    sign_in(page, demo.admin_key, "settings")
    keys = page.get_by_role("region", name="API keys")
    in_use = keys.locator(f'.card[data-key="{admin_id}"]')
    expect(in_use).to_contain_text("In use: this browser is signed in with this key.")
    expect(keys.locator(".key-in-use")).to_have_count(1)

    in_use.get_by_role("button", name=re.compile("^Revoke ")).click()
    expect(in_use.get_by_role("alert")).to_contain_text("This browser is signed in with it and will be signed out.")
    in_use.get_by_role("button", name="Yes, revoke").click()
    expect(keys.locator(".form-error")).to_contain_text("last live admin key")
    assert demo.api("GET", "/v1/keys/current")[0] == 200, "the demo's admin key still works"
