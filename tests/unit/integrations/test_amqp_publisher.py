"""A damaged outbox entry is dropped for good instead of blocking every message behind it."""

from __future__ import annotations

import pytest
import pytest_twisted
from twisted.internet.task import Clock

from rpymostat.integrations.amqp import AmqpPublisher
from rpymostat.integrations.outbox import Rejected
from rpymostat.integrations.targets import amqp_target


@pytest_twisted.ensureDeferred
async def test_an_entry_that_is_not_a_message_is_rejected_before_any_connection():
    publisher = AmqpPublisher(Clock(), amqp_target("amqp://127.0.0.1:1/"), "rpymostat")
    with pytest.raises(Rejected, match="not a message"):
        await publisher(['{"routing_key": "rpymostat.h.reading"'])
