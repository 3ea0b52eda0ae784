"""Days of a simulated house as the engine would have seen them, for a model that starts with a past.

The demo's engine has never watched its house, so its first mornings would
be late like any new thermostat's, and nobody watching a demo waits days for
smart recovery. :func:`watch_house` runs the house for a few simulated days
under a plain thermostat (a band around the given targets, five-minute
minimum runs and rests), a report a minute, and hands every report — the
weighted temperature of the counted sensors, the outdoor temperature and
the equipment's switch times — to a learner, exactly what the engine's
decision loop hands it. Tests use it to learn houses the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from twisted.internet.task import Clock

from rpymostat.decisions.equipment import EquipmentState, Function, switch
from rpymostat.prediction.learner import HouseLearner
from rpymostat.sim.house import SimulatedHouse

REPORT_INTERVAL = 60.0
BAND = 0.3
MINIMUM_TIME = 300.0

Targets = Callable[[float], tuple[float | None, float | None]]


def watch_house(house: SimulatedHouse, clock: Clock, seconds: float, weights: Mapping[str, float],
                targets: Targets, learner: HouseLearner | None = None) -> HouseLearner:
    """Run ``house`` (on ``clock``) for ``seconds``, learning as the engine would.

    ``targets(now)`` gives the (heat, cool) setpoints in force, either
    ``None``; ``weights`` the counted sensors. Returns the learner.
    """
    learner = learner if learner is not None else HouseLearner()
    equipment = EquipmentState.all_off_since(clock.seconds())
    total = sum(weights.values())
    end = clock.seconds() + seconds
    while clock.seconds() < end:
        clock.advance(REPORT_INTERVAL)
        now = clock.seconds()
        value = sum(w * house.sensor_value(sensor) for sensor, w in weights.items()) / total
        learner.observe(now, value, house.outdoor_temperature(), equipment)
        equipment = _thermostat(equipment, value, targets(now), now)
        house.set_equipment(heat=equipment.heat.on, cool=equipment.cool.on)
    return learner


def _thermostat(equipment: EquipmentState, value: float, targets: tuple[float | None, float | None],
                now: float) -> EquipmentState:
    heat_sp, cool_sp = targets
    plan: tuple[tuple[Function, float | None, float], ...] = (("heat", heat_sp, 1.0), ("cool", cool_sp, -1.0))
    for function, setpoint, sign in plan:
        state = equipment.of(function)
        if state.on and (setpoint is None or sign * (value - setpoint) >= BAND) \
                and now - (state.last_on or 0.0) >= MINIMUM_TIME:
            equipment = switch(equipment, function, False, now)
        elif not state.on and setpoint is not None and sign * (setpoint - value) >= BAND \
                and now - (state.last_off or 0.0) >= MINIMUM_TIME and not equipment.running:
            equipment = switch(equipment, function, True, now)
    return equipment
