"""Engine events become AMQP messages with routing keys rpymostat.<host>.<kind> and stable IDs."""

from __future__ import annotations

from rpymostat.integrations.messages import Message, event_messages

AT = "2026-09-21T14:13:20.000Z"


def test_each_reading_is_a_message_routed_by_its_host_with_an_id_from_what_and_when():
    data = {"host_id": "room.1", "readings": [{"sensor_id": "s1", "value": 20.5, "at": "2026-09-21T14:13:19.500Z"}]}
    [message] = event_messages("readings", data, AT)
    assert message.routing_key == "rpymostat.room_1.reading"
    assert message.message_id == "reading/room.1/s1/2026-09-21T14:13:19.500Z"
    assert message.body == {"host_id": "room.1", "sensor_id": "s1", "value": 20.5, "at": "2026-09-21T14:13:19.500Z"}
    assert event_messages("readings", data, "later") == [message]  # a resent reading keeps its ID


def test_host_information_decisions_and_relay_switches_have_their_own_kinds():
    host = event_messages("device_info", {"host_id": "h1", "kind": "sensor", "info": {"uptime_seconds": 5}}, AT)
    decision = event_messages("decision", {"decision": {"at": AT, "desired": "idle"}, "equipment_changed": False}, AT)
    relay = event_messages("relay_events", {"host_id": "h2", "events": [
        {"relay_id": "h2:heat", "kind": "change", "on": True, "at": AT, "reason": "r", "function": "heat"}]}, AT)
    assert [m.routing_key for m in host + decision + relay] == [
        "rpymostat.h1.host", "rpymostat.engine.decision", "rpymostat.h2.relay"]
    assert host[0].body["info"] == {"uptime_seconds": 5} and decision[0].body["desired"] == "idle"
    assert event_messages("alerts", {"alerts": []}, AT) == []


def test_a_message_survives_the_outbox_unchanged():
    [message] = event_messages("decision", {"decision": {"at": AT, "desired": "heat"}}, AT)
    assert Message.loads(message.dumps()) == message
