"""A sensor that dies mid-warm-up: the engine stops the furnace and says why; the naive thermostat does not."""

from __future__ import annotations

from rpymostat.sim.closed_loop import ENGINE_DECISION_INTERVAL, SENSOR_INTERVAL, STALE_AFTER, bang_bang_baseline
from tests.unit.sim.week_builders import HOUR, at, winter_loop

DIES_AT = at(0, 7.0)  # half an hour into the morning warm-up: the furnace is running
NOTICED_WITHIN = STALE_AFTER + SENSOR_INTERVAL + ENGINE_DECISION_INTERVAL  # its last report may predate the death


def test_a_dead_sensor_stops_the_furnace_within_the_staleness_time_and_raises_an_alert() -> None:
    loop = winter_loop()
    loop.run_for(DIES_AT - loop.clock.seconds())
    assert loop.house.equipment["heat"], "the furnace should be warming the house when the sensor dies"
    loop.silence("living")
    loop.run_for(6 * HOUR)
    loop.stop()
    recording = loop.recording

    stopped = [s.at for s in recording.switches if s.function == "heat" and not s.on and s.at >= DIES_AT]
    assert stopped and stopped[0] - DIES_AT <= NOTICED_WITHIN
    assert not any(s.function == "heat" and s.on for s in recording.switches if s.at > DIES_AT), \
        "nothing may restart the furnace without a temperature"
    assert "no_temperature" in recording.alerts_at(stopped[0])
    assert "no_temperature" in recording.alerts_at(loop.clock.seconds())
    assert "no_temperature" not in recording.alerts_at(DIES_AT)
    assert loop.house.state.air < recording.samples[-1].instruction.heat_setpoint - 1.0, \
        "with the furnace off the house cools: the alert is the user's cue"


def test_the_naive_baseline_heats_on_the_last_value_forever() -> None:
    loop = winter_loop(controller=bang_bang_baseline())
    loop.run_for(DIES_AT - loop.clock.seconds())
    loop.silence("living")
    loop.run_for(6 * HOUR)
    loop.stop()
    assert loop.house.equipment["heat"]
    assert loop.house.state.air > 25.0, "this is the failure the engine's safety layer exists to prevent"
    assert not any(change.codes for change in loop.recording.alerts)
