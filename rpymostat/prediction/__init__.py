"""What the engine learns of the house, and what it predicts from that.

- :mod:`~rpymostat.prediction.least_squares` — least squares that forgets
  slowly, so the model follows the seasons;
- :mod:`~rpymostat.prediction.thermal_model` — the learned model: how the
  temperature moves with the equipment on and off, as a function of the
  indoor–outdoor difference, and the figures a homeowner reads from it;
- :mod:`~rpymostat.prediction.buckets` — turns the decision loop's turns
  into five-minute averages the model learns from;
- :mod:`~rpymostat.prediction.learner` — one model per set of counted
  sensors, fed as data arrives, saved and restored as plain JSON;
- :mod:`~rpymostat.prediction.recovery` — when to start so that the house
  is at the next target at the scheduled minute.

Everything here is pure (no clock, no I/O): the engine's decision loop, the
closed-loop simulator and the benchmark feed the same code.
"""
