"""The UI puts an error next to the input its ``field`` names, whatever the sentence says."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_an_error_goes_to_the_input_named_by_its_field_not_by_its_words(page, demo):
    refusal = {"status": "error", "error": "that period cannot begin then", "code": "invalid", "field": "start"}
    page.route("**/v1/overrides", lambda route: route.fulfill(
        status=422, content_type="application/json", body=json.dumps(refusal))
        if route.request.method == "POST" else route.continue_())
    sign_in(page, demo.admin_key, "schedule")
    form = page.locator("#away-form")
    form.get_by_role("button", name="Save away period").click()

    expect(form.locator("#away-from-error")).to_have_text("that period cannot begin then")
    expect(form.get_by_label("From")).to_have_attribute("aria-invalid", "true")
    expect(form.get_by_label("To")).not_to_have_attribute("aria-invalid", "true")
