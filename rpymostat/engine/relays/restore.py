"""The equipment's state when the engine starts, from what the daemons reported and the relays' history.

An engine that started as if everything had just been switched off would
stop a running furnace that is still needed, and then hold it off for its
minimum off time even if it had been off for hours. So each function (heat,
cool, fan) starts as its relays are known to be: on if one of them was
reported on and its daemon's failsafe has not turned it off since
(:mod:`.liveness`), and switched when its history says it last switched
(its last ``change`` or ``failsafe`` event to that state). Where nothing
says when, the start counts as the switch: the cautious assumption, which
holds a compressor off for its minimum off time.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rpymostat.common.vocabulary import SWITCHES
from rpymostat.decisions.equipment import FUNCTIONS, EquipmentState, FunctionState
from rpymostat.engine.relays.commander import RelayCommander
from rpymostat.engine.relays.liveness import DEFAULT_FAILSAFE, failsafe_of, known_off_from
from rpymostat.store.records import LogEntry

#: How far back in a relay's history to look for its last switch (refusals sit in between).
HISTORY_DEPTH = 200


def last_switch(history: Iterable[LogEntry], on: bool) -> float | None:
    """When the relay last switched to ``on`` (history newest first), if the history says.

    That is the oldest of the latest switches to ``on`` in a row: a failsafe
    trip "turns off" a relay that was already off, which is no switch.
    """
    since = None
    for entry in history:
        if entry.data.get("kind") not in SWITCHES:
            continue
        if entry.data.get("on") is not on:
            break
        since = entry.at
    return since


def relay_state(relay: dict[str, Any], history: Iterable[LogEntry], failsafe: float, now: float) -> FunctionState:
    """One relay as it is at ``now``: on or off, and since when."""
    if relay["on"] and relay["failsafe_off"]:
        return FunctionState(on=False, last_off=min(now, known_off_from(relay, failsafe)))
    on = bool(relay["on"])
    since = last_switch(history, on)
    when = now if since is None else min(now, since)  # a daemon's clock ahead of the engine's changes nothing
    return FunctionState(on=True, last_on=when) if on else FunctionState(on=False, last_off=when)


def combined(states: list[FunctionState], now: float) -> FunctionState:
    """A function's state from its relays': on while any runs (since the first); else off since the last stopped."""
    running = [state.last_on for state in states if state.on and state.last_on is not None]
    if running:
        return FunctionState(on=True, last_on=min(running))
    stopped = [state.last_off for state in states if state.last_off is not None]
    return FunctionState(on=False, last_off=max(stopped, default=now))


async def restored_equipment(commander: RelayCommander, now: float) -> EquipmentState:
    """The equipment as the relays (by their assigned function) say it is at ``now``."""
    failsafes = {host["host_id"]: failsafe_of(host) for host in await commander.registry.hosts()}
    states: dict[str, list[FunctionState]] = {function: [] for function in FUNCTIONS}
    for relay in await commander.known_relays():
        function = relay.get("function")
        if function not in states:
            continue
        history = await commander.registry.history(relay["id"], HISTORY_DEPTH)
        states[function].append(relay_state(relay, history, failsafes.get(relay["host_id"], DEFAULT_FAILSAFE), now))
    heat, cool, fan = (combined(states[function], now) for function in FUNCTIONS)
    return EquipmentState(heat=heat, cool=cool, fan=fan)
