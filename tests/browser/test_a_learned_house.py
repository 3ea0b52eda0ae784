"""What the engine learned, and smart recovery's early starts, as a homeowner sees them.

The module's name puts it first among the browser tests: later ones change
the demo's relays, and the engine rightly forgets what it learned of other
equipment.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from rpymostat.testing.processes import wait_for
from tests.browser.conftest import new_key, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_the_week_ahead_shows_the_planned_early_start_of_the_morning_warm_up(page, demo):
    def planned() -> bool:
        status, timeline = demo.api("GET", "/v1/timeline?hours=168")
        return status == 200 and any(s["early_start"] for s in timeline["segments"])

    wait_for(planned, what="the demo's house, which comes with what the engine learned, to plan early starts")
    sign_in(page, demo.admin_key, "schedule")
    first = page.locator("#early-starts li").first
    expect(first).to_contain_text("Heating starts early at")
    expect(first).to_contain_text("to reach 21.0 °C")
    assert page.locator("svg.week rect.early").count() >= 1


def test_settings_tell_what_was_learned_in_a_sentence_and_a_reader_cannot_forget_it(page, demo):
    sign_in(page, new_key(demo, "read"), "settings")
    learned = page.locator("#house-model .model-summary").first
    expect(learned).to_contain_text("heats")
    expect(learned).to_contain_text("°C/h at 0 °C outside")
    expect(page.locator("#house-model")).to_contain_text("Early starts: on")
    expect(page.locator("#forget-model")).to_have_count(0)
