"""RPyMostat: an open, modular, intelligent home thermostat."""

from rpymostat.version import VERSION as __version__

__all__ = ["__version__"]
