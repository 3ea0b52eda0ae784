"""The worked plugin example in docs/decisions.rst runs and does what the page says."""

from __future__ import annotations

from typing import Any

from rpymostat.decisions.model import DecisionContext
from rpymostat.decisions.plugin import DecisionPlugin
from rpymostat.scheduling.instruction import Instruction
from tests.support.docs_examples import load_example

from .builders import NOW, context


def load_plugin() -> Any:
    return load_example("decisions.rst", "early-start-example", "early_start")


def with_next_change(ctx: DecisionContext, in_seconds: float, setpoint: float) -> DecisionContext:
    upcoming = Instruction(mode="heat", heat_setpoint=setpoint, sensors={"living": 1.0})
    return DecisionContext(ctx.instruction, ctx.temperature, ctx.equipment, ctx.now, (NOW + in_seconds, upcoming))


def test_example_is_a_plugin_that_starts_early() -> None:
    plugin = load_plugin()
    assert isinstance(plugin, DecisionPlugin)
    base = context("heat", 18.0, heat=17.0)
    assert plugin.decide(base, {}).desired == "idle"
    assert plugin.decide(with_next_change(base, 1800, 21.0), {}).desired == "heat"
    assert plugin.decide(with_next_change(base, 7200, 21.0), {}).desired == "idle"
    assert plugin.decide(with_next_change(base, 1800, 21.0), {"lead_time": 600}).desired == "idle"
