"""The History screen's day, month and year buttons each ask for that span and draw it, with round ticks."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SPANS = {"day": timedelta(days=1), "month": timedelta(days=30), "year": timedelta(days=365)}


@pytest.mark.parametrize("name", list(SPANS))
def test_a_range_button_draws_that_span(page, demo, name):
    sign_in(page, demo.admin_key, "history")
    chart = page.get_by_role("figure", name="Temperatures from", exact=False)
    expect(chart).to_be_visible()
    if name == "day":  # the screen opens on a day: come back to it from another span
        page.get_by_role("button", name="week").click()
        expect(page.get_by_role("button", name="week")).to_have_attribute("aria-pressed", "true")

    with page.expect_response("**/v1/history?*") as answered:
        page.get_by_role("button", name=name, exact=True).click()
    expect(page.get_by_role("button", name=name, exact=True)).to_have_attribute("aria-pressed", "true")
    history = answered.value.json()
    asked = parse_qs(urlsplit(answered.value.url).query)
    start = datetime.fromisoformat(asked["start"][0].replace("Z", "+00:00"))
    end = datetime.fromisoformat(history["end"].replace("Z", "+00:00"))
    assert abs(end - start - SPANS[name]) < timedelta(hours=1), (start, end)

    with_points = [s for s in history["series"] if any(p["mean"] is not None for p in s["points"])]
    assert with_points, "the demo has recorded temperatures for every span"
    expect(chart.locator(".u-legend .u-series")).to_have_count(len(with_points) + 3)  # time and the two targets
    drawn = json.loads(chart.get_attribute("data-series"))
    assert [s["id"] for s in drawn] == [s["sensor_id"] for s in with_points]
    minutes = round(history["resolution"] / 60)
    expect(page.get_by_text(f"Resolution {minutes} min, from the {history['level']} level.")).to_be_visible()
    ticks = json.loads(chart.get_attribute("data-y-ticks"))
    steps = {round(b - a, 2) for a, b in zip(ticks, ticks[1:], strict=False)}
    assert len(ticks) >= 2 and len(steps) == 1 and steps <= {0.5, 1, 2, 2.5, 5, 10, 20}, ticks
    assert all(round(t * 2) == t * 2 for t in ticks), f"round-number ticks: {ticks}"
