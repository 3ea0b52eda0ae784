"""The relay declaration the guard tests share, and the IDs it gives."""

from __future__ import annotations

HOST = "boiler-pi"
HOUSE = "heat=17,cool=27,fan=22!,aux=5"
HEAT, COOL, FAN, AUX = (f"{HOST}:{name}" for name in ("heat", "cool", "fan", "aux"))
