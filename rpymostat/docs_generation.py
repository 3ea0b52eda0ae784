"""Writing the docs pages that come from code: configuration and the HTTP API.

Called by ``docs/conf.py`` at every build; ``tests/unit/test_docs_generation.py``
builds the pages too, so a setting or route without a description fails the
suite, not just the docs.
"""

from __future__ import annotations

import json
import os
from typing import Any

from rpymostat.common.settings import default_of
from rpymostat.config import SETTINGS
from rpymostat.engine.api.build import api_document
from rpymostat.engine.api.routing import DEVICE_ONLY


def configuration_page() -> str:
    lines = [
        ".. This file is generated from rpymostat/config.py by docs/conf.py; do not edit.",
        "",
        "Engine variables",
        "----------------",
        "",
        "Each variable is read once at start-up; ``rpymostat-engine --show-config`` prints",
        "the values in effect.",
        "",
    ]
    # A default computed from other settings is shown in terms of their variables.
    placeholders = {setting.attribute: f"${setting.env_var}" for setting in SETTINGS}
    for setting in SETTINGS:
        default = default_of(setting, placeholders) if setting.attribute not in ("data_dir", "timezone") else None
        lines += [f"``{setting.env_var}``", f"    {setting.description}", ""]
        if default == "":
            lines += ["    Default: empty", ""]
        elif default is not None:
            lines += [f"    Default: ``{default}``", ""]
        else:
            lines += ["    Default: depends on the host (see the description; "
                      "``--show-config`` shows it)", ""]
    return "\n".join(lines) + "\n"


def _schema_text(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[1]
    return json.dumps(schema)


def _access(role: str | None, or_device: bool) -> str:
    if role is None:
        return "public"
    if role == DEVICE_ONLY:
        return "signed by an approved device only (API keys are refused)"
    return f"minimum role {role}" + (" (or a signed device)" if or_device else "")


def http_api_page() -> str:
    document = api_document()
    lines = [
        ".. This file is generated from rpymostat/engine/api/v1/openapi.py by docs/conf.py; do not edit.",
        "",
        "Endpoints",
        "---------",
        "",
    ]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            title = f"{method.upper()} {path}"
            lines += [title, "~" * len(title), "", operation["summary"], ""]
            role = operation.get("x-minimum-role")
            lines += [f"*Access:* {_access(role, len(operation.get('security', [])) > 1)}", ""]
            body = operation.get("requestBody")
            if body:
                schema = body["content"]["application/json"]["schema"]
                lines += [f"*Request body:* ``{_schema_text(schema)}``", ""]
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query":
                    lines += [f"* ``{parameter['name']}`` (query): {parameter.get('description', '')}"]
            if any(p["in"] == "query" for p in operation.get("parameters", [])):
                lines.append("")
            lines += ["*Responses:*", ""]
            for code, response in operation["responses"].items():
                content = response.get("content", {}).get("application/json")
                shape = f" — ``{_schema_text(content['schema'])}``" if content else ""
                lines.append(f"* ``{code}`` {response['description']}{shape}")
            lines.append("")
    lines += ["Schemas", "-------", ""]
    for name, schema in document["components"]["schemas"].items():
        lines += [name, "~" * len(name), "", ".. code-block:: json", ""]
        lines += ["   " + line for line in json.dumps(schema, indent=2, ensure_ascii=False).splitlines()]
        lines.append("")
    return "\n".join(lines) + "\n"


def write_generated_pages(docs_dir: str) -> None:
    pages = {"configuration_generated.rst": configuration_page(), "http_api_generated.rst": http_api_page()}
    for name, text in pages.items():
        path = os.path.join(docs_dir, name)
        if not os.path.exists(path) or open(path, encoding="utf-8").read() != text:
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text)
