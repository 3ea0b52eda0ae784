"""Sending signed commands to the control daemons, and keeping their failsafes fed.

Every command is signed with the daemon's own device secret (as signer
``engine``) and goes to the URL it registered. The commander also re-asserts
each daemon's desired states (``PUT /v1/keepalive``) every third of its
failsafe time (at most every :data:`KEEPALIVE_CAP` seconds), so a healthy
system never trips a failsafe; only states set since it was made, so an
engine restart does not re-send stale ones before its first decision. A
relay whose daemon has been silent for longer than its failsafe time counts
as off (:mod:`.liveness`).

The decision loop drives it with :meth:`RelayCommander.set_desired`, naming
functions (``heat``, ``cool``, ``fan``, ``aux``) rather than relays; the
admins' function assignments in the registry map one to the other.

Heat and cool may be wired to different daemons, where no daemon's
interlock sees both, so a change from one to the other goes in two steps:
every relay that must stop is told so first, on every host, and the relays
that must start are told only once those offs were acknowledged. A heat or
cool relay whose off could not be confirmed keeps the opposite function off
for that turn (its desired state says why). Requests to one daemon go one
at a time, each built from the desired states when it is sent, so an older
keep-alive can never overtake a newer off.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from twisted.internet.defer import Deferred, DeferredLock, FirstError, TimeoutError, ensureDeferred, gatherResults
from twisted.internet.error import ConnectError, DNSLookupError
from twisted.internet.interfaces import IReactorTime
from twisted.internet.task import LoopingCall
from twisted.logger import Logger

from rpymostat.common.http import JsonResponse, SignedJsonClient
from rpymostat.common.vocabulary import ENGINE_SIGNER, RELAY_FUNCTIONS, RelayInstruction, opposing
from rpymostat.engine.relays.interlock import INTERLOCK, interlock_refusal, running
from rpymostat.engine.relays.liveness import DEFAULT_FAILSAFE, failsafe_of, with_liveness
from rpymostat.engine.relays.registry import RelayRegistry
from rpymostat.store.interface import Store

log = Logger()

KEEPALIVE_CAP = 30.0
KEEPALIVE_FLOOR = 1.0
TICK = 1.0
COMMAND_TIMEOUT = 10.0


class UnknownRelay(KeyError):
    """No control daemon has reported a relay with this ID."""


@dataclass(frozen=True)
class CommandResult:
    """A daemon's verdict on one relay, as an HTTP status and a JSON body for the API to pass on.

    ``code`` 200 means it did it; 409 means its safety rules refused (the
    body says which, and ``retry_after``); 502/503/504 mean it could not be
    asked or its answer could not be used.
    """

    relay_id: str
    code: int
    body: dict[str, Any] = field(default_factory=dict)
    #: False when the command reached no daemon (never sent, or no connection could be made).
    reached: bool = True

    @property
    def accepted(self) -> bool:
        return self.code == 200


@dataclass(frozen=True)
class Planned:
    """What one turn of :meth:`RelayCommander.set_desired` wants of one relay, and why."""

    relay: dict[str, Any]
    on: bool
    why: str


def keepalive_interval(failsafe_timeout: float | None) -> float:
    """How often to re-assert: a third of the daemon's failsafe time, between 1 and 30 s."""
    timeout = DEFAULT_FAILSAFE if failsafe_timeout is None else failsafe_timeout
    return max(KEEPALIVE_FLOOR, min(KEEPALIVE_CAP, timeout / 3))


MANUAL_HOLD = 600.0


class RelayCommander:
    """The engine's only way to switch relays.

    An admin's manual switch (testing the wiring) holds that relay for
    ``MANUAL_HOLD`` seconds: the decision loop leaves it alone meanwhile,
    then takes it over again. The control daemon's own failsafe, interlock
    and minimum off times apply to manual switches as to any other. Heat and
    cool relays may sit on different daemons, where no daemon's interlock
    sees both, so the commander keeps them apart itself (:mod:`.interlock`):
    a manual switch is refused, and the decision loop's "on" for a relay is
    held back while a relay of the opposite function is held on by hand.
    """

    def __init__(self, registry: RelayRegistry, store: Store, clock: IReactorTime, http: Any,
                 timeout: float = COMMAND_TIMEOUT) -> None:
        self.registry = registry
        self._store = store
        self._clock = clock
        self._http = http
        self._timeout = timeout
        self._last_sent: dict[str, float] = {}
        self._manual_until: dict[str, float] = {}
        self._on_sent_at: dict[str, float] = {}
        self._started_at = clock.seconds()
        self._in_flight: set[str] = set()
        self._switching = DeferredLock()
        self._host_locks: dict[str, DeferredLock] = {}
        self._loop = LoopingCall(self._tick)
        self._loop.clock = clock

    @property
    def in_flight(self) -> frozenset[str]:
        """Hosts with a keep-alive on its way (the next one waits for it)."""
        return frozenset(self._in_flight)

    def start(self) -> None:
        """Begin re-asserting desired states on every known control daemon."""
        self._loop.start(TICK, now=True)

    def stop(self) -> None:
        if self._loop.running:
            self._loop.stop()

    async def known_relays(self) -> list[dict[str, Any]]:
        """Every relay with ``failsafe_off``: whether its silent daemon's failsafe has turned it off.

        The interlock counts such a relay as off (see :mod:`.liveness`).
        """
        now = self._clock.seconds()
        failsafes = {host["host_id"]: failsafe_of(host) for host in await self.registry.hosts()}
        return [with_liveness(relay, failsafes.get(relay["host_id"], DEFAULT_FAILSAFE), now,
                              self._on_sent_at.get(relay["id"]))
                for relay in await self.registry.relays()]

    def switch(self, relay_id: str, on: bool, reason: str) -> Deferred[CommandResult]:
        """Switch one relay (the admins' manual switch); on success it becomes the desired state."""
        return ensureDeferred(self._switch(relay_id, on, reason))

    def set_desired(self, function_states: Mapping[str, bool], reason: str) -> Deferred[dict[str, CommandResult]]:
        """Make the relays of each function (by the admins' assignment) on or off.

        The states are kept and re-asserted with every keep-alive; the answer
        maps each relay ID concerned to its daemon's verdict. A function no
        relay has is ignored (a house without air conditioning has no ``cool``).
        Offs are sent, and acknowledged, before any on (see the module's
        description).
        """
        unknown = sorted(set(function_states) - set(RELAY_FUNCTIONS))
        if unknown:
            raise ValueError(f"{unknown[0]!r} is not one of {', '.join(RELAY_FUNCTIONS)}")
        return ensureDeferred(self._set_desired(function_states, reason))

    def keepalive(self, host_id: str) -> Deferred[dict[str, CommandResult]]:
        """Re-assert one daemon's desired states now."""
        return ensureDeferred(self._keepalive(host_id, "keep-alive: the engine re-asserts the desired state"))

    async def _switch(self, relay_id: str, on: bool, reason: str) -> CommandResult:
        # One manual switch at a time, and none while the decision loop sets desired states, so
        # heat and cool on different daemons cannot both pass the interlock check before either switched.
        async with self._switching:
            return await self._switch_checked(relay_id, on, reason)

    async def _switch_checked(self, relay_id: str, on: bool, reason: str) -> CommandResult:
        relay = await self.registry.get(relay_id)
        if relay is None:
            raise UnknownRelay(relay_id)
        refused = interlock_refusal(relay, await self.known_relays()) if on else None
        if refused is not None:
            log.warn("Refused to turn {relay_id} on: {message}", relay_id=relay_id, message=refused)
            await self.registry.record_refusal(relay_id, True, refused, INTERLOCK, self._clock.seconds())
            return CommandResult(relay_id, 409, _error(refused, refusal=INTERLOCK, retry_after=None))
        async with self._host_lock(relay["host_id"]):
            answer = await self._send(relay["host_id"], relay_id, "PUT", f"/v1/relays/{relay_id}/state",
                                      RelayInstruction(on, reason).to_json(), [relay_id] if on else [])
            if isinstance(answer, CommandResult):
                return answer
            if answer.code == 200 and isinstance(answer.body, dict) and isinstance(answer.body.get("relay"), dict):
                now = self._clock.seconds()
                await self.registry.set_desired(relay_id, on, reason, now)
                await self.registry.set_reported(relay_id, bool(answer.body["relay"].get("on")), now)
                self._manual_until[relay_id] = now + MANUAL_HOLD
                return CommandResult(relay_id, 200, answer.body)
            return _verdict(relay_id, answer)

    async def _set_desired(self, function_states: Mapping[str, bool], reason: str) -> dict[str, CommandResult]:
        async with self._switching:
            now = self._clock.seconds()
            plan = await self._plan(function_states, reason, now)
            # First every off, on every host; the relays that were running are the ones that must be confirmed,
            # but not those a silent daemon's failsafe has turned off (the offs stored here go in any later command).
            stopping = [step.relay for step in plan
                        if not step.on and running(step.relay) and not step.relay["failsafe_off"]]
            for step in plan:
                if not step.on:
                    await self.registry.set_desired(step.relay["id"], False, step.why, now)
            first = {relay["host_id"] for relay in stopping}
            results = await self._keepalive_hosts(first, reason)
            unconfirmed = [relay for relay in stopping if not _confirmed(results.get(relay["id"]))]
            # Then the ons, but none of a function whose opposite may still be running.
            for step in plan:
                if step.on:
                    on, why = self._unless_unconfirmed(step, unconfirmed, results)
                    await self.registry.set_desired(step.relay["id"], on, why, now)
            second = {step.relay["host_id"] for step in plan if step.on or step.relay["host_id"] not in first}
            results.update(await self._keepalive_hosts(second, reason))
            return results

    async def _plan(self, function_states: Mapping[str, bool], reason: str, now: float) -> list[Planned]:
        """Each relay the decision concerns, with the state it should take.

        A relay switched by hand is outside the decision (until its daemon's
        failsafe ends the switch), as is a relay whose function the decision
        does not name, so the decision cannot keep them apart: an "on" that
        one of them forbids becomes an off.
        """
        relays = await self.known_relays()
        # A manual switch ends with its daemon's failsafe: then the decision takes the relay back.
        held_ids = {relay["id"] for relay in relays
                    if self._manual_until.get(relay["id"], float("-inf")) > now and not relay["failsafe_off"]}
        outside = [relay for relay in relays if relay["id"] in held_ids or relay.get("function") not in function_states]
        plan = []
        for relay in relays:
            if relay["id"] in held_ids or relay.get("function") not in function_states:
                continue
            on, why = function_states[relay["function"]], reason
            refused = interlock_refusal(relay, outside) if on else None
            if refused is not None:
                on, why = False, f"{INTERLOCK}: {refused}"
            plan.append(Planned(relay, on, why))
        return plan

    @staticmethod
    def _unless_unconfirmed(step: Planned, unconfirmed: Iterable[dict[str, Any]],
                            results: Mapping[str, CommandResult]) -> tuple[bool, str]:
        """The step's "on", or an off with the reason, while a relay of the opposite function may still run."""
        relay = step.relay
        opposite = opposing(relay.get("function"))
        for other in unconfirmed:
            if other.get("function") in opposite:
                result = results.get(other["id"])
                error = result.body.get("error") if result is not None else None
                message = (f"{relay['id']} ({relay['function']}) waits: {other['id']} ({other['function']}) could not be "
                           f"confirmed off ({error or 'its daemon did not report it'}); trying again next turn")
                log.warn("Not turning {relay_id} on: {message}", relay_id=relay["id"], message=message)
                return False, f"{INTERLOCK}: {message}"
        return step.on, step.why

    async def _keepalive_hosts(self, hosts: Iterable[str], reason: str) -> dict[str, CommandResult]:
        """Re-assert the desired states on each host, all at once; each relay's verdict."""
        sending = [ensureDeferred(self._keepalive(host_id, reason)) for host_id in sorted(hosts)]
        try:
            answers = await gatherResults(sending, consumeErrors=True)
        except FirstError as error:
            error.subFailure.raiseException()
        results: dict[str, CommandResult] = {}
        for answer in answers:
            results.update(answer)
        return results

    def _host_lock(self, host_id: str) -> DeferredLock:
        """One request at a time to each daemon, so none overtakes another."""
        return self._host_locks.setdefault(host_id, DeferredLock())

    async def _keepalive(self, host_id: str, reason: str) -> dict[str, CommandResult]:
        async with self._host_lock(host_id):
            return await self._keepalive_now(host_id, reason)

    async def _keepalive_now(self, host_id: str, reason: str) -> dict[str, CommandResult]:
        """Send the desired states as they are now (read under the host's lock).

        Only states set since this commander was made: one left by an engine
        before its restart may be stale (the relay since turned off by its
        failsafe), and sending it would switch the relay just before the
        first decision switches it back. Until that decision the keep-alive
        still feeds the failsafe, so the relays stay as they are.
        """
        relays = [r for r in await self.registry.relays() if r["host_id"] == host_id]
        desired = {r["id"]: r["desired"] for r in relays
                   if isinstance(r.get("desired"), bool) and (r.get("desired_at") or float("-inf")) >= self._started_at}
        self._last_sent[host_id] = self._clock.seconds()
        answer = await self._send(host_id, None, "PUT", "/v1/keepalive", {"relays": desired, "reason": reason},
                                  [relay_id for relay_id, on in desired.items() if on])
        if isinstance(answer, CommandResult):
            return {relay_id: CommandResult(relay_id, answer.code, answer.body) for relay_id in desired}
        if answer.code != 200 or not isinstance(answer.body, dict):
            return {relay_id: _verdict(relay_id, answer) for relay_id in desired}
        now = self._clock.seconds()
        for state in answer.body.get("relays", []):
            if isinstance(state, dict) and isinstance(state.get("id"), str) and isinstance(state.get("on"), bool):
                await self.registry.set_reported(state["id"], state["on"], now)
        results = {}
        for relay_id, result in (answer.body.get("results") or {}).items():
            if isinstance(result, dict) and result.get("accepted"):
                results[relay_id] = CommandResult(relay_id, 200, result)
            else:
                message = result.get("message") if isinstance(result, dict) else None
                results[relay_id] = CommandResult(relay_id, 409, {
                    "status": "error", "error": message or "refused by the control daemon",
                    "refusal": result.get("refusal") if isinstance(result, dict) else None,
                    "retry_after": result.get("retry_after") if isinstance(result, dict) else None,
                })
        return results

    async def _send(self, host_id: str, relay_id: str | None, method: str, path: str, body: dict[str, Any],
                    asks_on: list[str]) -> JsonResponse | CommandResult:
        """Send one command; the relays it asks to be on count as fed from now unless it reached nobody.

        The mark is taken back only when no connection could be made. An
        answer the engine uses refreshes the relay's ``reported_at``, which
        then counts instead (:mod:`.liveness` takes the later of the two).
        """
        before = {relay: self._on_sent_at.get(relay) for relay in asks_on}
        self._on_sent_at.update(dict.fromkeys(asks_on, self._clock.seconds()))
        answer = await self._request(host_id, relay_id, method, path, body)
        if isinstance(answer, CommandResult) and not answer.reached:
            for relay, at in before.items():
                if at is None:
                    self._on_sent_at.pop(relay, None)
                else:
                    self._on_sent_at[relay] = at
        return answer

    async def _request(self, host_id: str, relay_id: str | None, method: str, path: str,
                       body: dict[str, Any]) -> JsonResponse | CommandResult:
        """One signed request to a daemon; a CommandResult when it could not be asked at all."""
        device = await self._store.get_device(host_id)
        label = relay_id or host_id
        if device is None or device.kind != "control" or device.status != "approved":
            state = "unknown" if device is None else f"{device.status} {device.kind} device"
            return CommandResult(label, 503, _error(f"control host {host_id} is {state}; an admin must approve it"),
                                 reached=False)
        if not device.url:
            return CommandResult(label, 503, _error(f"control host {host_id} has not told the engine its API URL; "
                                                    "restart its daemon so it registers again"), reached=False)
        client = SignedJsonClient(self._http, self._clock, ENGINE_SIGNER, device.secret, self._timeout)
        try:
            return await client.request(method, device.url, path, body)
        except (ConnectError, DNSLookupError) as exc:
            return CommandResult(label, 502, _error(f"cannot reach control host {host_id} at {device.url}: "
                                                    f"{str(exc) or type(exc).__name__}"), reached=False)
        except TimeoutError:
            return CommandResult(label, 504, _error(f"control host {host_id} at {device.url} did not answer "
                                                    f"within {self._timeout:g} s"))
        except Exception as exc:  # noqa: BLE001 - any transport failure means "unreachable"
            return CommandResult(label, 502, _error(f"cannot reach control host {host_id} at {device.url}: "
                                                    f"{str(exc) or type(exc).__name__}"))

    def _tick(self) -> None:
        ensureDeferred(self._due_keepalives()).addErrback(
            lambda failure: log.failure("keep-alive round failed", failure))

    async def _due_keepalives(self) -> None:
        now = self._clock.seconds()
        for host in await self.registry.hosts():
            host_id = host["host_id"]
            due = self._last_sent.get(host_id, float("-inf")) + keepalive_interval(host.get("failsafe_timeout"))
            if host_id in self._in_flight or now < due:
                continue
            self._in_flight.add(host_id)
            sending = self.keepalive(host_id)
            sending.addCallback(self._log_refusals, host_id)
            # host_id goes in as a callback argument, not a lambda default (which mypy cannot type).
            sending.addErrback(lambda failure, h: log.failure("keep-alive to {host} failed", failure, host=h), host_id)
            sending.addBoth(lambda _, h: self._in_flight.discard(h), host_id)

    @staticmethod
    def _log_refusals(results: dict[str, CommandResult], host_id: str) -> None:
        for relay_id, result in results.items():
            if not result.accepted:
                log.warn("Keep-alive to {host}: {relay} not in its desired state: {error}", host=host_id,
                         relay=relay_id, error=result.body.get("error"))


def _confirmed(result: CommandResult | None) -> bool:
    """Whether a daemon acknowledged a relay's desired state (an off is never refused by its rules)."""
    return result is not None and result.accepted


def _error(message: str, **extra: Any) -> dict[str, Any]:
    return {"status": "error", "error": message, **extra}


def _verdict(relay_id: str, answer: JsonResponse) -> CommandResult:
    """Pass on a refusal by the daemon's safety rules; anything else is the daemon's fault (502)."""
    body = answer.body if isinstance(answer.body, dict) else {}
    if answer.code == 409:
        return CommandResult(relay_id, 409, _error(answer.error, refusal=body.get("refusal"),
                                                   retry_after=body.get("retry_after")))
    if answer.code == 403:
        return CommandResult(relay_id, 502, _error(
            f"the control daemon refused the engine's signature ({answer.error}); "
            "its secret differs from the engine's: delete the device and let it register again"))
    return CommandResult(relay_id, 502, _error(f"the control daemon answered {answer.code}: {answer.error}"))
