"""Turning an instruction, a temperature and the equipment's state into what to run.

Everything here is pure: the engine reads the clock, the readings and the
relays once per tick and passes them in as plain data.

- :mod:`~rpymostat.decisions.weighting` — which temperature counts;
- :mod:`~rpymostat.decisions.trend` — where it is heading (smoothed value and rate);
- :mod:`~rpymostat.decisions.equipment` — relay state with its switching history;
- :mod:`~rpymostat.decisions.model` — the context a plugin sees and the decision it returns;
- :mod:`~rpymostat.decisions.plugin` — the plugin interface (entry-point group ``rpymostat.decisions``);
- :mod:`~rpymostat.decisions.hysteresis`, :mod:`~rpymostat.decisions.bangbang` — the shipped plugins;
- :mod:`~rpymostat.decisions.safety` — the rules no plugin can override.
"""
