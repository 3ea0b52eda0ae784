"""A fresh engine (not the demo): the sign-in screen says where the admin key is, the Now screen lists what is
left to set up and how, ticks each off as it is done, and an admin deletes a sensor for good."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from rpymostat.testing.processes import EngineProcess, http
from tests.browser.conftest import sign_in
from tests.browser.page_checks import accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Iterator[EngineProcess]:
    engine = EngineProcess.prepare(tmp_path_factory.mktemp("fresh")).start()
    try:
        yield engine
    finally:
        engine.stop()


def _key(engine: EngineProcess) -> str:
    return (engine.data_dir / "admin-key").read_text().strip()


@pytest.fixture
def fresh_page(browser, fresh):
    context = browser.new_context(base_url=fresh.url)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("size", list(SIZES))
def test_a_fresh_engine_says_where_the_key_is_and_what_is_left_to_do(fresh_page, fresh, size):
    page = fresh_page
    page.set_viewport_size(SIZES[size])
    page.goto("/ui/")
    expect(page.get_by_text("~/.local/share/rpymostat/admin-key", exact=True)).to_be_visible()
    expect(page.get_by_text("~/.local/share/rpymostat/demo/admin-key", exact=True)).to_be_visible()
    sign_in(page, _key(fresh))
    checklist = page.get_by_role("region", name="Getting started")
    expect(checklist).to_be_visible()
    expect(checklist).to_contain_text("0 of 3 done")
    for step in ("sensor", "relay", "schedule"):
        expect(checklist.locator(f'[data-step="{step}"] .step-state')).to_have_text("to do")
    expect(checklist.locator('[data-step="sensor"]')).to_contain_text("rpymostat-sensor")
    expect(checklist.locator('[data-step="relay"]')).to_contain_text("give its relays a function")
    assert accessibility_violations(page) == []
    checklist.get_by_role("link", name="Open Schedule").click()
    expect(page.get_by_role("heading", name="Week schedule")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


def test_each_step_is_ticked_off_and_a_sensor_can_be_deleted(fresh_page, fresh):
    page = fresh_page
    key = _key(fresh)
    status, _ = http("PUT", fresh.url + "/v1/sensors/update", {"host_id": "pi", "sensors": {
        "28-spare": {"type": "DS18B20", "value": 19.5}}}, key=key)
    assert status == 201
    status, made = http("POST", fresh.url + "/v1/schedules", {"name": "Mornings", "cron": "30 6 * * *",
                                                               "end_cron": "0 9 * * *", "mode": "heat",
                                                               "heat_setpoint": 21}, key=key)
    assert status == 201, made
    try:
        sign_in(page, key)
        checklist = page.get_by_role("region", name="Getting started")
        expect(checklist).to_contain_text("2 of 3 done")
        expect(checklist.locator('[data-step="sensor"] .step-state')).to_have_text("done")
        expect(checklist.locator('[data-step="schedule"] .step-state')).to_have_text("done")
        expect(checklist.locator('[data-step="relay"] .step-state')).to_have_text("to do")
        unnamed = page.locator('#now-rooms .room[data-sensor="28-spare"]')
        expect(unnamed.get_by_role("link", name="Give this sensor a name")).to_be_visible()

        page.goto("/ui/#devices")
        card = page.locator('.card.sensor[data-sensor="28-spare"]')
        expect(card).to_be_visible()
        page.once("dialog", lambda dialog: dialog.accept())
        card.get_by_role("button", name="Delete 28-spare").click()
        expect(card).to_have_count(0)
        assert http("GET", fresh.url + "/v1/sensors/28-spare", key=key)[0] == 404
    finally:
        http("DELETE", f"{fresh.url}/v1/schedules/{made['id']}", key=key)
        http("DELETE", fresh.url + "/v1/sensors/28-spare", key=key)
