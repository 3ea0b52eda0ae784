"""The frost floor in the closed loop: switched off in a bitter week, the house still never freezes."""

from __future__ import annotations

from rpymostat.decisions.safety import SafetyLimits
from rpymostat.scheduling.instruction import Instruction
from rpymostat.sim.house import HouseState
from rpymostat.sim.outdoor import DailySinusoid
from tests.unit.sim.week_builders import DAY, winter_loop

LIMITS = SafetyLimits()


def test_the_frost_floor_holds_in_mode_off() -> None:
    loop = winter_loop(schedules={}, default=Instruction("off"), outdoor=DailySinusoid(mean=-15.0, amplitude=5.0),
                       initial=HouseState(9.0, 9.0))
    loop.run_for(5 * DAY)
    loop.stop()
    recording = loop.recording
    assert LIMITS.frost_floor is not None
    floor = LIMITS.frost_floor

    first_frost = next(s for s in recording.samples if s.heat)
    assert first_frost.air < floor + 0.5, "off means off until the floor is reached"
    first_frost_at = first_frost.at
    after = [s for s in recording.samples if s.at >= first_frost_at]
    assert min(s.air for s in after) > floor - 0.5, "the house never drops far below the floor"
    assert max(s.air for s in after) < floor + LIMITS.frost_margin + 1.0, "frost protection is not comfort heating"
    assert len(recording.runs("heat")) > 10, "it keeps protecting the house, day after day"
    assert min(r.length for r in recording.rests("heat")) >= LIMITS.min_off["heat"]
    assert any("frost" in change.codes for change in recording.alerts)
