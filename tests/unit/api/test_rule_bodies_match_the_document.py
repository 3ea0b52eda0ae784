"""Rule bodies: what the server refuses for a reason JSON Schema can state, the document refuses too.

Each body below is sent to the engine and checked against the schema the
OpenAPI document gives its operation; refusals that need the engine's
state (known sensors, the clock, cron arithmetic) are not among them.
"""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
import pytest_twisted
from hypothesis import given
from hypothesis import strategies as st
from referencing import Registry, Resource

from rpymostat.engine.api.build import api_document
from rpymostat.scheduling.errors import ScheduleValidationError
from rpymostat.scheduling.validation import DURATION_PATTERN, SetpointLimits, parse_override

DOCUMENT = api_document()
REGISTRY = Registry().with_resource("urn:openapi", Resource.opaque(DOCUMENT))
SCHEDULE = {"cron": "0 6 * * 1-5", "duration": "PT2H", "mode": "heat", "heat_setpoint": 20.5}
OVERRIDE = {"start": "2030-01-01T00:00:00Z", "end": "2030-01-02T00:00:00Z", "mode": "heat", "heat_setpoint": 20.5}
PLACES = {
    "schedule": ("POST", "/v1/schedules", "ScheduleIn", SCHEDULE),
    "override": ("POST", "/v1/overrides", "OverrideIn", OVERRIDE),
    "default instruction": ("PATCH", "/v1/schedules/settings", "ScheduleSettingsIn", None),
}


def schema_accepts(schema_name: str, body: dict[str, Any]) -> bool:
    validator = jsonschema.Draft202012Validator({"$ref": f"urn:openapi#/components/schemas/{schema_name}"},
                                                registry=REGISTRY)
    return validator.is_valid(body)


def body_for(place: str, change: dict[str, Any], drop: tuple[str, ...] = ()) -> dict[str, Any]:
    base = PLACES[place][3]
    if base is None:
        instruction = {k: v for k, v in {"mode": "heat", "heat_setpoint": 20.5, **change}.items() if k not in drop}
        return {"default_instruction": instruction}
    return {k: v for k, v in {**base, **change}.items() if k not in drop}


REFUSED = [
    ("schedule", {"end_cron": "0 8 * * 1-5"}, (), "give either duration or end_cron, not both"),
    ("schedule", {"duration": None}, (), "duration or end_cron is required"),
    ("schedule", {}, ("heat_setpoint",), "heat_setpoint is required in heat mode"),
    ("schedule", {"mode": "auto", "cool_setpoint": None}, (), "cool_setpoint is required in auto mode"),
    ("override", {"duration": "PT1H"}, (), "give only one of end, duration or until"),
    ("override", {}, ("end",), "end, duration or until is required"),
    ("override", {"start": "now", "kind": "override"}, ("end",), "end, duration or until is required"),
    ("override", {"mode": "cool"}, (), "cool_setpoint is required in cool mode"),
    ("schedule", {"duration": "8 hours"}, (), "duration is not an ISO 8601 duration such as \"PT8H\": "
                                               "Unable to parse duration string '8 hours'"),
    ("schedule", {"duration": "PT0S"}, (), "duration must be longer than zero"),
    ("schedule", {"duration": "P1DT"}, (), "duration must be written as whole weeks and days and hours, minutes or "
                                           "seconds (decimals allowed), such as \"PT8H\" or \"P1DT12H\""),
    ("override", {"duration": "PT1,5H", "end": None}, (), "duration must be written as whole weeks and days and "
                                                           "hours, minutes or seconds (decimals allowed), such as "
                                                           "\"PT8H\" or \"P1DT12H\""),
    ("default instruction", {"mode": "cool"}, (), "default_instruction: cool_setpoint is required in cool mode"),
]
ACCEPTED = [
    ("schedule", {}, ()),
    ("schedule", {"duration": None, "end_cron": "0 8 * * 1-5"}, ()),
    ("override", {"duration": "PT1H", "end": None}, ()),
    ("override", {"duration": "PT0.5H", "end": None}, ()),
    ("schedule", {"duration": "P1DT12H30M"}, ()),
    ("override", {"start": "now"}, ("end",)),
    ("override", {"until": "next_change"}, ("end",)),
    ("override", {"mode": "off"}, ("heat_setpoint",)),
    ("default instruction", {"mode": "off"}, ("heat_setpoint",)),
]


@pytest.mark.parametrize("place, change, drop, error", REFUSED)
@pytest_twisted.ensureDeferred
async def test_a_body_the_server_refuses_for_its_shape_is_refused_by_the_document(engine, place, change, drop, error):
    method, path, schema_name, _ = PLACES[place]
    body = body_for(place, change, drop)
    answer = await engine.request(method, path, json=body, key="write")
    assert (answer.code, answer.json["error"]) == (422, error)
    assert not schema_accepts(schema_name, body)


@pytest.mark.parametrize("place, change, drop", ACCEPTED)
@pytest_twisted.ensureDeferred
async def test_a_body_the_server_takes_is_one_the_document_takes(engine, place, change, drop):
    method, path, schema_name, _ = PLACES[place]
    body = body_for(place, change, drop)
    answer = await engine.request(method, path, json=body, key="write")
    assert answer.code in (200, 201), answer.text
    assert schema_accepts(schema_name, body)


@given(st.from_regex(DURATION_PATTERN))
def test_every_duration_the_document_allows_is_read_as_one(text: str) -> None:
    try:
        parse_override({**OVERRIDE, "end": None, "duration": text}, rule_id="x", now=0.0, known_sensors=(),
                       limits=SetpointLimits())
    except ScheduleValidationError as refused:
        assert "year 10000" in str(refused), f"{text!r}: {refused}"  # too long: a limit stated in words
