"""The decision loop: every few seconds, and after new readings (at most once a second), decide and command.

Each turn reads the effective instruction from the timeline (so a restart
never replays or misses a scheduled change), the sensors' last reports from
the store, and the active decision plugin, then runs the pure
:func:`~rpymostat.decisions.step.decide_step` and sends the resulting
function states to the control daemons. The states are re-sent on every
turn, which is the keep-alive that heals a missed command or a restarted
relay box. Decisions are recorded when what runs, what holds it back, the alerts or
the instruction change (and at least every ten minutes), with their inputs
and reason; a reason that only quotes a new temperature is not a change.
Each turn also takes the last few minutes of readings of the sensors that
count, from which the step computes the trend the plugin sees; they are kept
in memory as updates arrive (:mod:`rpymostat.engine.loop.recent`), so a turn
costs the same with one sensor or a thousand.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any, Protocol, cast

from twisted.internet.defer import Deferred, succeed
from twisted.internet.interfaces import IDelayedCall
from twisted.internet.task import LoopingCall
from twisted.logger import Logger
from twisted.python.failure import Failure

from rpymostat.common.vocabulary import ReactionRecord
from rpymostat.decisions.equipment import EquipmentState
from rpymostat.decisions.model import functions_for
from rpymostat.decisions.predictive import planned_early_starts, predictive
from rpymostat.decisions.reactions import Pause, explain, named
from rpymostat.decisions.safety import SafetyLimits
from rpymostat.decisions.step import StepResult, decide_step, weights_for
from rpymostat.decisions.weighting import SensorReading
from rpymostat.engine.context import EngineContext
from rpymostat.engine.device_events import BUS_TYPE as DEVICE_EVENT
from rpymostat.engine.events import Event
from rpymostat.engine.loop.learning import HouseModel
from rpymostat.engine.loop.limits import configured_limits
from rpymostat.engine.loop.outdoor import ForecastCache, outdoor_conditions
from rpymostat.engine.loop.recording import DecisionRecorder
from rpymostat.engine.loop.render import decision_record
from rpymostat.engine.plugin_settings import PluginSettings
from rpymostat.engine.reactions import Reactions
from rpymostat.engine.schedules.events import CHANGE_TYPES
from rpymostat.scheduling.instruction import Instruction
from rpymostat.store.records import SensorRecord
from rpymostat.weather.forecast import OutdoorForecast

log = Logger()

RECORD_AT_LEAST_EVERY = 600.0
READINGS_TURN_GAP = 1.0
OFF = Instruction("off")


class InstructionSource(Protocol):
    """The resolved timeline, as the loop needs it."""

    def current_instruction(self, now: float) -> Instruction | None: ...

    def next_change(self, now: float) -> tuple[float, Instruction] | None: ...


class EquipmentCommander(Protocol):
    """Whatever carries function states to the relays (the control daemons)."""

    def set_desired(self, function_states: Mapping[str, bool], reason: str) -> Deferred[Any]: ...


def readings_of(sensors: list[SensorRecord]) -> dict[str, SensorReading]:
    """Each sensor's last report: its last value, timed by its last report (not its last change)."""
    return {s.sensor_id: SensorReading(s.last_value, s.last_seen) for s in sensors}


def rooms_of(sensors: list[SensorRecord], counted: Iterable[str]) -> set[str]:
    """The rooms of the sensors that count (those that name one)."""
    wanted = set(counted)
    return {s.room for s in sensors if s.sensor_id in wanted and s.room}


def reaction_record(pause: Pause) -> ReactionRecord:
    return ReactionRecord(pause.reaction, pause.reason, pause.since, pause.until)


def pause_json(pause: Pause) -> dict[str, Any]:
    return reaction_record(pause).to_json()


def fallback_weights(sensors: list[SensorRecord]) -> dict[str, float]:
    """Weights for an instruction that names no sensors.

    The timeline fills in the saved default weights, so this only applies to
    a bare instruction (before any rule or default exists): every visible
    room sensor counts equally, CPU and outdoor sensors never.
    """
    return {s.sensor_id: 1.0 for s in sensors if not s.hidden and not s.outdoor and s.sensor_type.lower() != "cpu"}


class DecisionLoop:
    """Decides on a timer and on new readings; owns the equipment's switching history.

    ``limits`` defaults to the safety limits of the engine's configuration
    (``RPYMOSTAT_HEAT_MAX_RUN`` and the rest), so what the user set is what
    every decision is held to. ``equipment`` is the state to start from (the
    engine restores it from the relays); without it, everything is taken to
    have just been switched off.
    """

    def __init__(
        self,
        context: EngineContext,
        timeline: InstructionSource,
        commander: EquipmentCommander,
        plugins: PluginSettings,
        limits: SafetyLimits | None = None,
        interval: float = 5.0,
        equipment: EquipmentState | None = None,
        reactions: Reactions | None = None,
    ) -> None:
        self.context = context
        self.reactions = reactions
        self.in_force: list[Pause] = []
        self.timeline = timeline
        self.commander = commander
        self.plugins = plugins
        self.limits = limits if limits is not None else configured_limits(context.config)
        self.interval = interval
        self.equipment = equipment if equipment is not None else EquipmentState.all_off_since(context.now())
        self.latest: dict[str, Any] | None = None
        self.outdoor: float | None = None
        self.forecast: OutdoorForecast | None = None
        self.house = HouseModel(context.store)
        self._plugin: tuple[str, Mapping[str, Any]] | None = None
        self._forecast_cache = ForecastCache()
        self._latest_result: StepResult | None = None
        self._last_recorded: tuple[Any, ...] | None = None
        self._last_recorded_at = float("-inf")
        self._recorder = DecisionRecorder(context.store)
        self._looping: LoopingCall | None = None
        self._busy = False
        self._again = False
        self._current: Deferred[None] | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._readings_call: IDelayedCall | None = None
        self._last_readings_turn = float("-inf")

    def start(self) -> None:
        """Run now and then every ``interval`` seconds; also after new readings, at most once a second."""
        self._looping = LoopingCall(self.trigger)
        self._looping.clock = self.context.clock
        self._looping.start(self.interval, now=True)
        self._unsubscribe = self.context.events.subscribe(self._on_event)

    def stop(self) -> None:
        if self._looping is not None and self._looping.running:
            self._looping.stop()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self._readings_call is not None and self._readings_call.active():
            self._readings_call.cancel()
        self._readings_call = None

    def _on_event(self, event: Event) -> None:
        # A new target or mode should reach the equipment now, not at the next turn.
        if event.type == DEVICE_EVENT or event.type in CHANGE_TYPES:
            self.trigger()
        elif event.type == "readings":
            self._after_readings()

    def _after_readings(self) -> None:
        """A turn for new readings: at once, or :data:`READINGS_TURN_GAP` after the last one.

        Under a burst of updates (a thousand sensors, a spool replay) one turn
        covers every reading of the gap, so a turn's cost is not paid per
        update; a lone reading still gets its turn straight away.
        """
        if self._readings_call is not None:
            return
        wait = self._last_readings_turn + READINGS_TURN_GAP - self.context.now()
        if wait <= 0:
            self._readings_turn()
        else:
            self._readings_call = self.context.clock.callLater(wait, self._readings_turn)

    def _readings_turn(self) -> None:
        self._readings_call = None
        self._last_readings_turn = self.context.now()
        self.trigger()

    def trigger(self) -> Deferred[None] | None:
        """Evaluate now, or once more right after the evaluation in progress."""
        if self._busy:
            self._again = True
            return None
        d = Deferred.fromCoroutine(self._run())
        d.addErrback(lambda failure: log.failure("The decision loop failed a turn", failure))
        self._current = d
        return d

    def settled(self) -> Deferred[None]:
        """Fires once no turn is in progress (for shutdown and tests)."""
        if not self._busy or self._current is None:
            return succeed(None)
        waiter: Deferred[None] = Deferred()
        def release(result: Failure | None) -> Failure | None:
            waiter.callback(None)
            return result

        self._current.addBoth(release)
        return waiter

    async def _run(self) -> None:
        self._busy = True
        try:
            while True:
                self._again = False
                await self.evaluate()
                if not self._again:
                    break
        finally:
            self._busy = False

    async def evaluate(self) -> StepResult:
        """One turn: decide, command, record."""
        context = self.context
        now = context.now()
        instruction = self.timeline.current_instruction(now) or OFF
        sensors = await context.store.list_sensors()
        plugin, options = await self.plugins.active("decisions")
        self.outdoor, self.forecast = await outdoor_conditions(
            context.store, sensors, self.plugins, now, context.config.sensor_stale_after, self._forecast_cache)
        defaults = fallback_weights(sensors)
        counted = [sensor_id for sensor_id, weight in weights_for(instruction, defaults).items() if weight > 0]
        history = await context.recent.window(counted, now)
        if self.reactions is not None:
            heat = self.equipment.of("heat")
            await self.reactions.watch_slopes(history, heat.since if heat.on else None, now,
                                              {s.sensor_id: s.room for s in sensors})
            self.in_force = self.reactions.in_force(now, rooms_of(sensors, counted), instruction.until)
            instruction = self.reactions.applied(instruction, self.in_force)
        result = decide_step(
            plugin.plugin, options, instruction, readings_of(sensors), defaults,
            self.equipment, now,
            context.config.sensor_stale_after, self.limits, self.timeline.next_change(now),
            history, self.outdoor, self.forecast,
            await self.house.prediction(now, counted, self.outdoor, self.forecast), context.timezone,
        )
        result = explain(result, self.in_force)
        try:
            await self.house.observe(now, counted, None if result.temperature is None else result.temperature.value,
                                     self.outdoor, self.equipment)
        except Exception:  # learning must never stop the house from being heated
            log.failure("Could not learn from this turn or save what was learned")
        self._plugin = (plugin.name, options)
        changed = result.equipment != self.equipment
        self.equipment = result.equipment
        self._latest_result = result
        names = {s.sensor_id: s.name or s.alias or s.sensor_id for s in sensors}
        record = decision_record(result, plugin.name, names, context.timezone, self.outdoor)
        if self.in_force:
            record = replace(record, summary=f"{named(self.in_force)}; {record.summary}",
                             reactions=tuple(reaction_record(p) for p in self.in_force))
        self.latest = record.to_json()
        try:
            # Mapping's key type is invariant; every Function is a str.
            states = cast("Mapping[str, bool]", functions_for(result.decision.desired))
            await self.commander.set_desired(states, result.decision.reason)
        except Exception as exc:
            log.warn("Could not reach the equipment: {error}", error=str(exc))
        await self._record(result, now, changed)
        return result

    def early_starts(self, changes: Sequence[tuple[float, Instruction]]) -> dict[float, tuple[float, str, float]]:
        """The early starts the predictive plugin plans for these upcoming changes, as of the latest turn."""
        latest, plugin = self._latest_result, self._plugin
        if latest is None or plugin is None or plugin[0] != predictive.name:
            return {}
        context = latest.context
        if context.prediction is None or context.temperature is None:
            return {}
        return dict(planned_early_starts(context.prediction, context.temperature.value, context.instruction, changes,
                                         plugin[1]))

    async def _record(self, result: StepResult, now: float, changed: bool) -> None:
        decision = result.decision
        lockout = decision.lockout
        signature = (decision.desired, None if lockout is None else (lockout.function, lockout.rule),
                     tuple(a.code for a in decision.alerts), replace(result.context.instruction, until=None))
        if signature == self._last_recorded and now - self._last_recorded_at < RECORD_AT_LEAST_EVERY:
            return
        previous_alerts = set(self._last_recorded[2]) if self._last_recorded else set()
        self._last_recorded, self._last_recorded_at = signature, now
        assert self.latest is not None
        await self._recorder.record(now, self.latest)
        await self.context.events.publish("decision", {"decision": self.latest, "equipment_changed": changed})
        if set(signature[2]) != previous_alerts:
            await self.context.events.publish("alerts", {"alerts": self.latest["alerts"]})
        if changed:
            log.info("{summary}", summary=self.latest["summary"])
