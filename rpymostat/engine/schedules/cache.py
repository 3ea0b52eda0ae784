"""The resolved timeline, kept ready for the decision loop, the API and the live feed.

The cache holds every rule in memory and the timeline resolved from the
moment it was computed to a little more than a week ahead, so a question
about any window of up to a week starting now is answered by cutting, without
touching storage. It reloads from storage after every change, and on its
clock's timer: every ``refresh`` seconds (picking up new sensors and moving
the window on) and at each override's end (deleting expired overrides so
resolution stays fast). The answer at a moment never depends on when the
timeline was computed, so a restarted engine gives the same one. Loading
the settings also loads the home's time zone chosen through the API (into the
:class:`~rpymostat.engine.home_zone.HomeZone` it shares with the engine
context), so a new zone and the timeline resolved in it arrive together.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Literal

from twisted.internet.defer import DeferredLock, ensureDeferred
from twisted.internet.interfaces import IDelayedCall, IReactorTime
from twisted.logger import Logger
from twisted.python.failure import Failure

from rpymostat.engine.events import EventBus
from rpymostat.engine.home_zone import HomeZone
from rpymostat.engine.plugin_settings import PluginSettings
from rpymostat.engine.schedules.events import OVERRIDE_CHANGED, announce_change
from rpymostat.engine.schedules.resolution import Resolver, override_ends, resolve_rules
from rpymostat.engine.schedules.ruleset import OVERRIDES, RuleSet, load_rules
from rpymostat.scheduling.instruction import Instruction
from rpymostat.scheduling.timeline import TimelineSegment, resolve
from rpymostat.scheduling.validation import SetpointLimits
from rpymostat.scheduling.wire import override_to_dict
from rpymostat.store.interface import Store

log = Logger()


def guarded(name: str, plugin_resolve: Resolver) -> Resolver:
    """A schedule plugin's ``resolve`` that falls back to the built-in one when it raises.

    A third-party plugin's bug must not stop the engine starting, refuse
    every schedule change, or leave the decision loop without an
    instruction: the built-in resolution of the same rules is the
    closest safe answer, and the log says why it was used.
    """

    def resolver(*args: object, **kwargs: object) -> list[TimelineSegment]:
        try:
            return plugin_resolve(*args, **kwargs)
        except Exception:
            log.failure("Schedule plugin {name} failed; the built-in scheduler resolved the timeline instead",
                        name=name)
            return resolve(*args, **kwargs)  # type: ignore[arg-type]

    return resolver

HOUR = 3600.0
DEFAULT_HOURS = 24
MAX_HOURS = 168
DEFAULT_REFRESH = 300.0

Reason = Literal["start", "change", "refresh"]


class TimelineNotReady(RuntimeError):
    """The cache was asked before its first load finished."""


@dataclass(frozen=True)
class TimelineUpdate:
    """Told to subscribers after a recomputation that may have changed the timeline."""

    reason: Reason
    at: float


Subscriber = Callable[[TimelineUpdate], None]


def clip(segments: Sequence[TimelineSegment], start: float, end: float) -> list[TimelineSegment]:
    """The part of a timeline inside ``[start, end)``, each ``until`` cut to the new end."""
    clipped = []
    for segment in segments:
        if segment.end > start and segment.start < end:
            left, right = max(segment.start, start), min(segment.end, end)
            clipped.append(TimelineSegment(left, right, replace(segment.instruction, until=right)))
    return clipped


class TimelineCache:
    """Every rule in memory and the next week or so resolved, kept current.

    ``timezone`` is the configured zone's name, or the engine's shared
    :class:`HomeZone`; a zone stored with the schedule settings overrides it.
    """

    def __init__(
        self,
        store: Store,
        clock: IReactorTime,
        timezone: str | HomeZone,
        limits: SetpointLimits | None = None,
        refresh: float = DEFAULT_REFRESH,
        plugins: PluginSettings | None = None,
        events: EventBus | None = None,
    ) -> None:
        self.store = store
        self.events = events if events is not None else EventBus(store, clock)
        self.plugins = plugins
        self._resolver: Resolver = resolve
        self.clock = clock
        self.zone = timezone if isinstance(timezone, HomeZone) else HomeZone(timezone)
        self.limits = limits or SetpointLimits()
        self.refresh = refresh
        self.span = MAX_HOURS * HOUR + refresh
        self._lock = DeferredLock()
        self._rules: RuleSet | None = None
        self._ends: dict[str, float | None] = {}
        self._segments: list[TimelineSegment] = []
        self._computed_at = 0.0
        self._timer: IDelayedCall | None = None
        self._stopped = False
        self._subscribers: list[Subscriber] = []

    @property
    def rules(self) -> RuleSet:
        """The rules as last loaded."""
        if self._rules is None:
            raise TimelineNotReady("the timeline has not been loaded yet")
        return self._rules

    @property
    def timezone(self) -> str:
        """The zone the timeline is resolved in: the one stored with the settings, else the configured one."""
        return self.zone.name

    @property
    def override_ends(self) -> Mapping[str, float | None]:
        """When each override ends (``None``: not before the end of the cached window)."""
        return self._ends

    async def start(self) -> None:
        """Load and resolve; the engine awaits this before serving."""
        self._stopped = False
        await self.reload("start")

    def stop(self) -> None:
        """Cancel the timer; nothing runs on the clock afterwards."""
        self._stopped = True
        if self._timer is not None and self._timer.active():
            self._timer.cancel()
        self._timer = None

    async def ready(self) -> None:
        """Wait until the rules are loaded and no reload is running (loading them if never done)."""
        if self._rules is None:
            await self.reload("start")
            return
        await self._lock.acquire()
        self._lock.release()

    async def reload(self, reason: Reason = "change") -> None:
        """Read every rule again, delete expired overrides, and recompute."""
        async with self._lock:
            rules = await load_rules(self.store, self.limits)
            self.limits = replace(self.limits, presets=rules.presets)
            self.zone.chosen = rules.settings.timezone
            if self.plugins is not None:
                plugin, options = await self.plugins.active("schedulers")
                self._resolver = guarded(plugin.name, partial(plugin.plugin.resolve, options=options))
            now = self.clock.seconds()
            ends = override_ends(rules, now, now + self.span, self.timezone, self._resolver)
            over = [rule for rule in rules.overrides if (end := ends[rule.id]) is not None and end <= now]
            for rule in over:
                await self.store.delete_document(OVERRIDES, rule.id)
                await announce_change(self.events, OVERRIDE_CHANGED, "expired", rule.id, override_to_dict(rule))
                log.info("Override {rule_id} is over and was deleted", rule_id=rule.id)
                del ends[rule.id]
            self._rules = replace(rules, overrides=tuple(rule for rule in rules.overrides if rule not in over))
            self._ends = ends
            self._compute(now, reason)
            self._schedule_timer(now)

    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        """Call ``subscriber`` after every recomputation that may change answers; returns an unsubscribe."""
        self._subscribers.append(subscriber)
        return lambda: self._subscribers.remove(subscriber)

    def segments(self, now: float, hours: float = DEFAULT_HOURS) -> list[TimelineSegment]:
        """The timeline of ``[now, now + hours)``, as :func:`resolve` would give it."""
        if not 0 < hours <= MAX_HOURS:
            raise ValueError(f"hours must be above 0 and at most {MAX_HOURS}")
        end = now + hours * HOUR
        self._cover(now, end)
        return clip(self._segments, now, end)

    def current_instruction(self, now: float) -> Instruction:
        """What is in force at ``now``; ``until`` is its end, looking at most a week ahead."""
        return self.segments(now, MAX_HOURS)[0].instruction

    def next_change(self, now: float) -> tuple[float, Instruction] | None:
        """The next change within a week of ``now`` and what it brings, for pre-heating."""
        upcoming = self.segments(now, MAX_HOURS)
        return (upcoming[1].start, upcoming[1].instruction) if len(upcoming) > 1 else None

    def _cover(self, start: float, end: float) -> None:
        """Recompute from the rules in memory when the window asked for is outside the cached one."""
        if self._rules is None:
            raise TimelineNotReady("the timeline has not been loaded yet")
        if not self._computed_at <= start or end > self._computed_at + self.span:
            self._compute(start, "refresh")

    def _compute(self, now: float, reason: Reason) -> None:
        previous, previous_end = self._segments, self._computed_at + self.span
        self._segments = resolve_rules(self.rules, now, now + self.span, self.timezone, self._resolver)
        self._computed_at = now
        unchanged = reason == "refresh" and clip(previous, now, previous_end) == clip(self._segments, now, previous_end)
        if not unchanged:
            self._notify(TimelineUpdate(reason, now))

    def _notify(self, update: TimelineUpdate) -> None:
        for subscriber in list(self._subscribers):
            try:
                subscriber(update)
            except Exception:
                log.failure("A timeline subscriber failed")

    def _schedule_timer(self, now: float) -> None:
        if self._stopped:
            return
        if self._timer is not None and self._timer.active():
            self._timer.cancel()
        wake = min([now + self.refresh, *(end for end in self._ends.values() if end is not None and end > now)])
        self._timer = self.clock.callLater(wake - now, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        ensureDeferred(self.reload("refresh")).addErrback(self._reload_failed)

    def _reload_failed(self, failure: Failure) -> None:
        log.failure("Reloading the schedules failed; the timeline keeps the rules it has", failure)
        self._schedule_timer(self.clock.seconds())
