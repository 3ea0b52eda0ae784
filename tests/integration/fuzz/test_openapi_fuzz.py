"""Schemathesis fuzzes every operation of ``/v1/openapi.json`` against a real engine process.

Valid and invalid requests generated from the document itself must never
get a 5xx, nor an answer (status, content type, headers, body) that the
document does not describe; invalid input must be refused and valid input
accepted. One pass holds an admin key, so access control hides no handler;
one holds none, and must be turned away with 401 wherever the document asks
for credentials. After each operation the engine still answers its status.

The schema is loaded from ``api_document()`` at collection time, because
schemathesis's lazy fixture loader does not work with pytest 9; the first
test pins it to the document the engine serves, so the two cannot differ.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from schemathesis import Case

from rpymostat.engine.api.build import api_document
from rpymostat.testing.processes import http
from tests.integration.fuzz.checks import (
    HistoryAnsweredUnlessARuleIsBroken,
    RefusedWithoutCredentials,
    UpdateAcceptedUnlessALimitIsBroken,
    addressed_to_another_operation,
    allow_lists_every_matching_operation,
)
from tests.integration.fuzz.conftest import FuzzTarget

pytestmark = pytest.mark.slow

SEED = 20261122
EXAMPLES_PER_OPERATION = 50
REQUEST_TIMEOUT = 10


def fuzz_config(mode: str, **sections: Any) -> schemathesis.Config:
    """Seeded, deterministic and bounded, so CI replays the same requests in about the same time.

    Credentials are never generated: each test sends its own (or none), so
    a request is refused or served for the reason the test is about.
    """
    return schemathesis.Config.from_dict({
        "seed": SEED,
        "generation": {"mode": mode, "max-examples": EXAMPLES_PER_OPERATION, "deterministic": True,
                       "database": "none", "with-security-parameters": False},
        "request-timeout": REQUEST_TIMEOUT,
        **sections,
    })


DOCUMENT = api_document()
# Operations whose valid bodies also depend on what the engine holds or on
# rules between fields that JSON Schema cannot carry, each stated in the
# document's descriptions: known sensor IDs and a setpoint per mode (rules
# and settings), a cron expression croniter can read, one ending per rule and
# none already past (overrides), relay IDs prefixed with the reporting host,
# installed plugins and their own option schemas. Schemathesis's positive-data
# check cannot know these; its other checks still run there. The sensor
# update and the history query have oracles of their own (checks.py).
SEMANTICALLY_VALID_ONLY = [
    "POST /v1/schedules", "PUT /v1/schedules/{rule_id}",
    "PUT /v1/schedules/settings", "PATCH /v1/schedules/settings",
    "POST /v1/overrides", "PUT /v1/overrides/{rule_id}",
    "PUT /v1/relays/report", "PUT /v1/sensors/update", "PUT /v1/plugins/{kind}", "GET /v1/history",
    # An event's time within a year of the engine's clock, its data within 4096 bytes of JSON.
    "POST /v1/events",
    # A preset's cool_setpoint at least the auto-mode gap above its heat_setpoint.
    "PUT /v1/presets/{name}",
    # Each reaction takes only its own fields; the presence reaction only a preset that exists.
    "PATCH /v1/reactions/{name}",
    # A rule's fields depend on its action, and a preset it names must exist.
    "POST /v1/reactions/rules", "PUT /v1/reactions/rules/{rule_id}",
]
# allow_lists_every_matching_operation checks each 405's Allow against the
# document's methods of the path asked for (a literal path's own, else its
# template's), in place of schemathesis's own check. A plain GET of the live feed (schemathesis
# cannot open a WebSocket) is answered with the documented 426, never a 2xx.
# An invalid body can also be refused with 413 for its size (e.g. too many
# relay events), before it is parsed: schemathesis's refusals plus 413.
REFUSALS = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429", "5xx"]
every_operation = schemathesis.openapi.from_dict(DOCUMENT, config=fuzz_config(
    "all",
    phases={"stateful": {"enabled": False}},
    checks={"allow_header_conformance": {"enabled": False},
            "negative_data_rejection": {"expected-statuses": REFUSALS}},
    operations=[
        {"include-name": SEMANTICALLY_VALID_ONLY, "checks": {"positive_data_acceptance": {"enabled": False}}},
        {"include-name": ["GET /v1/ws"], "checks": {"positive_data_acceptance": {"expected-statuses": ["426"]}}},
    ],
))


@pytest.fixture(autouse=True)
def engine_still_serves(fuzz_target: FuzzTarget) -> Iterator[None]:
    """After each operation's fuzzing the engine process is alive and its status is 200."""
    yield
    engine = fuzz_target.engine
    assert engine.process is not None and engine.process.poll() is None, engine.log()
    assert http("GET", engine.url + "/v1/status")[0] == 200, engine.log()


def test_the_fuzzed_document_is_the_one_the_engine_serves(fuzz_target: FuzzTarget) -> None:
    assert http("GET", fuzz_target.engine.url + "/v1/openapi.json") == (200, DOCUMENT)


@every_operation.parametrize()
def test_fuzzing_with_an_admin_key_finds_no_error_or_contradiction(case: Case, fuzz_target: FuzzTarget) -> None:
    if addressed_to_another_operation(case):
        return
    case.call_and_validate(
        base_url=fuzz_target.engine.url,
        headers={"Authorization": f"Bearer {fuzz_target.admin_key}"},
        additional_checks=[allow_lists_every_matching_operation,
                           UpdateAcceptedUnlessALimitIsBroken(DOCUMENT, fuzz_target.future_tolerance),
                           HistoryAnsweredUnlessARuleIsBroken(fuzz_target.engine.url, fuzz_target.admin_key)],
        timeout=REQUEST_TIMEOUT,
    )


@every_operation.parametrize()
def test_fuzzing_without_credentials_is_refused_where_the_document_asks_for_them(
    case: Case, fuzz_target: FuzzTarget
) -> None:
    if addressed_to_another_operation(case):
        return
    case.call_and_validate(
        base_url=fuzz_target.engine.url,
        additional_checks=[allow_lists_every_matching_operation,
                           RefusedWithoutCredentials(fuzz_target.max_body_bytes)],
        timeout=REQUEST_TIMEOUT,
    )
