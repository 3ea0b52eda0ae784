"""Reading what Home Assistant shows from the running engine.

The decision loop's latest decision gives the temperature that counts, what
the equipment runs and the alerts (no query); the timeline gives the
instruction in force (so an adjustment shows at once, before the next
decision); the store gives the sensors and the relays' last reports.
Hidden and CPU sensors are left out: Home Assistant gets the rooms and the
outdoor sensor.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from rpymostat.integrations.ha_commands import available_presets
from rpymostat.integrations.ha_discovery import HomeSnapshot, RelayState, SensorState
from rpymostat.scheduling.instruction import Instruction
from rpymostat.store.records import SensorRecord


def sensor_state(sensor: SensorRecord) -> SensorState:
    default = "Outdoor temperature" if sensor.outdoor else sensor.sensor_id
    return SensorState(sensor.sensor_id, sensor.name or sensor.alias or default, sensor.last_value, sensor.outdoor)


def relay_state(relay: Mapping[str, Any]) -> RelayState:
    function = relay.get("function")
    default = f"{function.capitalize()} relay" if function else f"Relay {relay['id']}"
    return RelayState(str(relay["id"]), relay.get("name") or default, function, bool(relay.get("on")))


def build_snapshot(instruction: Instruction, decision: Mapping[str, Any] | None, sensors: list[SensorRecord],
                   relays: Sequence[Mapping[str, Any]]) -> HomeSnapshot:
    """The snapshot from the instruction in force, the latest decision (None before the first) and the devices."""
    temperature = (decision or {}).get("temperature")
    equipment = (decision or {}).get("equipment") or {}
    return HomeSnapshot(
        mode=instruction.mode,
        heat_setpoint=instruction.heat_setpoint,
        cool_setpoint=instruction.cool_setpoint,
        temperature=None if temperature is None else float(temperature["value"]),
        running=frozenset(function for function, state in equipment.items() if state.get("on")),
        alerts=tuple(alert["message"] for alert in (decision or {}).get("alerts", [])),
        sensors=tuple(sensor_state(s) for s in sensors if not s.hidden and s.sensor_type.lower() != "cpu"),
        relays=tuple(relay_state(relay) for relay in relays),
        presets=tuple(available_presets()),
    )


def snapshot_reader(
    instruction: Callable[[], Instruction],
    decision: Callable[[], Mapping[str, Any] | None],
    sensors: Callable[[], Awaitable[list[SensorRecord]]],
    relays: Callable[[], Awaitable[list[dict[str, Any]]]],
) -> Callable[[], Awaitable[HomeSnapshot]]:
    """A function reading a fresh snapshot each time it is called."""
    async def read() -> HomeSnapshot:
        return build_snapshot(instruction(), decision(), await sensors(), await relays())

    return read
