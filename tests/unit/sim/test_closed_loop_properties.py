"""Whatever the weather and the sensor, the engine in the loop protects the equipment."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from rpymostat.decisions.safety import SafetyLimits
from rpymostat.scheduling.instruction import Instruction
from rpymostat.sim.house import HouseState, SensorModel
from rpymostat.sim.outdoor import DailySinusoid
from tests.unit.sim.week_builders import HOUR, winter_loop

LIMITS = SafetyLimits()


@settings(max_examples=12, deadline=None)
@given(
    mean=st.floats(min_value=-10.0, max_value=32.0),
    amplitude=st.floats(min_value=0.0, max_value=12.0),
    start=st.floats(min_value=12.0, max_value=28.0),
    noise=st.floats(min_value=0.0, max_value=0.5),
    heat=st.floats(min_value=17.0, max_value=22.0),
    gap=st.floats(min_value=1.0, max_value=4.0),
)
def test_heat_and_cool_never_together_and_never_short_cycled(
    mean: float, amplitude: float, start: float, noise: float, heat: float, gap: float
) -> None:
    auto = Instruction("auto", heat_setpoint=heat, cool_setpoint=heat + gap)
    loop = winter_loop(schedules={}, default=auto, outdoor=DailySinusoid(mean, amplitude),
                       initial=HouseState(start, start), sensor=SensorModel(noise=noise))
    recording = loop.run_for(6 * HOUR)
    loop.stop()
    assert not any(s.heat and s.cool for s in recording.samples)
    for function in ("heat", "cool"):
        assert all(r.length >= LIMITS.min_off[function] for r in recording.rests(function))
        assert all(r.length >= LIMITS.min_on[function] for r in recording.runs(function))
    relays = loop.house.equipment
    assert all(relays[f] == loop.equipment.of(f).on for f in ("heat", "cool", "fan")), "relays follow decisions"
