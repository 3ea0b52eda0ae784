"""The History chart (uPlot): the values under the pointer or a finger, drag to zoom, °F ticks, and each
room in the colour it has on the Now screen."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
READOUT = re.compile(r"Living room\s*:?\s*\d+\.\d °C")


def _chart(page):
    chart = page.get_by_role("figure", name="Temperatures from", exact=False)
    expect(chart.locator("canvas")).to_be_visible()
    return chart


def test_pointing_at_the_chart_reads_the_values_and_dragging_zooms_in(page, demo):
    page.set_viewport_size(DESKTOP)
    sign_in(page, demo.admin_key, "history")
    chart = _chart(page)
    over = chart.locator(".u-over")
    box = over.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.97, box["y"] + box["height"] / 2)
    expect(chart.locator(".u-legend")).to_contain_text(READOUT)
    expect(chart.locator(".u-legend")).to_contain_text("Heat target")

    before = json.loads(chart.get_attribute("data-x-range"))
    page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + 20)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + 20, steps=5)
    page.mouse.up()
    after = json.loads(chart.get_attribute("data-x-range"))
    assert after[1] - after[0] < (before[1] - before[0]) / 2, (before, after)


def test_a_tap_on_a_phone_reads_the_values(context, demo):
    page = context.browser.new_context(viewport=PHONE, base_url=demo.url, has_touch=True, is_mobile=True).new_page()
    try:
        sign_in(page, demo.admin_key, "history")
        chart = _chart(page)
        over = chart.locator(".u-over")
        over.scroll_into_view_if_needed()
        box = over.bounding_box()
        page.touchscreen.tap(box["x"] + box["width"] * 0.97, box["y"] + box["height"] / 2)
        expect(chart.locator(".u-legend")).to_contain_text(READOUT)
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    finally:
        page.context.close()


def test_each_room_has_one_colour_on_every_screen(page, demo):
    sign_in(page, demo.admin_key, "history")
    drawn = {s["id"]: s["colour"] for s in json.loads(_chart(page).get_attribute("data-series")) if not s["outdoor"]}
    assert len(set(drawn.values())) == len(drawn), "two rooms share a colour"
    assert not {"#c2261a", "#1d5fb4"} & set(drawn.values()), "a room drawn in a target's colour"
    page.goto("/ui/#now")
    for sensor_id, colour in drawn.items():
        card = page.locator(f'#now-rooms .room[data-sensor="{sensor_id}"]')
        expect(card).to_have_attribute("style", f"--room:{colour}")


def test_in_fahrenheit_the_ticks_are_round_fahrenheit(page, demo):
    sign_in(page, demo.admin_key, "settings")
    page.get_by_label("Units").select_option("F")
    page.goto("/ui/#history")
    chart = _chart(page)
    ticks = json.loads(chart.get_attribute("data-y-ticks"))
    assert ticks and min(ticks) >= 20 and all(t == int(t) for t in ticks), ticks
    box = chart.locator(".u-over").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.97, box["y"] + box["height"] / 2)
    expect(chart.locator(".u-legend")).to_contain_text(re.compile(r"Living room\s*:?\s*\d+\.\d °F"))
