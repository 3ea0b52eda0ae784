"""The rules of a :class:`RuleSet` resolved over a window, and when each override ends.

Pure functions of the rules, the window and the zone, so the cache, the API
checks and the tests all compute the same thing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from rpymostat.engine.schedules.ruleset import RuleSet, is_adjustment
from rpymostat.scheduling.model import Override
from rpymostat.scheduling.timeline import TimelineSegment, next_change, resolve

Resolver = Callable[..., list[TimelineSegment]]


def resolve_rules(rules: RuleSet, start: float, end: float, tz: str, resolver: Resolver = resolve
                  ) -> list[TimelineSegment]:
    """The timeline of ``[start, end)``, each instruction with its effective sensors.

    ``resolver`` is the active schedule plugin's ``resolve`` (the built-in
    cron scheduler's unless another is chosen).
    """
    overrides = [_effective_rule(rules, rule) for rule in rules.overrides]
    return resolver(
        [replace(rule, instruction=rules.effective(rule.instruction)) for rule in rules.schedules],
        [rule for rule in overrides if not is_adjustment(rule)],
        [rule for rule in overrides if is_adjustment(rule)],
        rules.effective(rules.settings.default_instruction),
        start,
        end,
        tz,
        paused=rules.settings.paused,
    )


def _effective_rule(rules: RuleSet, rule: Override) -> Override:
    return replace(rule, instruction=rules.effective(rule.instruction))


def override_ends(rules: RuleSet, now: float, horizon: float, tz: str, resolver: Resolver = resolve
                  ) -> dict[str, float | None]:
    """When each override ends; ``None`` for "until the next change" with none before ``horizon``.

    An open-ended override ends at the first change of the schedules-only
    timeline after its start, the same rule :func:`resolve` applies.
    """
    ends: dict[str, float | None] = {rule.id: rule.end for rule in rules.overrides}
    open_ended = [rule for rule in rules.overrides if rule.end is None and rule.start < horizon]
    if open_ended:
        earliest = min(now, *(rule.start for rule in open_ended))
        scheduled = resolve_rules(replace(rules, overrides=()), earliest, horizon, tz, resolver)
        for rule in open_ended:
            change = next_change(scheduled, rule.start)
            ends[rule.id] = None if change is None else change[0]
    return ends


def expired(rules: RuleSet, now: float, horizon: float, tz: str) -> list[Override]:
    """The overrides that are over at ``now`` and only slow resolution down."""
    ends = override_ends(rules, now, horizon, tz)
    return [rule for rule in rules.overrides if (end := ends[rule.id]) is not None and end <= now]
