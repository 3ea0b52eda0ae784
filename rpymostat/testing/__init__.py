"""Test doubles that ship with RPyMostat, for its own tests, its benchmarks and anyone writing a daemon.

- :mod:`rpymostat.testing.w1`: a fake 1-wire sysfs tree (DS18B20 and
  friends) to point a sensor daemon's ``RPYMOSTAT_SENSOR_W1_PATH`` at;
- :mod:`rpymostat.testing.pins`: gpiozero's mock pins, set up and read the
  way relay tests need (needs the ``control`` extra);
- :mod:`rpymostat.testing.engine`: a small fake engine that checks device
  signatures and records registrations, readings and relay reports;
- :mod:`rpymostat.testing.processes`: the real console scripts as child
  processes, with deadlines, for end-to-end tests.

Nothing here is imported by the engine or the daemons themselves.
"""
