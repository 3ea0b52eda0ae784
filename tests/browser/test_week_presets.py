"""Presets in the week grid: a weekday/weekend week of Home and Sleep made from scratch, saved as rules naming
the presets, in force in the week ahead and drawn again as presets; a preset changed on its screen shows in the
grid."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, sign_in
from tests.browser.page_checks import accessibility_violations, low_contrast, small_targets

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


@pytest.fixture
def heating_outside(demo):
    """Heating to 16 °C outside every schedule, so a block newly set to a preset heats; put back afterwards."""
    before = demo.api("GET", "/v1/schedules/settings")[1]["default_instruction"]
    status, body = demo.api("PATCH", "/v1/schedules/settings",
                            {"default_instruction": {"mode": "heat", "heat_setpoint": 16}})
    assert status == 200, body
    yield
    demo.api("PATCH", "/v1/schedules/settings", {"default_instruction": before})


@pytest.fixture
def eco_kept(demo):
    """The eco preset as it was, after a test that changes it."""
    before = demo.api("GET", "/v1/presets/eco")[1]
    yield
    demo.api("PUT", "/v1/presets/eco", {"heat_setpoint": before["heat_setpoint"],
                                        "cool_setpoint": before["cool_setpoint"]})


def _shown(hh_mm: str) -> str:
    """A time as the test browser (en-US) writes it: 06:30 AM, 10:00 PM."""
    hour, minute = map(int, hh_mm.split(":"))
    return f"{(hour - 1) % 12 + 1:02d}:{minute:02d} {'AM' if hour < 12 else 'PM'}"


def _home_by_day(page, day: str, wake: str, bed: str) -> None:
    """Sleep at night and Home from `wake` to `bed`, made with Split, the time fields and the setting chooser."""
    page.get_by_role("button", name=f"edit {day}").click()
    editor = page.locator("#day-editor")
    expect(editor.get_by_role("heading", name=day)).to_be_visible()
    editor.get_by_role("button", name=f"Split {day} block 1").click()
    editor.get_by_role("button", name=f"Split {day} block 2").click()
    editor.get_by_label(f"{day} block 2 starts").fill(wake)
    editor.get_by_label(f"{day} block 3 starts").fill(bed)
    editor.get_by_label(f"{day} block 2 setting").select_option(label="Home")
    editor.get_by_label(f"{day} block 1 setting").select_option(label="Sleep")
    editor.get_by_label(f"{day} block 3 setting").select_option(label="Sleep")
    row = page.locator(f'.day-row[data-day="{DAYS.index(day)}"]')
    expect(row.locator(".block")).to_have_count(3)
    expect(row.locator(".block").nth(1)).to_have_attribute(
        "title", f"{_shown(wake)}–{_shown(bed)} Home (Heat 21.0 °C)")


def _background(block) -> str:
    return block.evaluate("(e) => getComputedStyle(e).backgroundColor")


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_week_of_home_and_sleep_made_in_the_grid_is_in_force_and_drawn_again(page, demo, no_schedules,
                                                                                 heating_outside, size):
    page.set_viewport_size(PHONE if size == "phone" else DESKTOP)
    sign_in(page, demo.admin_key, "schedule")
    grid = page.locator("#week-grid")
    expect(grid.locator(".day-row")).to_have_count(7)
    expect(grid.locator(".block.setting-preset")).to_have_count(0)

    _home_by_day(page, "Monday", "06:30", "22:00")
    editor = page.locator("#day-editor")
    editor.get_by_role("button", name="Weekdays").click()
    editor.get_by_role("button", name="Copy", exact=True).click()
    expect(page.locator("#week-status")).to_have_text("Copied Monday to Tue, Wed, Thu, Fri.")
    _home_by_day(page, "Saturday", "08:00", "23:00")
    editor.get_by_label("Sun", exact=True).check()
    editor.get_by_role("button", name="Copy", exact=True).click()
    expect(grid.locator(".block.setting-preset")).to_have_count(21)
    page.get_by_role("button", name="Save week").click()
    expect(page.locator("#week-status")).to_have_text("Week saved.")

    # The rules name the presets (their targets follow the presets), joined across midnight where Sleep runs on.
    rules = demo.api("GET", "/v1/schedules")[1]["schedules"]
    assert {(r["cron"], r["end_cron"], r["mode"], r.get("preset")) for r in rules} == {
        ("30 6 * * 1-5", "0 22 * * *", "heat", "home"), ("0 8 * * 0,6", "0 23 * * *", "heat", "home"),
        ("0 22 * * 1-4", "30 6 * * *", "heat", "sleep"), ("0 22 * * 5", "0 8 * * *", "heat", "sleep"),
        ("0 23 * * 6", "0 8 * * *", "heat", "sleep"), ("0 23 * * 0", "30 6 * * *", "heat", "sleep")}
    home = next(r for r in rules if r["cron"] == "30 6 * * 1-5")

    # The timeline says which preset is in force: in the API and in the week ahead.
    segments = demo.api("GET", "/v1/timeline?hours=168")[1]["segments"]
    assert {s.get("preset") for s in segments if s["source"] == f"schedule:{home['id']}"} == {"home"}
    bands = page.locator(f'svg.week .band[data-source="schedule:{home["id"]}"]')
    expect(bands.first).to_be_visible()
    assert all("Home 21 °C" in title for title in bands.locator("title").all_text_contents())

    # Read back, the blocks are drawn with their presets, each preset in its own colour; saving again changes nothing.
    page.reload()
    expect(grid.locator(".block.setting-preset")).to_have_count(21)
    monday = grid.locator('.day-row[data-day="0"] .block')
    expect(monday.nth(1)).to_have_attribute("title", f"{_shown('06:30')}–{_shown('22:00')} Home (Heat 21.0 °C)")
    expect(monday.nth(0)).to_have_attribute("title", f"12:00 AM–{_shown('06:30')} Sleep (Heat 18.0 °C)")
    expect(monday.nth(1)).to_contain_text("Home")
    assert _background(monday.nth(0)) == _background(monday.nth(2)) != _background(monday.nth(1))
    page.get_by_role("button", name="edit Monday").click()
    expect(page.get_by_label("Monday block 2 setting")).to_have_value("preset:home")
    expect(page.get_by_label("Monday block 2 preset used for")).to_have_value("heat")
    page.get_by_role("button", name="Save week").click()
    expect(page.locator("#week-status")).to_have_text("Week saved.")
    assert {r["id"] for r in demo.api("GET", "/v1/schedules")[1]["schedules"]} == {r["id"] for r in rules}

    assert low_contrast(page) == []
    assert accessibility_violations(page) == []
    if size == "phone":
        assert small_targets(page) == []


def test_a_preset_changed_on_its_screen_changes_the_blocks_that_use_it(page, demo, no_schedules, eco_kept):
    sign_in(page, demo.admin_key, "schedule")
    page.get_by_role("button", name="edit Wednesday").click()
    page.get_by_role("button", name="Split Wednesday block 1").click()
    page.get_by_label("Wednesday block 2 setting").select_option(label="Eco")
    page.get_by_label("Wednesday block 2 preset used for").select_option(label="Heating and cooling")
    page.get_by_role("button", name="Save week").click()
    expect(page.locator("#week-status")).to_have_text("Week saved.")
    rules = demo.api("GET", "/v1/schedules")[1]["schedules"]
    assert [(r["cron"], r["mode"], r.get("preset")) for r in rules] == [("0 12 * * 3", "auto", "eco")]
    block = page.locator('.day-row[data-day="2"] .block').nth(1)
    expect(block).to_have_attribute("title", f"12:00 PM–midnight Eco (Heat/cool {19:.1f} °C–{27:.1f} °C)")
    expect(block.locator("small")).to_have_text("19°–27°")

    page.get_by_role("link", name="Presets").click()
    card = page.locator('.card.preset[data-preset="eco"]')
    card.get_by_label("eco: heat to").fill("18.5")
    with page.expect_response(lambda r: r.url.endswith("/v1/presets") and r.request.method == "GET"):
        card.get_by_role("button", name="Save").click()

    page.get_by_role("link", name="Schedule").click()
    block = page.locator('.day-row[data-day="2"] .block').nth(1)
    expect(block).to_have_attribute("title", "12:00 PM–midnight Eco (Heat/cool 18.5 °C–27.0 °C)")
    expect(block.locator("small")).to_have_text("18.5°–27°")
    expect(block).to_contain_text("Eco")


def test_the_setting_outside_every_schedule_may_be_a_preset(page, demo):
    before = demo.api("GET", "/v1/schedules/settings")[1]["default_instruction"]
    try:
        sign_in(page, demo.admin_key, "schedule")
        panel = page.locator("#default-instruction")
        panel.get_by_label("Outside every schedule setting").select_option("preset:eco")
        panel.get_by_role("button", name="Save outside-schedule setting").click()
        expect(page.locator("#week-status")).to_contain_text("Outside every schedule: Eco")
        stored = demo.api("GET", "/v1/schedules/settings")[1]["default_instruction"]
        assert stored["preset"] == "eco"
    finally:
        demo.api("PATCH", "/v1/schedules/settings", {"default_instruction": before})
