"""Loading plugins from the ``rpymostat.schedulers``, ``rpymostat.decisions`` and ``rpymostat.weather`` groups.

A plugin is any object with ``name``, ``description``, ``options_schema``
(a JSON Schema of its options, with defaults) and the group's method
(``decide`` for decisions, ``resolve`` for schedulers, ``forecast`` for
weather). A broken or
ill-formed plugin is logged and left out: a third-party package must never
stop the thermostat from starting.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any

import jsonschema
from twisted.logger import Logger

log = Logger()

GROUPS = {
    "decisions": ("rpymostat.decisions", "decide"),
    "schedulers": ("rpymostat.schedulers", "resolve"),
    "weather": ("rpymostat.weather", "forecast"),
}
DEFAULTS = {"decisions": "predictive", "schedulers": "cron", "weather": "recent_days"}


class PluginOptionsError(ValueError):
    """Options do not match a plugin's schema; the message names the option."""


@dataclass(frozen=True)
class LoadedPlugin:
    """A plugin that passed the interface check, with where it came from."""

    kind: str
    name: str
    plugin: Any
    source: str

    @property
    def description(self) -> str:
        return str(self.plugin.description)

    @property
    def options_schema(self) -> Mapping[str, Any]:
        return self.plugin.options_schema


def check_plugin(kind: str, candidate: Any) -> str | None:
    """Why ``candidate`` is not a usable plugin of ``kind``, or None when it is."""
    method = GROUPS[kind][1]
    for attribute in ("name", "description", "options_schema"):
        if not hasattr(candidate, attribute):
            return f"has no {attribute}"
    if not isinstance(candidate.name, str) or not candidate.name:
        return "name must be a non-empty string"
    if not callable(getattr(candidate, method, None)):
        return f"has no {method}() method"
    try:
        jsonschema.Draft202012Validator.check_schema(candidate.options_schema)
    except jsonschema.SchemaError as exc:
        return f"options_schema is not a valid JSON Schema: {exc.message}"
    return None


def load_plugins(kind: str) -> dict[str, LoadedPlugin]:
    """Every usable plugin of a kind, by name (the first of duplicate names wins)."""
    group = GROUPS[kind][0]
    found: dict[str, LoadedPlugin] = {}
    for entry in sorted(entry_points(group=group), key=lambda e: (e.dist.name if e.dist else "", e.name)):
        source = f"{entry.dist.name if entry.dist else '?'}:{entry.value}"
        try:
            candidate = entry.load()
        except Exception as exc:  # a third-party import error must not stop the engine
            log.error("Plugin {entry} ({source}) could not be loaded: {error}", entry=entry.name, source=source,
                      error=repr(exc))
            continue
        problem = check_plugin(kind, candidate)
        if problem is not None:
            log.error("Plugin {entry} ({source}) is not a {kind} plugin: it {problem}", entry=entry.name,
                      source=source, kind=kind, problem=problem)
            continue
        if candidate.name in found:
            log.warn("Plugin name {name} is used twice; keeping {kept}", name=candidate.name,
                     kept=found[candidate.name].source)
            continue
        found[candidate.name] = LoadedPlugin(kind, candidate.name, candidate, source)
    return found


def validate_options(plugin: LoadedPlugin, options: Any) -> dict[str, Any]:
    """The options if they match the plugin's schema; PluginOptionsError naming the problem otherwise."""
    if not isinstance(options, dict):
        raise PluginOptionsError("options must be an object")
    validator = jsonschema.Draft202012Validator(plugin.options_schema)
    errors = sorted(validator.iter_errors(options), key=lambda e: list(e.absolute_path))
    if errors:
        error = errors[0]
        where = ".".join(str(part) for part in error.absolute_path) or "options"
        raise PluginOptionsError(f"{where}: {error.message}")
    return options
