"""A 405's Allow lists the methods of the path that was asked for, and the document agrees.

``/v1/sensors/update`` is a path of its own, though ``/v1/sensors/{sensor_id}``
would match its URL too: the methods of the template are not offered there,
and the template's parameter may not take the value "update".
"""

from __future__ import annotations

import re

import jsonschema
import pytest
import pytest_twisted

from rpymostat.engine.api.build import api_document

DOCUMENT = api_document()
METHODS = ("GET", "PUT", "POST", "PATCH", "DELETE")


def template_pattern(template: str) -> re.Pattern[str]:
    return re.compile("[^/]+".join(re.escape(part) for part in re.split(r"\{[^}/]+\}", template)))


def fixed_paths_inside_templates() -> list[tuple[str, str]]:
    """(fixed path, template) pairs where the template's pattern matches the fixed path."""
    return [(fixed, template) for fixed in DOCUMENT["paths"] if "{" not in fixed
            for template in DOCUMENT["paths"] if "{" in template and template_pattern(template).fullmatch(fixed)]


def documented_methods(path: str) -> set[str]:
    methods = {m.upper() for m in DOCUMENT["paths"][path] if m.upper() in METHODS}
    return methods | ({"HEAD"} if "GET" in methods else set())


def test_the_api_has_fixed_paths_that_templates_would_match():
    assert ("/v1/sensors/update", "/v1/sensors/{sensor_id}") in fixed_paths_inside_templates()


@pytest.mark.parametrize("fixed, template", fixed_paths_inside_templates())
@pytest_twisted.ensureDeferred
async def test_a_fixed_path_offers_only_its_own_methods(engine, fixed, template):
    own = documented_methods(fixed)
    for method in sorted(documented_methods(template) - own - {"HEAD"}):
        answer = await engine.request(method, fixed, key="admin")
        assert answer.code == 405, (method, fixed, answer.text)
        assert set(answer.headers["allow"].split(", ")) == own
        assert answer.json["error"] == f"method {method} is not allowed here; allowed: {', '.join(sorted(own))}"


@pytest.mark.parametrize("fixed, template", fixed_paths_inside_templates())
def test_the_document_forbids_the_template_parameter_value_that_names_the_fixed_path(fixed, template):
    for method, operation in DOCUMENT["paths"][template].items():
        if method.upper() not in METHODS:
            continue
        (parameter,) = [p for p in operation["parameters"] if p["in"] == "path"]
        # The fixed path's segment where the template has its parameter (not always the last one).
        value = next(f for f, t in zip(fixed.split("/"), template.split("/"), strict=True) if t.startswith("{"))
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(value, parameter["schema"])
        jsonschema.validate(value + "x", parameter["schema"])


@pytest_twisted.ensureDeferred
async def test_a_templated_path_lists_its_own_methods(engine):
    answer = await engine.request("POST", "/v1/sensors/28-a", key="admin")
    assert (answer.code, answer.headers["allow"]) == (405, "DELETE, GET, HEAD, PATCH")
