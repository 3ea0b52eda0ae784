"""Rule bodies are refused with a sentence naming the field, or accepted whole."""

from __future__ import annotations

from typing import Any

import pytest

from rpymostat.common.timeutil import from_iso
from rpymostat.scheduling.errors import ScheduleValidationError
from rpymostat.scheduling.model import Adjustment, Override
from rpymostat.scheduling.validation import parse_override, parse_schedule

from .builders import LIMITS, SENSORS

NOW = from_iso("2026-12-01T12:00:00Z")
GOOD_SCHEDULE: dict[str, Any] = {"cron": "0 6 * * 1-5", "duration": "PT2H", "mode": "heat", "heat_setpoint": 21}
GOOD_OVERRIDE: dict[str, Any] = {
    "start": "2026-12-21T00:00:00Z",
    "end": "2026-12-28T00:00:00Z",
    "mode": "heat",
    "heat_setpoint": 12,
}


def _schedule(body: Any) -> None:
    parse_schedule(body, rule_id="s", created_at=NOW, known_sensors=SENSORS, limits=LIMITS)


def _override(body: Any) -> None:
    parse_override(body, rule_id="o", now=NOW, known_sensors=SENSORS, limits=LIMITS)


SCHEDULE_ERRORS = [
    ({"cron": "0 6 * *"}, "cron", "cron must have 5 fields (minute hour day month weekday), not 4"),
    ({"cron": "0 0 * * * *"}, "cron", "cron must have 5 fields (minute hour day month weekday), not 6"),
    ({"cron": "61 6 * * *"}, "cron", "cron is not a valid cron expression: "),
    ({"cron": "0 6 * * funday"}, "cron", "cron is not a valid cron expression: "),
    ({"cron": "0 0 30 2 *"}, "cron", "cron never matches any date: 0 0 30 2 *"),
    ({"cron": 6}, "cron", "cron must be a cron expression such as"),
    ({"cron": None}, "cron", "cron must be a cron expression such as"),
    ({"duration": None}, "duration", "duration or end_cron is required"),
    ({"end_cron": "0 8 * * *"}, "duration", "give either duration or end_cron, not both"),
    ({"duration": None, "end_cron": "0 25 * * *"}, "end_cron", "end_cron is not a valid cron expression: "),
    ({"duration": "8 hours"}, "duration", "duration is not an ISO 8601 duration such as \"PT8H\": "),
    ({"duration": 3600}, "duration", "duration must be an ISO 8601 duration such as \"PT8H\""),
    ({"duration": "PT0S"}, "duration", "duration must be longer than zero"),
    ({"duration": "-PT1H"}, "duration", "duration must be longer than zero"),
    ({"duration": "P1M"}, "duration", "duration must be in weeks, days, hours, minutes or seconds"),
    ({"duration": "P8D"}, "duration", "duration must be at most 7 days; use an override for longer"),
    ({"enabled": "yes"}, "enabled", "enabled must be true or false"),
    ({"name": 5}, "name", "name must be a string"),
    ({"name": "x" * 101}, "name", "name must be at most 100 characters"),
    ({"colour": "red"}, "colour", "unknown field 'colour'"),
]

INSTRUCTION_ERRORS = [
    ({"mode": "warm"}, "mode", "mode must be one of off, heat, cool, auto"),
    ({"mode": None}, "mode", "mode must be one of off, heat, cool, auto"),
    ({"heat_setpoint": None}, "heat_setpoint", "heat_setpoint is required in heat mode"),
    ({"heat_setpoint": 40}, "heat_setpoint", "heat_setpoint must be between 5 and 35 °C"),
    ({"heat_setpoint": 4.9}, "heat_setpoint", "heat_setpoint must be between 5 and 35 °C"),
    ({"heat_setpoint": "21"}, "heat_setpoint", "heat_setpoint must be between 5 and 35 °C"),
    ({"heat_setpoint": True}, "heat_setpoint", "heat_setpoint must be between 5 and 35 °C"),
    ({"heat_setpoint": float("nan")}, "heat_setpoint", "heat_setpoint must be between 5 and 35 °C"),
    ({"mode": "cool"}, "cool_setpoint", "cool_setpoint is required in cool mode"),
    ({"mode": "cool", "cool_setpoint": 36}, "cool_setpoint", "cool_setpoint must be between 5 and 35 °C"),
    ({"mode": "auto", "cool_setpoint": None}, "cool_setpoint", "cool_setpoint is required in auto mode"),
    ({"mode": "auto", "heat_setpoint": None, "cool_setpoint": 25}, "heat_setpoint", "heat_setpoint is required in auto mode"),
    (
        {"mode": "auto", "heat_setpoint": 21, "cool_setpoint": 22.5},
        "cool_setpoint",
        "cool_setpoint must be at least 2 °C above heat_setpoint in auto mode",
    ),
    ({"fan": "high"}, "fan", "fan must be one of auto, on"),
    ({"sensors": ["living"]}, "sensors", "sensors must be an object mapping sensor IDs to weights"),
    ({"sensors": {"abc": 1}}, "sensors", "sensors: unknown sensor 'abc'"),
    ({"sensors": {"living": 0}}, "sensors", "sensors: the weight of 'living' must be a number above 0"),
    ({"sensors": {"living": -1}}, "sensors", "sensors: the weight of 'living' must be a number above 0"),
    ({"sensors": {"living": "1"}}, "sensors", "sensors: the weight of 'living' must be a number above 0"),
    ({"tolerance": -0.1}, "tolerance", "tolerance must be between 0 and 3 °C"),
    ({"tolerance": 3.5}, "tolerance", "tolerance must be between 0 and 3 °C"),
]

OVERRIDE_ERRORS = [
    ({"end": "2026-12-20T00:00:00Z"}, "end", "end must be after start"),
    ({"end": "2026-12-21T00:00:00Z"}, "end", "end must be after start"),
    ({"start": None}, "start", "start is required"),
    ({"start": "21 Dec"}, "start", "start must be an ISO 8601 date and time with a time zone or \"now\": "),
    ({"start": "2026-12-21T00:00:00"}, "start", "start must be an ISO 8601 date and time with a time zone or \"now\": "),
    ({"end": "soon"}, "end", "end must be an ISO 8601 date and time with a time zone: "),
    ({"end": None}, "end", "end, duration or until is required"),
    ({"duration": "P7D"}, "duration", "give only one of end, duration or until"),
    ({"end": None, "duration": "P1D", "until": "next_change"}, "until", "give only one of end, duration or until"),
    ({"end": None, "until": "tomorrow"}, "until", "until must be \"next_change\""),
    ({"end": None, "duration": "PT0S"}, "duration", "duration must be longer than zero"),
    ({"end": None, "duration": "P1Y"}, "duration", "duration must be in weeks, days, hours, minutes or seconds"),
    ({"kind": "holiday"}, "kind", "kind must be override or adjustment"),
    ({"cron": "0 6 * * *"}, "cron", "unknown field 'cron'"),
]


@pytest.mark.parametrize(("change", "field", "message"), SCHEDULE_ERRORS + INSTRUCTION_ERRORS)
def test_schedule_refusals_name_the_field(change: dict[str, Any], field: str, message: str) -> None:
    with pytest.raises(ScheduleValidationError) as caught:
        _schedule({**GOOD_SCHEDULE, **change})
    assert caught.value.field == field
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize(("change", "field", "message"), OVERRIDE_ERRORS + INSTRUCTION_ERRORS)
def test_override_refusals_name_the_field(change: dict[str, Any], field: str, message: str) -> None:
    with pytest.raises(ScheduleValidationError) as caught:
        _override({**GOOD_OVERRIDE, **change})
    assert caught.value.field == field
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize("parse", [_schedule, _override])
@pytest.mark.parametrize("body", [None, [], "schedule", 5])
def test_a_body_that_is_not_an_object_is_refused(parse: Any, body: Any) -> None:
    with pytest.raises(ScheduleValidationError, match="the body must be a JSON object"):
        parse(body)


def test_the_setpoint_limits_come_from_the_caller() -> None:
    strict = type(LIMITS)(minimum=10.0, maximum=25.0)
    with pytest.raises(ScheduleValidationError, match="heat_setpoint must be between 10 and 25 °C"):
        parse_schedule(
            {**GOOD_SCHEDULE, "heat_setpoint": 9.5}, rule_id="s", created_at=NOW, known_sensors=SENSORS, limits=strict
        )


def test_known_sensors_come_from_the_caller() -> None:
    body = {**GOOD_SCHEDULE, "sensors": {"attic": 1}}
    with pytest.raises(ScheduleValidationError, match="unknown sensor 'attic'"):
        parse_schedule(body, rule_id="s", created_at=NOW, known_sensors=SENSORS, limits=LIMITS)
    accepted = parse_schedule(body, rule_id="s", created_at=NOW, known_sensors={"attic"}, limits=LIMITS)
    assert accepted.instruction.sensors == {"attic": 1.0}


def test_a_full_schedule_is_accepted_as_written() -> None:
    schedule = parse_schedule(
        {
            "name": "Weekday mornings",
            "cron": "30  6 * * 1-5",
            "end_cron": "0 9 * * *",
            "mode": "auto",
            "heat_setpoint": 20,
            "cool_setpoint": 24.5,
            "fan": "on",
            "sensors": {"living": 2, "bedroom": 0.5},
            "tolerance": 0.3,
            "enabled": False,
            "id": "ignored",
            "created_at": "ignored too",
        },
        rule_id="s1",
        created_at=NOW,
        known_sensors=SENSORS,
        limits=LIMITS,
    )
    assert (schedule.id, schedule.name, schedule.cron, schedule.end_cron) == (
        "s1",
        "Weekday mornings",
        "30 6 * * 1-5",
        "0 9 * * *",
    )
    assert schedule.duration is None and schedule.enabled is False and schedule.created_at == NOW
    instruction = schedule.instruction
    assert (instruction.mode, instruction.heat_setpoint, instruction.cool_setpoint) == ("auto", 20.0, 24.5)
    assert (instruction.fan, dict(instruction.sensors), instruction.tolerance) == (
        "on",
        {"living": 2.0, "bedroom": 0.5},
        0.3,
    )


def test_a_duration_is_real_seconds() -> None:
    schedule = parse_schedule({**GOOD_SCHEDULE, "duration": "P1DT1H30M"}, rule_id="s", created_at=NOW,
                              known_sensors=SENSORS, limits=LIMITS)
    assert schedule.duration == 86400 + 3600 + 1800


def test_away_for_a_week_keeping_above_12_degrees_is_expressible() -> None:
    away = parse_override(
        {"name": "Away", "start": "2026-12-21T00:00:00+01:00", "end": "2026-12-28T18:00:00+01:00",
         "mode": "heat", "heat_setpoint": 12},
        rule_id="away", now=NOW, known_sensors=SENSORS, limits=LIMITS,
    )
    assert type(away) is Override
    assert away.start == from_iso("2026-12-20T23:00:00Z")
    assert away.end == from_iso("2026-12-28T17:00:00Z")
    assert away.instruction.heat_setpoint == 12.0 and away.instruction.mode == "heat"


def test_an_override_with_a_duration_ends_that_long_after_its_start() -> None:
    rule = parse_override({**GOOD_OVERRIDE, "end": None, "duration": "PT90M"}, rule_id="o", now=NOW,
                          known_sensors=SENSORS, limits=LIMITS)
    assert rule.end == from_iso(GOOD_OVERRIDE["start"]) + 5400


def test_an_override_until_the_next_change_has_no_fixed_end() -> None:
    rule = parse_override({**GOOD_OVERRIDE, "end": None, "until": "next_change"}, rule_id="o", now=NOW,
                          known_sensors=SENSORS, limits=LIMITS)
    assert rule.end is None and rule.until_next_change


def test_starting_now_makes_an_instant_adjustment_until_the_next_change() -> None:
    rule = parse_override({"start": "now", "mode": "heat", "heat_setpoint": 22}, rule_id="a", now=NOW,
                          known_sensors=SENSORS, limits=LIMITS)
    assert isinstance(rule, Adjustment)
    assert rule.start == NOW and rule.created_at == NOW and rule.until_next_change


def test_an_instant_adjustment_for_a_duration() -> None:
    rule = parse_override({"start": "now", "duration": "PT1H", "mode": "cool", "cool_setpoint": 23}, rule_id="a",
                          now=NOW, known_sensors=SENSORS, limits=LIMITS)
    assert isinstance(rule, Adjustment) and rule.end == NOW + 3600


def test_an_end_before_now_is_refused_for_an_adjustment() -> None:
    with pytest.raises(ScheduleValidationError, match="end must be after start"):
        parse_override({"start": "now", "end": "2026-12-01T11:00:00Z", "mode": "off"}, rule_id="a", now=NOW,
                       known_sensors=SENSORS, limits=LIMITS)


def test_a_replaced_override_keeps_its_creation_time() -> None:
    earlier = NOW - 86400
    rule = parse_override(GOOD_OVERRIDE, rule_id="o", now=NOW, created_at=earlier, known_sensors=SENSORS,
                          limits=LIMITS)
    assert rule.created_at == earlier
