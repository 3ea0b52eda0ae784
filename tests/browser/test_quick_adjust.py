"""Adjust at hand: − and + beside the big temperature, then one tap to hold the new target for 2 h or
until the next scheduled change, at phone and desktop sizes."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import new_key, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


def _override_ids(demo) -> set[str]:
    return {o["id"] for o in demo.api("GET", "/v1/overrides")[1]["overrides"]}


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.mark.parametrize("size", list(SIZES))
def test_plus_beside_the_big_number_then_for_2_h(page, demo, size):
    page.set_viewport_size(SIZES[size])
    before = _override_ids(demo)
    try:
        sign_in(page, demo.admin_key)
        big = page.locator("#current-temperature")
        up = page.get_by_role("button", name="Raise the target")
        down = page.get_by_role("button", name="Lower the target")
        expect(up).to_be_visible()
        big_box, up_box, down_box = big.bounding_box(), up.bounding_box(), down.bounding_box()
        for button in (up_box, down_box):  # on the big number's line, one either side
            assert button["y"] < big_box["y"] + big_box["height"] and button["y"] + button["height"] > big_box["y"]
        assert down_box["x"] + down_box["width"] <= big_box["x"] + 1 and up_box["x"] >= big_box["x"] + big_box["width"] - 1

        shown = page.locator("#quick-target")
        expect(shown).to_contain_text("°C")
        first = [float(v) for v in re.findall(r"\d+\.\d", shown.text_content())]
        up.click()
        up.click()
        expect(shown).to_contain_text(f"{first[0] + 1:.1f} °C")
        page.get_by_role("button", name="For 2 h").click()
        expect(page.locator("#quick-done")).to_contain_text("for 2 h.")

        made = [o for o in demo.api("GET", "/v1/overrides")[1]["overrides"] if o["id"] not in before]
        assert len(made) == 1, made
        setpoint = made[0]["heat_setpoint"] if made[0]["mode"] != "cool" else made[0]["cool_setpoint"]
        assert setpoint == pytest.approx(first[0] + 1)
        assert _when(made[0]["end"]) - _when(made[0]["start"]) == timedelta(hours=2)
        expect(page.locator("#current-target")).to_contain_text(f"{first[0] + 1:.1f} °C", timeout=20_000)
    finally:
        for override_id in _override_ids(demo) - before:
            demo.api("DELETE", f"/v1/overrides/{override_id}")


def test_hold_until_the_next_change_is_one_tap(page, demo):
    page.set_viewport_size(SIZES["phone"])
    before = _override_ids(demo)
    try:
        sign_in(page, demo.admin_key)
        page.get_by_role("button", name="Lower the target").click()
        page.get_by_role("button", name="Hold until next change").click()
        expect(page.locator("#quick-done")).to_contain_text("hold until next change.")
        made = [o for o in demo.api("GET", "/v1/overrides")[1]["overrides"] if o["id"] not in before]
        assert len(made) == 1 and made[0]["kind"] == "adjustment", made
        timeline = demo.api("GET", "/v1/timeline")[1]
        ends = {segment["end"] for segment in timeline["segments"] if segment["source"] == f"adjustment:{made[0]['id']}"}
        assert ends, "the adjustment is in force now"
    finally:
        for override_id in _override_ids(demo) - before:
            demo.api("DELETE", f"/v1/overrides/{override_id}")


def test_a_read_only_key_gets_no_quick_controls(page, demo):
    sign_in(page, new_key(demo, "read"))
    expect(page.locator("#current-temperature")).to_be_visible()
    expect(page.get_by_role("button", name="Raise the target")).to_have_count(0)
