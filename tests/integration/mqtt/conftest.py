"""The broker fixtures of ``tests/support/mosquitto.py`` for every MQTT test here."""

from tests.support.mosquitto import brokers, mosquitto, watch

__all__ = ["brokers", "mosquitto", "watch"]
