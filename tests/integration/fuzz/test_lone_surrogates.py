"""An unpaired UTF-16 surrogate escape anywhere in a request body is refused as malformed JSON.

``"\\ud800"`` passes JSON's grammar but is no character, so no database,
log or response can hold it; it used to reach SQLite and come back as a
500. Schemathesis never generates such strings, so they are planted here
in valid bodies it generates for every operation that takes one.
"""

from __future__ import annotations

import json
from typing import Any, cast

import pytest
import requests
import schemathesis
from hypothesis import strategies as st
from schemathesis import Case

from rpymostat.engine.api.build import api_document
from tests.integration.fuzz.conftest import FuzzTarget
from tests.integration.fuzz.test_openapi_fuzz import REQUEST_TIMEOUT, fuzz_config

pytestmark = pytest.mark.slow

LONE_SURROGATE = "\ud800"

operations_with_a_body = schemathesis.openapi.from_dict(
    api_document(),
    config=fuzz_config("positive", phases={"coverage": {"enabled": False}, "stateful": {"enabled": False}}),
).include(lambda context: "requestBody" in context.operation.definition.raw)


def string_slots(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Where a string sits in a JSON value: ("key", *path) for object keys, ("value", *path) for strings."""
    if isinstance(value, str):
        return [("value", *path)]
    if isinstance(value, dict):
        return [slot for key, item in value.items()
                for slot in [("key", *path, key), *string_slots(item, (*path, key))]]
    if isinstance(value, list):
        return [slot for index, item in enumerate(value) for slot in string_slots(item, (*path, index))]
    return []


def with_lone_surrogate(body: Any, slot: tuple[Any, ...]) -> Any:
    """A copy of ``body`` with an unpaired surrogate appended to the string at ``slot``."""
    kind, *path = slot
    if not path:
        return body + LONE_SURROGATE
    head, *rest = path
    if isinstance(body, list):
        return [with_lone_surrogate(item, (kind, *rest)) if index == head else item
                for index, item in enumerate(body)]
    if kind == "key" and not rest:
        return {(key + LONE_SURROGATE if key == head else key): item for key, item in body.items()}
    return {key: with_lone_surrogate(item, (kind, *rest)) if key == head else item for key, item in body.items()}


@operations_with_a_body.parametrize()
@operations_with_a_body.given(data=st.data())
def test_an_unpaired_surrogate_anywhere_in_a_body_is_refused_as_malformed(
    case: Case, data: st.DataObject, fuzz_target: FuzzTarget
) -> None:
    generated: dict[str, Any] = cast(dict[str, Any], case.body)
    slots = string_slots(generated)
    body = (with_lone_surrogate(generated, data.draw(st.sampled_from(slots))) if slots
            else {**generated, LONE_SURROGATE: None})
    response = requests.request(
        case.method, fuzz_target.engine.url + case.formatted_path, data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {fuzz_target.admin_key}"},
        timeout=REQUEST_TIMEOUT,
    )
    # Only a control daemon's signed report is read at all: an API key is refused before the body.
    expected = 403 if case.path == "/v1/relays/report" else 400
    assert (response.status_code, response.json()["status"]) == (expected, "error"), response.text
