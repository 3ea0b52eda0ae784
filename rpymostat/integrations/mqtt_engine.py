"""Building the Home Assistant bridge from the engine's configuration and running parts."""

from __future__ import annotations

from typing import Any

from twisted.internet.interfaces import IReactorTime

from rpymostat.config import EngineConfig
from rpymostat.engine.context import EngineContext
from rpymostat.engine.loop.decision_loop import DecisionLoop
from rpymostat.engine.relays.commander import RelayCommander
from rpymostat.engine.schedules.book import RuleBook
from rpymostat.engine.schedules.cache import TimelineCache
from rpymostat.integrations.ha_commands import write_adjustment
from rpymostat.integrations.ha_discovery import Topics
from rpymostat.integrations.ha_snapshot import snapshot_reader
from rpymostat.integrations.mqtt_bridge import MqttBridge
from rpymostat.integrations.mqtt_config import broker_address
from rpymostat.integrations.mqtt_link import PahoConnector
from rpymostat.scheduling.instruction import Instruction


def mqtt_bridge(config: EngineConfig, reactor: Any, clock: IReactorTime, context: EngineContext,
                timeline: TimelineCache, relays: RelayCommander, decision_loop: DecisionLoop,
                book: RuleBook) -> MqttBridge | None:
    """The bridge (its counters shown by ``GET /v1/status``), or None while ``RPYMOSTAT_MQTT_URL`` is unset.

    Only here is paho-mqtt needed: a missing extra stops the start with a
    message saying what to install.
    """
    if config.mqtt_url is None:
        return None
    try:
        import paho.mqtt.client  # noqa: F401
    except ImportError:
        raise RuntimeError("RPYMOSTAT_MQTT_URL is set but paho-mqtt is not installed: "
                           "pip install 'rpymostat[mqtt]'") from None
    address = broker_address(config.mqtt_url, config.mqtt_username, config.mqtt_password)
    connector = PahoConnector(reactor, address, f"rpymostat-{config.mqtt_node_id}", config.mqtt_ca_file or None)

    def current() -> Instruction:
        return timeline.current_instruction(clock.seconds())

    read = snapshot_reader(current, lambda: decision_loop.latest, context.store.list_sensors, relays.known_relays)
    bridge = MqttBridge(connector, Topics(config.mqtt_discovery_prefix, config.mqtt_node_id), read, current,
                        lambda body: write_adjustment(book, body, current()), context.events, clock, timeline.limits,
                        config.mqtt_command_role)
    context.integrations["mqtt"] = bridge.status
    return bridge
