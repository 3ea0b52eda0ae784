"""Everything by keyboard: the week grid, the quick adjust and the history chart's controls are reached with Tab
and worked with Enter or Space, with no pointer; and axe-core finds nothing serious in what they open."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.browser.page_checks import accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _tab_to(page, name: str, limit: int = 80) -> None:
    """Press Tab until the focused element's accessible name contains `name`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.getAttribute('aria-label') || document.activeElement.textContent")
        if name.lower() in (focused or "").lower():
            return
    raise AssertionError(f"Tab never reached {name!r}")


@pytest.fixture
def keep_schedules(demo):
    saved = {(s["cron"], s.get("end_cron"), s.get("duration")) for s in demo.api("GET", "/v1/schedules")[1]["schedules"]}
    yield
    for rule in demo.api("GET", "/v1/schedules")[1]["schedules"]:
        if (rule["cron"], rule.get("end_cron"), rule.get("duration")) not in saved:
            demo.api("DELETE", f"/v1/schedules/{rule['id']}")


def test_a_day_of_the_week_is_edited_by_keyboard(page, demo, keep_schedules):
    sign_in(page, demo.admin_key, "schedule")
    expect(page.locator("#week-grid .day-row")).to_have_count(7)
    page.locator("#screen").focus()
    _tab_to(page, "edit Thursday")
    page.keyboard.press("Enter")
    editor = page.locator("#day-editor")
    expect(editor.get_by_role("heading", name="Thursday")).to_be_visible()
    blocks = editor.locator(".block-row").count()
    _tab_to(page, f"Split Thursday block {blocks}")
    page.keyboard.press("Space")
    expect(editor.locator(".block-row")).to_have_count(blocks + 1)
    _tab_to(page, f"Thursday block {blocks + 1} setting")
    page.keyboard.press("ArrowDown")  # the next mode in the list
    expect(page.locator('.day-row[data-day="3"] .block').last).not_to_have_attribute(
        "title", page.locator('.day-row[data-day="3"] .block').nth(blocks - 1).get_attribute("title"))
    assert accessibility_violations(page) == []
    page.get_by_role("button", name="Discard changes").focus()
    page.keyboard.press("Enter")
    expect(editor.locator(".block-row")).to_have_count(blocks)


def test_the_quick_adjust_and_the_chart_controls_by_keyboard(page, demo):
    before = {o["id"] for o in demo.api("GET", "/v1/overrides")[1]["overrides"]}
    try:
        sign_in(page, demo.admin_key)
        shown = page.locator("#quick-target")
        expect(shown).to_contain_text("°C")
        first = shown.text_content()
        page.locator("#screen").focus()
        _tab_to(page, "Raise the target")
        page.keyboard.press("Enter")
        expect(shown).not_to_have_text(first)
        _tab_to(page, "For 2 h")
        page.keyboard.press("Enter")
        expect(page.locator("#quick-done")).to_contain_text("for 2 h.")

        page.goto("/ui/#history")
        expect(page.locator("#history-chart canvas")).to_be_visible()
        page.locator("#screen").focus()
        _tab_to(page, "week")
        with page.expect_response("**/v1/history?*"):
            page.keyboard.press("Enter")
        expect(page.get_by_role("button", name="week")).to_have_attribute("aria-pressed", "true")
    finally:
        for override in demo.api("GET", "/v1/overrides")[1]["overrides"]:
            if override["id"] not in before:
                demo.api("DELETE", f"/v1/overrides/{override['id']}")
