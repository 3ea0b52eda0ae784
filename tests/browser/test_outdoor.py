"""Outdoor sensors in the web UI: marked on the Devices screen, a dotted grey line on the chart, a weather plugin.

Each test puts back what it changed in the shared demo.
"""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from rpymostat.testing.processes import wait_for
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SENSOR = "bedroom"
OUTDOOR = "outdoor"  # the demo's garden sensor, marked outdoor by the demo
SETTINGS = "/v1/schedules/settings"


def _sensor(demo, sensor_id: str) -> dict:
    return demo.api("GET", f"/v1/sensors/{sensor_id}")[1]


def _demo_outdoor_sensor_marked(demo) -> None:
    wait_for(lambda: _sensor(demo, OUTDOOR).get("outdoor") is True, what="the demo's outdoor sensor to be marked")


def _demo_weights(demo) -> dict:
    """The demo's default weights, once it has set them (after its sensors first report)."""
    wait_for(lambda: demo.api("GET", SETTINGS)[1]["default_sensors"], what="the demo's default weights")
    return demo.api("GET", SETTINGS)[1]["default_sensors"]


def test_marking_a_weighed_sensor_outdoor_takes_it_out_of_the_weights(page, demo):
    weights = _demo_weights(demo)
    assert SENSOR in weights
    try:
        sign_in(page, demo.admin_key, "devices")
        card = page.locator(f'.card.sensor[data-sensor="{SENSOR}"]')
        expect(card.get_by_label("Outdoor sensor")).not_to_be_checked()
        card.get_by_label("Outdoor sensor").check()
        expect(card.get_by_label("Weight")).to_be_disabled()
        card.get_by_role("button", name="Save", exact=False).click()
        wait_for(lambda: _sensor(demo, SENSOR)["outdoor"], what="the sensor to be marked outdoor")
        assert demo.api("GET", SETTINGS)[1]["default_sensors"] == {k: v for k, v in weights.items() if k != SENSOR}
        expect(card).to_have_class("card sensor outdoor")
        expect(card.get_by_label("Outdoor sensor")).to_be_checked()
        expect(card.locator(".form-error")).to_have_count(0)
    finally:
        demo.api("PATCH", f"/v1/sensors/{SENSOR}", {"outdoor": False})
        demo.api("PATCH", SETTINGS, {"default_sensors": weights})


def test_a_sensor_a_schedule_weighs_is_not_marked_and_the_card_says_why(page, demo):
    weights = _demo_weights(demo)
    status, schedule = demo.api("POST", "/v1/schedules", {"name": "Bedtime", "cron": "0 22 * * *", "duration": "PT1H",
                                                          "mode": "heat", "heat_setpoint": 18, "sensors": {SENSOR: 1}})
    assert status == 201, schedule
    try:
        sign_in(page, demo.admin_key, "devices")
        card = page.locator(f'.card.sensor[data-sensor="{SENSOR}"]')
        card.get_by_label("Outdoor sensor").check()
        card.get_by_role("button", name="Save", exact=False).click()
        expect(card.locator(".form-error")).to_contain_text("is weighed by schedule 'Bedtime'")
        assert _sensor(demo, SENSOR)["outdoor"] is False
    finally:
        demo.api("DELETE", f"/v1/schedules/{schedule['id']}")
        demo.api("PATCH", f"/v1/sensors/{SENSOR}", {"outdoor": False})
        demo.api("PATCH", SETTINGS, {"default_sensors": weights})


def test_the_outdoor_sensor_is_a_dotted_line_of_its_own_on_the_chart(page, demo):
    _demo_outdoor_sensor_marked(demo)
    sign_in(page, demo.admin_key, "history")
    chart = page.get_by_role("figure", name="Temperatures from", exact=False)
    expect(chart.locator(".u-legend")).to_contain_text("Garden (outdoor)")
    drawn = {s["id"]: s for s in json.loads(chart.get_attribute("data-series"))}
    assert drawn[OUTDOOR]["outdoor"] and drawn[OUTDOOR]["dashed"]
    assert not drawn["living-room"]["dashed"]
    assert drawn["living-room"]["colour"] != drawn[OUTDOOR]["colour"]


def test_the_weather_plugin_is_chosen_and_set_like_the_decision_plugin(page, demo):
    before = demo.api("GET", "/v1/plugins")[1]["weather"]
    assert before["active"] == "recent_days"
    try:
        sign_in(page, demo.admin_key, "settings")
        section = page.get_by_role("region", name="Weather plugin")
        expect(section.get_by_label("Plugin")).to_have_value("recent_days")
        days = section.get_by_label("How many past days", exact=False)
        expect(days).to_have_value("3")
        days.fill("5")
        section.get_by_role("button", name="Use these settings").click()
        wait_for(lambda: demo.api("GET", "/v1/plugins")[1]["weather"]["options"].get("days") == 5,
                 what="the weather plugin's new option to be stored")
        page.reload()
        expect(section.get_by_label("How many past days", exact=False)).to_have_value("5")
    finally:
        demo.api("PUT", "/v1/plugins/weather", {"name": before["active"], "options": before["options"]})
