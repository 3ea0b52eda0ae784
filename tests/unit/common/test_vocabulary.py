"""One wire vocabulary: what the control daemon sends is what the engine parses and the UI offers."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from referencing import Registry, Resource

from rpymostat.common.vocabulary import (
    DECIDED_FUNCTIONS,
    RELAY_FUNCTIONS,
    AlertRecord,
    DecisionRecord,
    DroppedSensorRecord,
    EquipmentRecord,
    InstructionRecord,
    LockoutRecord,
    ReactionRecord,
    RelayEventRecord,
    RelayInstruction,
    RelayState,
    TemperatureRecord,
    opposing,
)
from rpymostat.engine.api.build import api_document
from rpymostat.engine.relays.report import parse_report
from rpymostat_control.openapi import control_document

UI = Path(__file__).resolve().parents[3] / "rpymostat" / "web" / "static" / "js"
FUNCTION_LIST = re.compile(r"const FUNCTIONS = (\[[^\]]*\]);")


def ui_function_lists() -> dict[str, list[str]]:
    """Every ``const FUNCTIONS = [...]`` of the UI's scripts, by file."""
    found = {}
    for path in sorted(UI.rglob("*.js")):
        for match in FUNCTION_LIST.finditer(path.read_text(encoding="utf-8")):
            found[str(path.relative_to(UI))] = json.loads(match.group(1))
    return found


def test_the_ui_offers_every_relay_function_and_decides_on_the_decided_ones() -> None:
    lists = ui_function_lists()
    offered = [[name for name in names if name] for names in lists.values()]

    assert list(RELAY_FUNCTIONS) in offered, "no UI list offers every relay function (for assigning a relay)"
    assert all(names in (list(RELAY_FUNCTIONS), list(DECIDED_FUNCTIONS)) for names in offered), lists


def test_heating_includes_aux_and_keeps_apart_from_cooling() -> None:
    assert opposing("aux") == opposing("heat") == frozenset({"cool"})
    assert opposing("cool") == frozenset({"heat", "aux"})
    assert opposing("fan") == opposing(None) == frozenset()
    assert set(DECIDED_FUNCTIONS) <= set(RELAY_FUNCTIONS)


def test_a_daemons_records_come_back_unchanged_from_the_engines_parser() -> None:
    relay = RelayState("boiler-pi:aux", "aux", 23, False, "aux", True)
    change = RelayEventRecord("change", "boiler-pi:aux", True, 1_700_000_000.0, "too cold", idempotency_key="k1")
    refusal = RelayEventRecord("refusal", "boiler-pi:aux", True, 1_700_000_060.0, "cool is on",
                               refusal="interlock")

    report = parse_report({"host_id": "boiler-pi", "relays": [relay.to_json()],
                           "events": [change.to_json(), refusal.to_json()]})

    assert report.relays == (relay,)
    assert report.events == (change, refusal)


def test_the_control_daemons_document_lists_the_vocabulary() -> None:
    document = json.dumps(control_document())

    assert json.dumps([*RELAY_FUNCTIONS, None]) in document
    assert RelayInstruction(True, "too cold").to_json() == {"on": True, "reason": "too cold"}


AT = 1_700_000_000.0
FULL_DECISION = DecisionRecord(
    at=AT, desired="heat", reason="too cold", summary="window: open; heating: living room 19.2 °C, target 21.0 °C",
    plugin="predictive",
    lockout=LockoutRecord("cool", "start", "min_off", 120.5, "cool may start in 2 min (minimum off time)"),
    alerts=(AlertRecord("sensor_stale", "bedroom: no report for 20 min"),),
    temperature=TemperatureRecord(19.25, {"living": 1.0, "bedroom": 0.5},
                                  (DroppedSensorRecord("hall", "stale", "hall: no report for 20 min"),)),
    outdoor=-3.5,
    instruction=InstructionRecord("heat", 21.0, None, "auto", {"living": 1.0}, 0.5, "schedule:evening",
                                  AT + 3600, preset="Home"),
    equipment={"heat": EquipmentRecord(True, AT - 600), "cool": EquipmentRecord(False, None),
               "fan": EquipmentRecord(False, AT - 7200)},
    reactions=(ReactionRecord("window", "kitchen window open", AT - 120, None),),
)


def decision_schema_accepts(body: dict[str, Any]) -> bool:
    document = api_document()
    registry = Registry().with_resource("urn:openapi", Resource.opaque(document))
    validator = jsonschema.Draft202012Validator({"$ref": "urn:openapi#/components/schemas/Decision"},
                                                registry=registry)
    return validator.is_valid(body)


def test_a_decision_reads_back_as_it_was_recorded_and_matches_the_api_document() -> None:
    body = FULL_DECISION.to_json()

    assert DecisionRecord.from_json(json.loads(json.dumps(body))) == FULL_DECISION
    assert decision_schema_accepts(body)


def test_a_decision_recorded_by_an_older_engine_reads_back_with_nothing_it_did_not_know() -> None:
    older = FULL_DECISION.to_json()
    del older["outdoor"], older["reactions"], older["instruction"]["preset"]

    record = DecisionRecord.from_json(older)

    assert (record.outdoor, record.reactions, record.instruction.preset) == (None, (), None)
    assert record.temperature == FULL_DECISION.temperature


def test_a_decision_with_a_desire_outside_the_vocabulary_is_not_read() -> None:
    with pytest.raises(ValueError, match="desired must be one of heat, cool, fan, idle"):
        DecisionRecord.from_json({**FULL_DECISION.to_json(), "desired": "boil"})


DECISION_PATH = re.compile(r"\bdecision\??\.([a-z_]+)(?:\??\.([a-z_]+))?")


def test_every_decision_field_the_ui_reads_is_in_the_record() -> None:
    body = FULL_DECISION.to_json()
    read = set()
    for path in sorted(UI.rglob("*.js")):
        read |= set(DECISION_PATH.findall(path.read_text(encoding="utf-8")))

    assert read, "the UI reads no decision field: the pattern no longer matches its scripts"
    missing = [f"{field}.{sub}" if sub else field for field, sub in sorted(read)
               if field not in body or (sub and not (isinstance(body[field], dict) and sub in body[field]))]
    assert not missing, f"the UI reads decision fields the record does not have: {missing}"
