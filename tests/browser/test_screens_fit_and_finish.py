"""Every screen at phone and desktop size: fits, big enough to touch, named for screen readers,
readable, no serious or critical axe-core finding, served by the engine alone — and a screenshot of each."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, sign_in
from tests.browser.page_checks import (
    accessibility_violations,
    horizontal_overflow,
    low_contrast,
    small_targets,
    unnamed_controls,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TABLET = {"width": 1280, "height": 800}
# What each screen shows once it has loaded.
LOADED = {
    "now": "#now-details summary",
    "schedule": "svg.week .band",
    "history": "#history-chart canvas",
    "devices": ".card.device",
    "settings": "#plugin",
    "events": ".card.reaction",
    "presets": ".card.preset",
}


def _check(page, name: str, width: int) -> None:
    assert horizontal_overflow(page) <= 0, f"{name} scrolls sideways at {width} px"
    assert unnamed_controls(page) == [], f"{name} has controls without a name"
    assert low_contrast(page) == [], f"{name} has text with too little contrast"
    assert accessibility_violations(page) == [], f"axe-core finds serious or critical problems on {name}"
    if width <= PHONE["width"]:
        assert small_targets(page) == [], f"{name} has touch targets under 44 px"


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_each_screen_fits_reads_well_and_is_photographed(context, demo, screenshots, size):
    viewport = PHONE if size == "phone" else DESKTOP
    page = context.new_page()
    page.set_viewport_size(viewport)
    page.goto("/ui/")
    expect(page.get_by_label("API key")).to_be_visible()
    _check(page, "sign-in", viewport["width"])
    page.screenshot(path=screenshots / f"{size}-sign-in.png")
    sign_in(page, demo.admin_key)
    for name, loaded in LOADED.items():
        page.goto(f"/ui/#{name}")
        expect(page.locator(loaded).first).to_be_visible()
        expect(page.locator("#live-status")).to_have_text("Live")
        _check(page, name, viewport["width"])
        page.screenshot(path=screenshots / f"{size}-{name}.png", full_page=True)
    engine = urlsplit(demo.url).netloc
    assert {urlsplit(url).netloc for url in context.requests} == {engine}


def test_kiosk_mode_is_dark_large_and_keeps_the_screen_on(context, demo, screenshots):
    page = context.new_page()
    page.set_viewport_size(TABLET)
    page.add_init_script("""
        window.wakeLockRequests = [];
        Object.defineProperty(navigator, 'wakeLock', {configurable: true, value: {
            request: async (type) => { window.wakeLockRequests.push(type);
                return {released: false, release: async function () { this.released = true; }}; }}});
    """)
    sign_in(page, demo.admin_key, "settings")
    page.get_by_label("Wall-tablet mode", exact=False).check()
    expect(page.locator("body")).to_have_class("kiosk")
    assert page.evaluate("window.wakeLockRequests") == ["screen"]
    page.goto("/ui/#now")
    expect(page.locator("#now-details summary")).to_be_visible()
    expect(page.locator("#live-status")).to_have_text("Live")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert sum(int(v) for v in background[4:-1].split(",")) < 3 * 60, background
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 22
    _check(page, "kiosk now", TABLET["width"])
    page.screenshot(path=screenshots / "tablet-kiosk-now.png")
    for name, loaded in LOADED.items():  # the dark theme's contrast and axe-core, on every screen
        page.goto(f"/ui/#{name}")
        expect(page.locator(loaded).first).to_be_visible()
        _check(page, f"kiosk {name}", TABLET["width"])
    page.goto("/ui/#now")

    page.reload()
    expect(page.locator("body")).to_have_class("kiosk")
    expect(page.locator("#now-rooms .room-value").first).to_be_visible()
    assert page.evaluate("window.wakeLockRequests") == ["screen"]


def test_kiosk_mode_can_be_asked_for_in_the_address(context, demo):
    page = context.new_page()
    page.goto("/ui/?kiosk=1")
    expect(page.locator("body")).to_have_class("kiosk")
    page.goto("/ui/?kiosk=0")
    expect(page.locator("body")).not_to_have_class("kiosk")
