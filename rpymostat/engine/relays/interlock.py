"""The engine's own relay safety rules, for what no single control daemon can see.

A daemon's interlock and minimum off times protect only its own relays, and
only the ones whose *name* gives them a function (``heat=17``). So the
engine:

- gives ``heat`` or ``cool`` only to a relay whose daemon applies that
  function's rules (its ``daemon_function``), so the decision loop never
  drives a furnace or a compressor the daemon does not protect;
- keeps heating and cooling apart across daemons: a ``heat`` or ``aux``
  relay may not be switched on while any ``cool`` relay is on or wanted on,
  and the other way round (the rule name ``interlock`` is the one the
  daemons answer with; which functions heat and which cool is the wire
  vocabulary's, :mod:`rpymostat.common.vocabulary`, as on the daemons). A
  relay whose daemon has been silent for longer than its failsafe time is
  off, whatever it last reported (:mod:`.liveness`).

``fan``, ``aux`` and no function may go to any relay: the daemon's rules are
then at least as strict as the engine needs.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rpymostat.common.vocabulary import opposing

INTERLOCK = "interlock"

#: Functions given only to a relay whose daemon applies that function's own rules.
DAEMON_PROTECTED = frozenset({"heat", "cool"})


def assignment_refusal(relay: dict[str, Any], function: str | None) -> str | None:
    """Why ``relay`` may not be given ``function`` (None: it may).

    ``heat`` and ``cool`` need the daemon's own interlock and minimum off
    time, which it applies by the relay's name.
    """
    if function not in DAEMON_PROTECTED or relay.get("daemon_function") == function:
        return None
    pin = f"{relay['pin']}{'' if relay['active_high'] else '!'}"
    return (f"relay {relay['id']} cannot be given the function {function}: its control daemon does not report it "
            f"as {function}, so the daemon's own interlock and minimum off time do not cover it; declare it as "
            f"{function}={pin} in RPYMOSTAT_CONTROL_RELAYS on {relay['host_id']} and restart that daemon (it then "
            f"appears as {relay['host_id']}:{function}, with that function)")


def running(relay: dict[str, Any]) -> str | None:
    """``"on"`` or ``"wanted on"`` when the relay runs or the engine wants it to; None otherwise.

    A relay reported on whose silent daemon's failsafe has turned it off
    (``failsafe_off``, see :mod:`.liveness`) does not run.
    """
    if relay.get("on") and not relay.get("failsafe_off"):
        return "on"
    if relay.get("desired") is True:
        return "wanted on"
    return None


def interlock_refusal(relay: dict[str, Any], others: Iterable[dict[str, Any]]) -> str | None:
    """Why ``relay`` may not be switched on now (None: it may), whichever daemon each relay is on."""
    opposite = opposing(relay.get("function"))
    for other in others:
        state = running(other)
        if other["id"] != relay["id"] and other.get("function") in opposite and state is not None:
            return (f"{relay['id']} ({relay['function']}) cannot run while {other['id']} ({other['function']}) is "
                    f"{state}; turn {other['id']} off first")
    return None
