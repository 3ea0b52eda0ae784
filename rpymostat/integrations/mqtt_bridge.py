"""Home Assistant through MQTT: publish discovery and state, turn commands into adjustments.

The bridge keeps the latest payload of every retained topic (discovery
configs and states) and sends a topic only when its payload changed, at
most ``max_in_flight`` unacknowledged at once. It holds one value per
topic, so a broker that is slow or away costs a bounded amount of memory: a
newer value replaces one not yet sent (counted as ``superseded``) and
nothing else piles up. It never makes the decision loop wait: it listens
to the engine's event bus and reads the engine's state itself, at most once
per ``debounce`` seconds, and every ``refresh_interval`` seconds for the
relays' reports.

When the connection is lost or cannot be made it tries again after a
back-off that doubles from ``backoff_min`` to ``backoff_max`` seconds on its
clock. Every new connection publishes ``online`` (the last will says
``offline``) and then every discovery config and state again, so a broker
that restarted without its retained messages, or a Home Assistant started
meanwhile, has them all; so does Home Assistant's ``<prefix>/status`` saying
``online`` (Home Assistant restarted).

Commands are handled one at a time, in order (Home Assistant sends a mode
and then a target for one change), at most ``max_pending_commands``
waiting; more are dropped and counted.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from typing import Any

from twisted.application.service import Service
from twisted.internet.defer import Deferred, ensureDeferred
from twisted.internet.interfaces import IDelayedCall, IReactorTime
from twisted.internet.task import LoopingCall
from twisted.logger import Logger
from twisted.python.failure import Failure

from rpymostat.engine.events import RELAY_DELETED, SENSOR_DELETED, Event, EventBus
from rpymostat.engine.schedules.events import CHANGE_TYPES
from rpymostat.integrations.ha_commands import CommandRefused, adjustment_for
from rpymostat.integrations.ha_discovery import (
    OFFLINE,
    ONLINE,
    HomeSnapshot,
    Topics,
    discovery_messages,
    entity_topics,
    state_messages,
)
from rpymostat.integrations.mqtt_link import Connector, Session, SessionHandlers
from rpymostat.scheduling.errors import ScheduleValidationError
from rpymostat.scheduling.instruction import Instruction
from rpymostat.scheduling.validation import SetpointLimits
from rpymostat.security.keys import role_allows

log = Logger()

REFRESHING_EVENTS = frozenset({"readings", "decision", "alerts", SENSOR_DELETED, RELAY_DELETED, *CHANGE_TYPES})
MAX_COMMAND_BYTES = 64


@dataclass
class BridgeCounters:
    """What the bridge did, for the logs and tests."""

    published: int = 0
    superseded: int = 0
    connections: int = 0
    connection_failures: int = 0
    commands_applied: int = 0
    commands_refused: int = 0
    commands_ignored: int = 0
    commands_dropped: int = 0


class MqttBridge(Service):
    """One engine's link to Home Assistant over one broker.

    ``snapshot`` reads the engine's state; ``current_instruction`` is the
    instruction in force now; ``create_adjustment`` stores an adjustment
    body as ``POST /v1/overrides`` does (raising
    :class:`~rpymostat.scheduling.errors.ScheduleValidationError` on a bad
    one). ``command_role`` is the role the admin granted to commands.
    """

    def __init__(
        self,
        connector: Connector,
        topics: Topics,
        snapshot: Callable[[], Awaitable[HomeSnapshot]],
        current_instruction: Callable[[], Instruction],
        create_adjustment: Callable[[dict[str, Any]], Awaitable[Any]],
        events: EventBus | None,
        clock: IReactorTime,
        limits: SetpointLimits,
        command_role: str = "none",
        *,
        max_in_flight: int = 50,
        debounce: float = 1.0,
        refresh_interval: float = 30.0,
        backoff_min: float = 1.0,
        backoff_max: float = 60.0,
        max_pending_commands: int = 10,
    ) -> None:
        self.connector = connector
        self.topics = topics
        self.snapshot = snapshot
        self.current_instruction = current_instruction
        self.create_adjustment = create_adjustment
        self.events = events
        self.clock = clock
        self.limits = limits
        self.command_role = command_role
        self.max_in_flight = max_in_flight
        self.debounce = debounce
        self.refresh_interval = refresh_interval
        self.backoff_min = backoff_min
        self.backoff_max = backoff_max
        self.max_pending_commands = max_pending_commands
        self.counters = BridgeCounters()
        self.session: Session | None = None
        self._generation = 0
        self._failures = 0
        self._superseded_logged = 0
        self._wanted: dict[str, str] = {}
        self._entities: frozenset[str] = frozenset()
        self._sent: dict[str, str] = {}
        self._dirty: dict[str, None] = {}
        self._in_flight = 0
        self._retry: IDelayedCall | None = None
        self._debounced: IDelayedCall | None = None
        self._looping: LoopingCall | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._refreshing: Deferred[None] | None = None
        self._again = False
        self._commands: deque[tuple[str, bytes]] = deque()
        self._handling: Deferred[None] | None = None

    @property
    def connected(self) -> bool:
        return self.session is not None

    def status(self) -> dict[str, Any]:
        """Whether the broker is connected, and the counters (``GET /v1/status`` shows them)."""
        return {"connected": self.connected, **asdict(self.counters)}

    # -- lifetime ---------------------------------------------------------

    def startService(self) -> None:
        Service.startService(self)
        if self.events is not None:
            self._unsubscribe = self.events.subscribe(self._on_event)
        self._looping = LoopingCall(self.refresh)
        self._looping.clock = self.clock
        self._looping.start(self.refresh_interval, now=True)
        self._connect()

    async def _stop(self) -> None:
        Service.stopService(self)
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self._looping is not None and self._looping.running:
            self._looping.stop()
        for call in (self._retry, self._debounced):
            if call is not None and call.active():
                call.cancel()
        self._retry = self._debounced = None
        self._commands.clear()
        for pending in (self._refreshing, self._handling):
            if pending is not None:  # neither ever fails: each logs its own errors
                await pending
        session, self.session = self.session, None
        self._generation += 1
        if session is not None:
            session.publish(self.topics.availability, OFFLINE, retain=True)
            await session.close()
            log.info("Left the MQTT broker (Home Assistant shows the thermostat offline)")

    def stopService(self) -> Deferred[None]:  # type: ignore[override]
        return ensureDeferred(self._stop())

    # -- connection ------------------------------------------------------

    def _connect(self) -> None:
        self._retry = None
        if not self.running:
            return
        self._generation += 1
        generation = self._generation
        handlers = SessionHandlers(
            message=lambda topic, payload: self._on_message(generation, topic, payload),
            published=lambda: self._on_published(generation),
            lost=lambda reason: self._on_lost(generation, reason),
        )
        attempt = self.connector.connect(self.topics.availability, OFFLINE, handlers)
        attempt.addCallbacks(lambda session: self._on_connected(generation, session),
                             lambda failure: self._on_failed(generation, failure))

    def _on_connected(self, generation: int, session: Session) -> None:
        if generation != self._generation or not self.running:
            session.close()
            return
        self.session = session
        self._failures = 0
        self.counters.connections += 1
        self._in_flight = 0
        superseded = self.counters.superseded - self._superseded_logged
        self._superseded_logged = self.counters.superseded
        log.info("Connected to the MQTT broker; publishing Home Assistant discovery and state"
                 "{dropped}", dropped=f" ({superseded} older state values were replaced before they could be "
                                      "sent)" if superseded else "")
        session.subscribe(self.topics.command_filter)
        session.subscribe(self.topics.home_assistant_status)
        self._republish()

    def _republish(self) -> None:
        """Send ``online`` and every config and state again (a new connection, or Home Assistant restarted)."""
        if self.session is None:
            return
        self._sent = {}
        self._dirty = dict.fromkeys(self._wanted)
        self._send(self.topics.availability, ONLINE)
        self._flush()

    def _on_failed(self, generation: int, failure: Failure) -> None:
        if generation != self._generation:
            return
        self.counters.connection_failures += 1
        delay = self._schedule_retry()
        if delay is not None:
            log.warn("Could not connect to the MQTT broker: {error}; trying again in {delay:g} s",
                     error=failure.getErrorMessage(), delay=delay)

    def _on_lost(self, generation: int, reason: str) -> None:
        if generation != self._generation:
            return
        self.session = None
        self._in_flight = 0
        delay = self._schedule_retry()
        if delay is not None:
            log.warn("Lost the MQTT broker ({reason}); trying again in {delay:g} s", reason=reason, delay=delay)

    def _schedule_retry(self) -> float | None:
        if not self.running:
            return None
        delay = min(self.backoff_max, self.backoff_min * 2 ** self._failures)
        self._failures += 1
        self._retry = self.clock.callLater(delay, self._connect)
        return delay

    # -- publishing ------------------------------------------------------

    def _send(self, topic: str, payload: str) -> bool:
        assert self.session is not None
        if not self.session.publish(topic, payload, retain=True):
            return False
        self._in_flight += 1
        self.counters.published += 1
        return True

    def _flush(self) -> None:
        while self.session is not None and self._dirty and self._in_flight < self.max_in_flight:
            topic = next(iter(self._dirty))
            del self._dirty[topic]
            payload = self._wanted[topic]
            if self._sent.get(topic) == payload:
                continue
            if not self._send(topic, payload):
                self._dirty[topic] = None
                return
            self._sent[topic] = payload

    def _on_published(self, generation: int) -> None:
        if generation != self._generation:
            return
        self._in_flight = max(0, self._in_flight - 1)
        self._flush()

    def update(self, messages: dict[str, str]) -> None:
        """Take the payloads wanted now; send those that changed."""
        for topic, payload in messages.items():
            if self._wanted.get(topic) == payload:
                continue
            if topic in self._dirty:
                self.counters.superseded += 1
            self._wanted[topic] = payload
            self._dirty[topic] = None
        self._flush()

    # -- reading the engine ----------------------------------------------

    def _on_event(self, event: Event) -> None:
        if event.type in REFRESHING_EVENTS and (self._debounced is None or not self._debounced.active()):
            self._debounced = self.clock.callLater(self.debounce, self.refresh)

    def refresh(self) -> Deferred[None]:
        """Read the engine's state and publish what changed (once more after a refresh in progress)."""
        if self._refreshing is not None:
            self._again = True
            return self._refreshing
        running = ensureDeferred(self._refresh())
        if not running.called:  # a refresh that finished at once has already cleared the field
            self._refreshing = running
        return running

    async def _refresh(self) -> None:
        try:
            while True:
                self._again = False
                try:  # a failed refresh must not stop the periodic ones
                    snapshot = await self.snapshot()
                    self.update({**self._removed(snapshot), **discovery_messages(self.topics, snapshot, self.limits),
                                 **state_messages(self.topics, snapshot)})
                except Exception:
                    log.failure("Could not read the engine's state for Home Assistant or publish it")
                    return
                if not self._again or not self.running:
                    return
        finally:
            self._refreshing = None

    def _removed(self, snapshot: HomeSnapshot) -> dict[str, str]:
        """Empty retained messages for the sensors and relays deleted since the last refresh.

        An empty config removes the entity from Home Assistant; an empty
        retained message makes the broker forget the one it kept.
        """
        entities = entity_topics(self.topics, snapshot)
        gone, self._entities = self._entities - entities, entities
        return dict.fromkeys(sorted(gone), "")

    # -- commands ----------------------------------------------------------

    def _on_message(self, generation: int, topic: str, payload: bytes) -> None:
        if generation != self._generation:
            return
        if topic == self.topics.home_assistant_status:
            if payload == ONLINE.encode():
                log.info("Home Assistant came online; publishing discovery and state again")
                self._republish()
            return
        command = self.topics.command_name(topic)
        if command is None:
            return
        if self.command_role == "none" or not role_allows(self.command_role, "write"):
            self.counters.commands_ignored += 1
            log.warn("Ignored Home Assistant's {command} command: RPYMOSTAT_MQTT_COMMAND_ROLE is {role}, "
                     "set it to write to let Home Assistant change the thermostat", command=command,
                     role=self.command_role)
            return
        if len(self._commands) >= self.max_pending_commands:
            self.counters.commands_dropped += 1
            log.warn("Dropped Home Assistant's {command} command: {count} commands are already waiting",
                     command=command, count=len(self._commands))
            return
        self._commands.append((command, payload))
        if self._handling is None:
            handling = ensureDeferred(self._handle_commands())
            if not handling.called:
                self._handling = handling

    async def _handle_commands(self) -> None:
        try:
            while self._commands and self.running:
                command, payload = self._commands.popleft()
                await self._apply(command, payload)
        finally:
            self._handling = None

    async def _apply(self, command: str, payload: bytes) -> None:
        try:
            if len(payload) > MAX_COMMAND_BYTES:
                raise CommandRefused(f"the payload is longer than {MAX_COMMAND_BYTES} bytes")
            try:
                text = payload.decode("utf-8")
            except UnicodeDecodeError:
                raise CommandRefused("the payload is not UTF-8 text") from None
            body = adjustment_for(command, text, self.current_instruction())
            await self.create_adjustment(body)
        except (CommandRefused, ScheduleValidationError) as exc:
            self.counters.commands_refused += 1
            why = exc.message if isinstance(exc, ScheduleValidationError) else str(exc)
            log.warn("Refused Home Assistant's {command} command {payload!r}: {why}", command=command,
                     payload=payload[:MAX_COMMAND_BYTES], why=why)
        except Exception:
            self.counters.commands_refused += 1
            log.failure("Could not apply Home Assistant's {command} command", command=command)
        else:
            self.counters.commands_applied += 1
            log.info("Home Assistant's {command} command {payload!r} made an adjustment until the next scheduled "
                     "change", command=command, payload=text)
