"""Every shipped decision plugin meets the plugin interface the API relies on."""

from __future__ import annotations

import jsonschema  # type: ignore[import-untyped]
import pytest

from rpymostat.decisions.bangbang import bangbang
from rpymostat.decisions.hysteresis import hysteresis
from rpymostat.decisions.model import DESIRED
from rpymostat.decisions.plugin import DecisionPlugin, options_with_defaults

from .builders import context

PLUGINS = [hysteresis, bangbang]


@pytest.mark.parametrize("plugin", PLUGINS, ids=lambda p: p.name)
def test_plugin_meets_interface(plugin: DecisionPlugin) -> None:
    assert isinstance(plugin, DecisionPlugin)
    assert plugin.name and plugin.description
    jsonschema.Draft202012Validator.check_schema(plugin.options_schema)
    defaults = options_with_defaults(plugin.options_schema, {})
    jsonschema.validate(defaults, plugin.options_schema)
    assert set(defaults) == set(plugin.options_schema["properties"])
    assert plugin.decide(context(), {}).desired in DESIRED


@pytest.mark.parametrize("plugin", PLUGINS, ids=lambda p: p.name)
def test_unknown_options_are_refused_by_the_schema(plugin: DecisionPlugin) -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"bogus": 1}, plugin.options_schema)


def test_options_override_defaults() -> None:
    assert options_with_defaults(hysteresis.options_schema, {"tolerance": 1.5})["tolerance"] == 1.5
