"""Checks the fuzz run adds to schemathesis's own.

Each takes ``(ctx, response, case)`` and raises ``AssertionError`` naming
the contradiction; they are passed per test, not registered globally, so
each pass runs exactly the checks that apply to it.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from schemathesis import Case, CheckContext, Response

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def sent_to_operation(case: Case) -> bool:
    """False for the cases schemathesis sends with an undocumented method to probe the router."""
    return case.method.upper() == case.operation.method.upper()


def refused_without_credentials(ctx: CheckContext, response: Response, case: Case) -> None:
    """An operation whose document asks for credentials answers 401 to a caller with none."""
    needs_credentials = bool(case.operation.definition.raw.get("security"))
    if sent_to_operation(case) and needs_credentials and response.status_code != 401:
        raise AssertionError(
            f"{case.method} {case.formatted_path} answered {response.status_code} with no credentials; expected 401"
        )


def _template_pattern(path: str) -> re.Pattern[str]:
    literal_parts = re.split(r"\{[^}/]+\}", path)
    return re.compile("[^/]+".join(re.escape(part) for part in literal_parts) + "$")


def documented_methods_at(document: dict[str, Any], url_path: str) -> set[str]:
    """Every method the document gives a path that ``url_path`` matches, literal or templated.

    The engine routes ``GET /v1/sensors/update`` to the sensor called
    "update" (a valid sensor ID), so an honest ``Allow`` at a literal path
    also lists the methods of the templates that match it.
    """
    return {
        method.upper()
        for path, operations in document["paths"].items()
        if _template_pattern(path).match(url_path)
        for method in operations
        if method in HTTP_METHODS
    }


def allow_lists_every_matching_operation(ctx: CheckContext, response: Response, case: Case) -> None:
    """A 405's ``Allow`` header lists exactly the documented methods for that URL (plus HEAD for GET)."""
    if response.status_code != 405:
        return
    allow = response.headers.get("allow")
    if not allow:
        raise AssertionError(f"{case.method} {case.formatted_path} answered 405 without an Allow header")
    advertised = {m.strip().upper() for value in allow for m in value.split(",") if m.strip()}
    documented = documented_methods_at(case.operation.schema.raw_schema, urlsplit(response.request.url).path)
    expected = documented | ({"HEAD"} if "GET" in documented else set())
    if advertised != expected:
        raise AssertionError(
            f"{case.method} {case.formatted_path}: Allow: {', '.join(sorted(advertised))}, "
            f"but the document gives this URL {', '.join(sorted(expected))}"
        )
