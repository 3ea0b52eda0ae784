"""One wire vocabulary: what the control daemon sends is what the engine parses and the UI offers."""

from __future__ import annotations

import json
import re
from pathlib import Path

from rpymostat.common.vocabulary import (
    DECIDED_FUNCTIONS,
    RELAY_FUNCTIONS,
    RelayEventRecord,
    RelayInstruction,
    RelayState,
    opposing,
)
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
