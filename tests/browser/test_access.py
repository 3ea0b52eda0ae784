"""Signing in and out with an API key, and what a ``read`` key is offered."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import new_key, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_a_wrong_key_is_refused_with_a_message(page, demo):
    page.goto("/ui/")
    page.get_by_label("API key").fill("rpm_not-a-key")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("not valid")
    expect(page.get_by_role("navigation", name="Screens")).to_have_count(0)


def test_signing_in_shows_the_screens_and_signing_out_forgets_the_key(page, demo):
    sign_in(page, demo.admin_key)
    expect(page.locator("#current-temperature")).to_contain_text("°C")
    assert page.evaluate("localStorage.getItem('rpymostat.key')") == demo.admin_key

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("API key")).to_be_visible()
    assert page.evaluate("localStorage.getItem('rpymostat.key')") is None
    page.reload()
    expect(page.get_by_label("API key")).to_be_visible()
    expect(page.get_by_role("navigation", name="Screens")).to_have_count(0)


def test_an_answer_arriving_after_signing_out_does_not_bring_the_screen_back(page, demo):
    """The Now screen's readings are held back until after sign-out, then let through."""
    held = []
    page.route("**/v1/sensors", lambda route: held.append(route))
    with page.expect_request("**/v1/sensors"):
        sign_in(page, demo.admin_key)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("API key")).to_be_visible()
    assert held, "the Now screen did not ask for the sensors"
    with page.expect_response("**/v1/sensors"):
        for route in held:
            route.continue_()
    page.evaluate("() => new Promise((done) => setTimeout(done, 0))")
    expect(page.get_by_label("API key")).to_be_visible()
    expect(page.get_by_role("region", name="Now")).to_have_count(0)


def test_a_read_key_sees_everything_but_is_offered_no_change(page, demo):
    key = new_key(demo, "read")
    sign_in(page, key)
    expect(page.locator("#current-temperature")).to_contain_text("°C")
    expect(page.get_by_role("region", name="Adjust")).to_have_count(0)

    page.goto("/ui/#schedule")
    expect(page.locator("svg.week .band").first).to_be_visible()
    expect(page.locator("#away-form")).to_have_count(0)
    expect(page.locator("#schedule-form")).to_have_count(0)
    expect(page.get_by_role("button", name="Pause all schedules")).to_have_count(0)
    expect(page.get_by_role("button", name="Delete", exact=False)).to_have_count(0)

    page.goto("/ui/#devices")
    expect(page.locator(".card.device").first).to_be_visible()
    expect(page.get_by_role("button", name="Approve", exact=False)).to_have_count(0)
    expect(page.get_by_role("button", name="Save", exact=False)).to_have_count(0)
    for field in page.locator("main input, main select").all():
        expect(field).to_be_disabled()

    page.goto("/ui/#settings")
    expect(page.get_by_label("Plugin", exact=True)).to_have_count(2)  # the decision and the weather plugin
    for choice in page.get_by_label("Plugin", exact=True).all():
        expect(choice).to_be_disabled()
    expect(page.get_by_role("button", name="Use these settings")).to_have_count(0)
    expect(page.get_by_role("region", name="API keys")).to_have_count(0)


def test_a_read_key_is_refused_when_it_tries_a_change_directly(page, demo):
    key = new_key(demo, "read")
    sign_in(page, key)
    status = page.evaluate("""async () => {
        const response = await fetch('/v1/overrides', {method: 'POST',
            headers: {'Authorization': 'Bearer ' + localStorage.getItem('rpymostat.key'),
                      'Content-Type': 'application/json'},
            body: JSON.stringify({start: 'now', mode: 'heat', heat_setpoint: 30, duration: 'PT1H'})});
        return response.status;
    }""")
    assert status == 403
    overrides = demo.api("GET", "/v1/overrides")[1]["overrides"]
    assert not any(o.get("heat_setpoint") == 30 for o in overrides)
