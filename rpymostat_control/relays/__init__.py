"""Relay backends behind one small interface.

:mod:`.gpio` drives real relays through gpiozero (an optional extra);
:mod:`.sim` drives the house simulator. This package itself imports
neither, so the simulated backend works without gpiozero installed.
"""

from __future__ import annotations

from rpymostat_control.relays.base import Relay, RelayIdError, make_relay_id

__all__ = ["Relay", "RelayIdError", "make_relay_id"]
