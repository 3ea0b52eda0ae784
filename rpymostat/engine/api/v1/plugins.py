"""``/v1/plugins``: the schedule, decision and weather plugins, and which one of each is active.

Each plugin is listed with its name, description and the JSON Schema of its
options, so a UI can render a settings form for a plugin it has never seen.
"""

from __future__ import annotations

from typing import Any

from rpymostat.engine.api.app import Call
from rpymostat.engine.api.errors import not_found, unprocessable
from rpymostat.engine.api.routing import route
from rpymostat.engine.api.v1.openapi import operation, path_param, ref, response
from rpymostat.engine.plugin_settings import PluginSettings
from rpymostat.plugins.registry import DEFAULTS, PluginOptionsError, load_plugins
from rpymostat.store.interface import Store

KINDS = tuple(DEFAULTS)


class PluginsAPI:
    """``timeline`` is reloaded when the schedule plugin changes, so the change applies at once."""

    def __init__(self, store: Store, settings: PluginSettings | None = None, timeline: Any = None) -> None:
        self.settings = settings or PluginSettings(store, {kind: load_plugins(kind) for kind in KINDS})
        self.timeline = timeline

    async def _kind_json(self, kind: str) -> dict[str, Any]:
        active, options = await self.settings.active(kind)
        return {
            "active": active.name,
            "options": options,
            "available": [
                {
                    "name": plugin.name,
                    "description": plugin.description,
                    "options_schema": plugin.options_schema,
                    "source": plugin.source,
                    "default": plugin.name == DEFAULTS[kind],
                }
                for plugin in self.settings.plugins[kind].values()
            ],
        }

    @route("/v1/plugins")
    async def list(self, call: Call) -> dict[str, Any]:
        return {kind: await self._kind_json(kind) for kind in KINDS}

    @route("/v1/plugins/<kind>", methods=["PUT"], role="write")
    async def choose(self, call: Call) -> dict[str, Any]:
        kind = call.params["kind"]
        if kind not in KINDS:
            raise not_found(f"no plugin kind {kind!r}; kinds are {', '.join(KINDS)}")
        data = call.json_object()
        unknown = sorted(set(data) - {"name", "options"})
        if unknown:
            raise unprocessable(f"unknown field(s): {', '.join(unknown)}")
        name = data.get("name")
        if name is None:
            raise unprocessable("name field is missing", "name")
        if not isinstance(name, str):
            raise unprocessable("name must be a string", "name")
        if not isinstance(data.get("options", {}), dict):
            raise unprocessable("options must be an object", "options")
        if name not in self.settings.plugins[kind]:
            raise unprocessable(f"name: no {kind} plugin called {name!r} is installed")
        try:
            await self.settings.choose(kind, name, data.get("options", {}))
        except PluginOptionsError as exc:
            raise unprocessable(f"options.{exc}" if not str(exc).startswith("options") else str(exc)) from None
        if kind == "schedulers" and self.timeline is not None:
            await self.timeline.reload("change")
        return await self._kind_json(kind)


def openapi_fragment() -> dict[str, Any]:
    kind_param = {**path_param("kind"), "schema": {"enum": list(KINDS)}}
    return {
        "paths": {
            "/v1/plugins": {"get": operation(
                "Installed schedule, decision and weather plugins, their option schemas, and the active ones", "read",
                {"200": response("the plugins", "PluginLists")})},
            "/v1/plugins/{kind}": {"put": operation(
                "Choose the active plugin of a kind and its options (checked against its schema)", "write",
                {"200": response("the plugins of that kind", "PluginKind")}, body="PluginChoice",
                params=[kind_param])},
        },
        "schemas": {
            "Plugin": {
                "type": "object",
                "required": ["name", "description", "options_schema", "source", "default"],
                "properties": {
                    "name": {"type": "string"}, "description": {"type": "string"},
                    "options_schema": {"type": "object"}, "source": {"type": "string"},
                    "default": {"type": "boolean"},
                },
            },
            "PluginKind": {
                "type": "object",
                "required": ["active", "options", "available"],
                "properties": {
                    "active": {"type": "string"}, "options": {"type": "object"},
                    "available": {"type": "array", "items": ref("Plugin")},
                },
            },
            "PluginLists": {
                "type": "object",
                "required": list(KINDS),
                "properties": {kind: ref("PluginKind") for kind in KINDS},
            },
            "PluginChoice": {
                "type": "object",
                "required": ["name"],
                "additionalProperties": False,
                "properties": {
                    "name": {"type": "string", "description": "an installed plugin of this kind (GET /v1/plugins); "
                                                              "any other name is refused with 422"},
                    "options": {"type": "object", "description": "checked against the plugin's options_schema; "
                                                                 "options it refuses get 422"},
                },
            },
        },
    }
