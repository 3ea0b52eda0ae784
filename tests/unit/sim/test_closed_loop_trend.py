"""The closed loop hands the controller the recent reports, as the engine's loop reads them from the store."""

from __future__ import annotations

from rpymostat.decisions.trend import TREND_WINDOW
from rpymostat.sim.closed_loop import SENSOR_INTERVAL, TurnInput, TurnOutput, engine_controller
from rpymostat.sim.house import SensorModel
from tests.unit.sim.week_builders import DAY, HOUR, SENSOR, winter_loop


def test_each_turn_sees_the_reports_of_the_trend_window_and_no_older() -> None:
    seen: list[TurnInput] = []
    engine = engine_controller()

    def recording(given: TurnInput) -> TurnOutput:
        seen.append(given)
        return engine(given)

    loop = winter_loop(controller=recording)
    loop.run_for(HOUR)
    loop.stop()
    last = seen[-1]
    history = last.history[SENSOR]
    assert history[-1] == last.readings[SENSOR]
    # The engine asks the store for reports strictly after now − the window: one exactly that old is out.
    assert all(last.now - report.at < TREND_WINDOW for report in history)
    assert len(history) == int(TREND_WINDOW / SENSOR_INTERVAL)


def test_a_noisy_sensor_hardly_makes_the_engine_cycle_more_than_a_quiet_one() -> None:
    def starts(sensor: SensorModel) -> int:
        loop = winter_loop(sensor=sensor)
        recording = loop.run_for(DAY)
        loop.stop()
        return recording.starts("heat")

    # Deciding on the last report alone, σ 0.25 °C makes it start 70 % more often.
    assert starts(SensorModel(noise=0.25)) <= starts(SensorModel()) * 1.25
