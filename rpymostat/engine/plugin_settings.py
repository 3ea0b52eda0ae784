"""Which plugin of each kind is active, and with which options.

The choice lives in the store (setting ``plugin.<kind>``) so it survives a
restart; an unknown or uninstalled plugin falls back to the built-in
default with a warning rather than leaving the house without control.
"""

from __future__ import annotations

from typing import Any

from twisted.logger import Logger

from rpymostat.plugins.registry import DEFAULTS, LoadedPlugin, load_plugins, validate_options
from rpymostat.store.interface import Store

log = Logger()


class PluginSettings:
    def __init__(self, store: Store, plugins: dict[str, dict[str, LoadedPlugin]] | None = None) -> None:
        self.store = store
        self.plugins = plugins if plugins is not None else {kind: load_plugins(kind) for kind in DEFAULTS}

    async def active(self, kind: str) -> tuple[LoadedPlugin, dict[str, Any]]:
        """The active plugin of a kind and its options."""
        chosen = await self.store.get_setting(f"plugin.{kind}") or {}
        available = self.plugins[kind]
        name = chosen.get("name", DEFAULTS[kind])
        if name not in available:
            log.warn("The {kind} plugin {name} is not installed; using {default}", kind=kind, name=name,
                     default=DEFAULTS[kind])
            return available[DEFAULTS[kind]], {}
        return available[name], dict(chosen.get("options", {}))

    async def choose(self, kind: str, name: str, options: Any) -> tuple[LoadedPlugin, dict[str, Any]]:
        """Make a plugin active after checking its options against its schema."""
        plugin = self.plugins[kind][name]
        checked = validate_options(plugin, options)
        await self.store.put_setting(f"plugin.{kind}", {"name": name, "options": checked})
        return plugin, checked
