"""Times are the home's, not the browser's: a browser in Tokyo runs a house in New York.

Each test sets the home's zone through the API and puts the demo's back
afterwards; the browser's own zone is Playwright's ``timezone_id``.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from rpymostat.scheduling.wallclock import wall_to_epoch
from rpymostat.testing.processes import wait_for
from tests.browser.conftest import DESKTOP, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SETTINGS = "/v1/schedules/settings"
HOME = ZoneInfo("America/New_York")
BROWSER = "Asia/Tokyo"  # 13 or 14 hours ahead of the home: every time and most dates differ
EVENINGS = "Browser test home evenings"


@pytest.fixture
def home(demo):
    """The home is in New York for the test; the demo's zone comes back afterwards."""
    before = demo.api("GET", SETTINGS)[1]["timezone"]
    status, body = demo.api("PATCH", SETTINGS, {"timezone": HOME.key})
    assert status == 200, body
    try:
        yield HOME
    finally:
        demo.api("PATCH", SETTINGS, {"timezone": before})


@pytest.fixture
def page(browser, demo):
    """A browser set to Tokyo time, in British English (24-hour times, "Wed 2" days)."""
    context = browser.new_context(viewport=DESKTOP, base_url=demo.url, timezone_id=BROWSER, locale="en-GB")
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def _instant(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


def _engine_now(demo) -> datetime:
    """The demo's clock (it runs 600 times faster than the test's)."""
    return _instant(demo.api("GET", "/v1/timeline?hours=1")[1]["start"])


def _day_labels(start: datetime) -> list[str]:
    first = start.astimezone(HOME).date()
    return [f"{day:%a} {day.day}" for day in (first + timedelta(days=n) for n in range(8))]


def test_the_week_ahead_runs_from_midnight_to_midnight_at_home(page, demo, home):
    status, made = demo.api("POST", "/v1/schedules", {"name": EVENINGS, "cron": "0 18 * * *", "duration": "PT2H",
                                                     "mode": "heat", "heat_setpoint": 20})
    assert status == 201, made
    try:
        before = _engine_now(demo)
        sign_in(page, demo.admin_key, "schedule")
        bands = page.locator(f'svg.week .band[data-source="schedule:{made["id"]}"] rect')
        expect(bands.first).to_be_visible()
        after = _engine_now(demo)
        assert page.locator("svg.week text.axis[x='4']").all_text_contents() in (_day_labels(before), _day_labels(after))

        grid = [float(x) for x in page.locator("svg.week line.grid").evaluate_all("lines => lines.map(l => l.getAttribute('x1'))")]
        hour = (grid[1] - grid[0]) / 6
        six_pm, eight_pm = grid[3], grid[3] + 2 * hour
        starts = bands.evaluate_all("rects => rects.map(r => [+r.getAttribute('x'), +r.getAttribute('width')])")
        on_the_line = [x for x, _ in starts if abs(x - six_pm) < 0.5]
        assert len(on_the_line) >= 6, f"18:00 at home is on the 18:00 line each day: {starts}, line at {six_pm}"
        assert all(six_pm - 0.5 <= x and x + width <= eight_pm + 0.5 for x, width in starts), starts
        expect(page.locator("#schedule-zone")).to_have_text("Times in America/New_York")
    finally:
        demo.api("DELETE", f"/v1/schedules/{made['id']}")


def test_an_away_period_typed_as_eight_oclock_is_eight_oclock_at_home(page, demo, home):
    before = {o["id"] for o in demo.api("GET", "/v1/overrides")[1]["overrides"]}
    day = (_engine_now(demo).astimezone(HOME) + timedelta(days=2)).date()
    try:
        sign_in(page, demo.admin_key, "schedule")
        form = page.locator("#away-form")
        form.get_by_label("From").fill(f"{day}T08:00")
        form.get_by_label("To").fill(f"{day + timedelta(days=1)}T08:00")
        form.get_by_label("Keep above").fill("11.5")
        form.get_by_role("button", name="Save away period").click()

        made = wait_for(lambda: [o for o in demo.api("GET", "/v1/overrides")[1]["overrides"] if o["id"] not in before],
                        what="the away period to be stored")
        assert len(made) == 1, made
        at_home = datetime(day.year, day.month, day.day, 8, tzinfo=HOME)
        assert _instant(made[0]["start"]) == at_home
        assert _instant(made[0]["end"]) == at_home + timedelta(days=1)
        card = page.locator(f'.card.rule[data-rule="{made[0]["id"]}"]')
        expect(card).to_contain_text(f"{day.day} {day:%b} {day.year}, 08:00 → ")
    finally:
        for override in demo.api("GET", "/v1/overrides")[1]["overrides"]:
            if override["id"] not in before:
                demo.api("DELETE", f"/v1/overrides/{override['id']}")


def test_until_on_the_now_screen_is_home_time(page, demo, home):
    end = (_engine_now(demo) + timedelta(hours=30)).replace(second=0, microsecond=0)
    status, made = demo.api("POST", "/v1/overrides", {"name": "Browser test until", "start": "now", "mode": "heat",
                                                      "heat_setpoint": 16, "end": end.isoformat().replace("+00:00", "Z")})
    assert status == 201, made
    try:
        instruction = wait_for(lambda: _instruction_from(demo, made["id"]), timeout=30, what="the adjustment to count")
        assert _instant(instruction["until"]) == end
        sign_in(page, demo.admin_key)
        # A day later at home: the day is said, never a bare time that reads as today.
        at_home = end.astimezone(HOME)
        expect(page.locator("#current-target")).to_contain_text(
            re.compile(rf"until (tomorrow|{at_home:%a}) {at_home:%H:%M}"))
        expect(page.locator("#now-zone")).to_have_text("Times in America/New_York")
    finally:
        demo.api("DELETE", f"/v1/overrides/{made['id']}")


def _instruction_from(demo, override_id: str) -> dict | None:
    instruction = demo.api("GET", "/v1/decisions/current")[1]["instruction"]
    return instruction if instruction["source"].endswith(override_id) else None


def test_a_new_home_zone_moves_the_times_on_show_without_a_reload(page, demo, home):
    sign_in(page, demo.admin_key, "schedule")
    expect(page.locator("#schedule-zone")).to_have_text("Times in America/New_York")
    page.evaluate("window.notReloaded = true")
    status, body = demo.api("PATCH", SETTINGS, {"timezone": "Europe/London"})
    assert status == 200, body
    expect(page.locator("#schedule-zone")).to_have_text("Times in Europe/London")
    assert page.evaluate("window.notReloaded") is True


def _wall_times_around_changes(zone: ZoneInfo, year: int) -> list[str]:
    """Every quarter hour of the two days around each change of the zone's offset in ``year``."""
    walls = []
    day = datetime(year, 1, 1)
    while day.year == year:
        after = day + timedelta(days=1)
        if day.replace(hour=12, tzinfo=zone).utcoffset() != after.replace(hour=12, tzinfo=zone).utcoffset():
            walls += [(day + timedelta(minutes=15 * n)).isoformat(timespec="minutes") for n in range(2 * 96)]
        day = after
    return walls


@pytest.mark.parametrize("zone", ["America/New_York", "Europe/London", "Australia/Lord_Howe"])
def test_typed_home_times_mean_the_instants_the_engine_gives_them(page, demo, zone):
    """Times skipped or repeated by a DST change: the page and the engine's schedules agree on every one."""
    walls = _wall_times_around_changes(ZoneInfo(zone), 2026)
    assert len(walls) == 4 * 96, "two changes a year, two days each"
    page.goto("/ui/")
    instants = page.evaluate("""async ([zone, walls]) => {
        const home = await import('/ui/js/home_time.js');
        home.setHomeZone(zone);
        return walls.map((wall) => home.fromHomeInput(wall));
    }""", [zone, walls])
    expected = [wall_to_epoch(datetime.fromisoformat(wall), ZoneInfo(zone)) * 1000 for wall in walls]
    wrong = [(wall, got, want) for wall, got, want in zip(walls, instants, expected, strict=True) if got != want]
    assert not wrong, json.dumps(wrong[:5])
