"""The week grid: a weekday/weekend schedule made from scratch by tapping and typing, saved as schedule
rules and drawn in the week ahead; an edge dragged with a finger; the setting outside every schedule."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _shown(hh_mm: str) -> str:
    """A time as the test browser (en-US) writes it: 06:30 AM, 10:00 PM."""
    hour, minute = map(int, hh_mm.split(":"))
    return f"{(hour - 1) % 12 + 1:02d}:{minute:02d} {'AM' if hour < 12 else 'PM'}"


def _make_day(page, day: str, start: str, end: str, heat: str) -> None:
    """Default all day, then one heating block from `start` to `end`, made with Split and the time fields."""
    page.get_by_role("button", name=f"edit {day}").click()
    editor = page.locator("#day-editor")
    expect(editor.get_by_role("heading", name=day)).to_be_visible()
    editor.get_by_role("button", name=f"Split {day} block 1").click()
    editor.get_by_role("button", name=f"Split {day} block 2").click()
    editor.get_by_label(f"{day} block 2 starts").fill(start)
    editor.get_by_label(f"{day} block 3 starts").fill(end)
    editor.get_by_label(f"{day} block 2 setting").select_option("heat")
    editor.get_by_label(f"{day} block 2 heat to").fill(heat)
    editor.get_by_label(f"{day} block 2 heat to").press("Tab")
    row = page.locator(f'.day-row[data-day="{DAYS.index(day)}"]')
    expect(row.locator(".block.setting-heat")).to_have_attribute("title", f"{_shown(start)}–{_shown(end)} Heat {float(heat):.1f} °C")


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_weekday_and_weekend_week_made_from_scratch_shows_in_the_week_ahead(page, demo, no_schedules, size):
    page.set_viewport_size(PHONE if size == "phone" else DESKTOP)
    sign_in(page, demo.admin_key, "schedule")
    grid = page.locator("#week-grid")
    expect(grid.locator(".day-row")).to_have_count(7)
    expect(grid.locator(".block.setting-heat")).to_have_count(0)

    _make_day(page, "Monday", "06:30", "22:00", "21")
    editor = page.locator("#day-editor")
    editor.get_by_role("button", name="Weekdays").click()
    editor.get_by_role("button", name="Copy", exact=True).click()
    expect(page.locator("#week-status")).to_have_text("Copied Monday to Tue, Wed, Thu, Fri.")
    _make_day(page, "Saturday", "08:00", "23:00", "22")
    editor.get_by_label("Sun", exact=True).check()
    editor.get_by_role("button", name="Copy", exact=True).click()
    expect(grid.locator(".block.setting-heat")).to_have_count(7)
    page.get_by_role("button", name="Save week").click()
    expect(page.locator("#week-status")).to_have_text("Week saved.")

    rules = {rule["cron"]: rule for rule in demo.api("GET", "/v1/schedules")[1]["schedules"]}
    assert set(rules) == {"30 6 * * 1-5", "0 8 * * 0,6"}, rules
    weekdays, weekend = rules["30 6 * * 1-5"], rules["0 8 * * 0,6"]
    assert (weekdays["end_cron"], weekdays["mode"], weekdays["heat_setpoint"]) == ("0 22 * * *", "heat", 21.0)
    assert (weekend["end_cron"], weekend["mode"], weekend["heat_setpoint"]) == ("0 23 * * *", "heat", 22.0)

    # The week ahead (eight days from today) draws both, on the days they are for.
    week = page.locator("svg.week")
    expect(week.locator(f'.band[data-source="schedule:{weekdays["id"]}"]').first).to_be_visible()
    assert week.locator(f'.band[data-source="schedule:{weekdays["id"]}"]').count() >= 5
    assert week.locator(f'.band[data-source="schedule:{weekend["id"]}"]').count() >= 2
    titles = week.locator(f'.band[data-source="schedule:{weekdays["id"]}"] title').all_text_contents()
    assert any("6:30" in title and ("22:00" in title or "10:00 PM" in title) for title in titles), titles

    # Read back, the grid shows what was saved; saving again changes nothing.
    page.reload()
    expect(grid.locator(".block.setting-heat")).to_have_count(7)
    page.get_by_role("button", name="Save week").click()
    expect(page.locator("#week-status")).to_have_text("Week saved.")
    again = {rule["cron"]: rule["id"] for rule in demo.api("GET", "/v1/schedules")[1]["schedules"]}
    assert again == {cron: rule["id"] for cron, rule in rules.items()}


def _finger_drag(page, from_x: float, to_x: float, y: float, steps: int = 8) -> None:
    """A real touch (not a mouse) sliding sideways, through Chromium's input events."""
    session = page.context.new_cdp_session(page)
    try:
        session.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": from_x, "y": y}]})
        for step in range(1, steps + 1):
            x = from_x + (to_x - from_x) * step / steps
            session.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
        session.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    finally:
        session.detach()


def test_an_edge_dragged_by_a_finger_moves_the_block(context, demo, no_schedules):
    page = context.browser.new_context(viewport=PHONE, base_url=demo.url, has_touch=True).new_page()
    try:
        sign_in(page, demo.admin_key, "schedule")
        page.get_by_role("button", name="edit Tuesday").click()
        page.get_by_role("button", name="Split Tuesday block 1").click()
        starts = page.get_by_label("Tuesday block 2 starts")
        expect(starts).to_have_value("12:00")
        track = page.locator('.track[data-day="1"]')
        edge = track.locator(".edge")
        edge.scroll_into_view_if_needed()
        box, track_box = edge.bounding_box(), track.bounding_box()
        y = box["y"] + box["height"] / 2
        _finger_drag(page, box["x"] + box["width"] / 2, track_box["x"] + track_box["width"] * 0.75, y)
        expect(starts).to_have_value("18:00")
        page.get_by_label("Tuesday block 2 setting").select_option("cool")
        page.get_by_role("button", name="Save week").click()
        expect(page.locator("#week-status")).to_have_text("Week saved.")
        rules = demo.api("GET", "/v1/schedules")[1]["schedules"]
        assert [(r["cron"], r["end_cron"], r["mode"]) for r in rules] == [("0 18 * * 2", "0 0 * * *", "cool")]
    finally:
        page.context.close()


def test_the_setting_outside_every_schedule_is_edited_in_the_week(page, demo):
    before = demo.api("GET", "/v1/schedules/settings")[1]["default_instruction"]
    try:
        sign_in(page, demo.admin_key, "schedule")
        panel = page.locator("#default-instruction")
        panel.get_by_label("Outside every schedule setting").select_option("heat")
        panel.get_by_label("Outside every schedule heat to").fill("17.5")
        panel.get_by_role("button", name="Save outside-schedule setting").click()
        expect(page.locator("#week-status")).to_have_text("Outside every schedule: Heat 17.5 °C.")
        stored = demo.api("GET", "/v1/schedules/settings")[1]["default_instruction"]
        assert stored["mode"] == "heat" and stored["heat_setpoint"] == 17.5
    finally:
        demo.api("PATCH", "/v1/schedules/settings", {"default_instruction": before})


def test_a_draft_outlives_a_change_made_elsewhere_and_says_so(page, demo, no_schedules):
    sign_in(page, demo.admin_key, "schedule")
    page.get_by_role("button", name="edit Wednesday").click()
    page.get_by_role("button", name="Split Wednesday block 1").click()
    page.get_by_label("Wednesday block 2 setting").select_option("off")
    status, made = demo.api("POST", "/v1/schedules", {"name": "Made elsewhere", "cron": "0 7 * * 4",
                                                      "end_cron": "0 8 * * *", "mode": "heat", "heat_setpoint": 20})
    assert status == 201, made
    expect(page.locator("#week-changed")).to_be_visible()
    expect(page.locator('.day-row[data-day="2"] .block.setting-off')).to_have_count(1)  # the draft is still there
    page.get_by_role("button", name="Discard changes").click()
    expect(page.locator("#week-changed")).to_have_count(0)
    expect(page.locator('.day-row[data-day="2"] .block.setting-off')).to_have_count(0)
    expect(page.locator('.day-row[data-day="3"] .block.setting-heat')).to_have_count(1)  # the rule made elsewhere
