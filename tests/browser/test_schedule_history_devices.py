"""Away overrides on the week ahead, the week's history, approving a pending daemon."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from rpymostat.testing.processes import wait_for
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_an_away_override_shows_on_the_timeline(page, demo):
    before = {o["id"] for o in demo.api("GET", "/v1/overrides")[1]["overrides"]}
    try:
        sign_in(page, demo.admin_key, "schedule")
        form = page.locator("#away-form")
        expect(page.locator("svg.week .band").first).to_be_visible()
        expect(page.locator("svg.week .band.override")).to_have_count(0)
        form.get_by_label("Keep above").fill("13")
        form.get_by_role("button", name="Save away period").click()

        expect(page.locator("svg.week .band.override").first).to_be_visible()
        expect(page.get_by_role("region", name="Overrides").locator(".card.rule")).to_contain_text(["Away"])
        overrides = demo.api("GET", "/v1/overrides")[1]["overrides"]
        assert any(o["name"] == "Away" and o["heat_setpoint"] == 13.0 for o in overrides)
    finally:
        for override in demo.api("GET", "/v1/overrides")[1]["overrides"]:
            if override["id"] not in before:
                demo.api("DELETE", f"/v1/overrides/{override['id']}")


def test_an_impossible_away_period_is_explained_next_to_the_field(page, demo):
    sign_in(page, demo.admin_key, "schedule")
    form = page.locator("#away-form")
    start = form.get_by_label("From").input_value()
    form.get_by_label("To").fill(start)
    form.get_by_role("button", name="Save away period").click()
    error = form.locator("#away-to-error")
    expect(error).to_contain_text("end must be after start")
    expect(form.get_by_label("To")).to_have_attribute("aria-invalid", "true")


def test_the_weeks_history_draws_each_room(page, demo):
    sign_in(page, demo.admin_key, "history")
    page.get_by_role("button", name="week").click()
    expect(page.get_by_role("button", name="week")).to_have_attribute("aria-pressed", "true")
    chart = page.get_by_role("figure", name="Temperatures from", exact=False)
    expect(chart.locator(".u-legend")).to_contain_text("Living room")
    drawn = json.loads(chart.get_attribute("data-series"))
    assert sum(not s["outdoor"] for s in drawn) == 2 and sum(s["outdoor"] for s in drawn) == 1, drawn  # the garden
    page.get_by_role("button", name="Zoom in").click()
    expect(page.get_by_role("button", name="week")).to_have_attribute("aria-pressed", "false")
    expect(chart.locator("canvas")).to_be_visible()


def test_approving_the_pending_attic_daemon(page, demo):
    wait_for(lambda: any(d["host_id"] == "demo-attic" for d in demo.api("GET", "/v1/devices")[1]["devices"]),
             timeout=30, what="the attic daemon to register")
    sign_in(page, demo.admin_key)
    expect(page.locator(".alert-pending")).to_contain_text("demo-attic")
    expect(page.locator(".alert-pending").get_by_role("button", name="Approve demo-attic")).to_be_visible()
    page.locator(".alert-pending a").click()
    attic = page.locator('.card.device[data-host="demo-attic"]')
    expect(attic.locator(".device-status")).to_have_text("pending")
    attic.get_by_role("button", name="Approve demo-attic").click()
    expect(attic.locator(".device-status")).to_have_text("approved")
    wait_for(lambda: "attic" in {s["id"] for s in demo.api("GET", "/v1/sensors")[1]["sensors"]},
             timeout=60, what="the attic's readings once approved")
