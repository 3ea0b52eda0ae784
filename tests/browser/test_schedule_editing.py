"""The Schedule screen's rules: a recurring schedule made, listed, drawn and deleted; all of them paused."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NAME = "Browser test evenings"


def _delete_leftovers(demo) -> None:
    """Leave the demo as it was even when the test failed half-way."""
    for schedule in demo.api("GET", "/v1/schedules")[1]["schedules"]:
        if schedule["name"] == NAME:
            demo.api("DELETE", f"/v1/schedules/{schedule['id']}")


def test_a_new_schedule_is_listed_drawn_on_the_week_and_deleted(page, demo):
    try:
        sign_in(page, demo.admin_key, "schedule")
        page.get_by_text("Advanced: the rules as cron lines").click()
        form = page.locator("#schedule-form")
        form.get_by_label("Name").fill(NAME)
        form.get_by_label("Starts (cron, home time)").fill("0 18 * * *")
        form.get_by_label("Lasts (ISO 8601 duration)").fill("PT2H")
        form.get_by_label("Mode").select_option("heat")
        form.get_by_label("Heat to").fill("22")
        form.get_by_role("button", name="Create schedule").click()

        schedules = page.get_by_role("region", name="Schedules")
        card = schedules.locator(".card.rule").filter(has_text=NAME)
        expect(card).to_contain_text("0 18 * * * for PT2H")
        expect(card).to_contain_text("heat 22 °C")
        rule_id = card.get_attribute("data-rule")
        bands = page.locator(f'svg.week .band[data-source="schedule:{rule_id}"]')
        expect(bands.first).to_be_visible()
        assert bands.count() >= 6, "an evening schedule shows on (almost) every day of the week ahead"
        stored = [s for s in demo.api("GET", "/v1/schedules")[1]["schedules"] if s["id"] == rule_id]
        assert stored and stored[0]["heat_setpoint"] == 22.0 and stored[0]["duration"] == "PT2H"

        schedules.get_by_role("button", name=f"Delete {NAME}").click()
        expect(card).to_have_count(0)
        expect(bands).to_have_count(0)
        assert rule_id not in {s["id"] for s in demo.api("GET", "/v1/schedules")[1]["schedules"]}
    finally:
        _delete_leftovers(demo)


def test_pausing_all_schedules_and_resuming_them(page, demo):
    before = demo.api("GET", "/v1/schedules/settings")[1]["paused"]
    assert before is False
    try:
        sign_in(page, demo.admin_key, "schedule")
        page.get_by_text("Advanced: the rules as cron lines").click()
        notice = page.get_by_text("Schedules are paused (vacation); overrides still apply.")
        expect(notice).to_have_count(0)
        page.get_by_role("button", name="Pause all schedules").click()
        expect(notice).to_be_visible()
        assert demo.api("GET", "/v1/schedules/settings")[1]["paused"] is True
        assert demo.api("GET", "/v1/timeline")[1]["paused"] is True

        page.get_by_role("button", name="Resume schedules").click()
        expect(notice).to_have_count(0)
        expect(page.get_by_role("button", name="Pause all schedules")).to_be_visible()
        assert demo.api("GET", "/v1/schedules/settings")[1]["paused"] is False
    finally:
        demo.api("PATCH", "/v1/schedules/settings", {"paused": before})
