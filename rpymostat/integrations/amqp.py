"""Publishing to an AMQP 0-9-1 broker (RabbitMQ) with pika's Twisted adapter and publisher confirms.

One connection and one channel in confirm mode, opened when the first
batch is to be sent and opened again after any failure: a batch counts as
delivered only when the broker confirmed (``Basic.Ack``) every message of
it, so the outbox keeps it until then. Messages are persistent (delivery
mode 2) and go to a durable topic exchange, which this module declares, so
a broker restart loses nothing that was confirmed, provided the queues
bound to it are durable too. pika is imported only when AMQP is
configured: the engine runs without it otherwise.
"""

from __future__ import annotations

import json
from typing import Any

from twisted.internet.defer import FirstError, gatherResults
from twisted.logger import Logger

from rpymostat.integrations.messages import Message
from rpymostat.integrations.outbox import Rejected
from rpymostat.integrations.targets import AmqpTarget

__all__ = ["AmqpPublisher"]

log = Logger()

CONNECT_TIMEOUT = 10.0
CLOSE_TIMEOUT = 5.0
HEARTBEAT = 30


class AmqpPublisher:
    """Sends batches of :class:`Message` payloads to ``exchange``, waiting for the broker's confirms."""

    def __init__(self, reactor: Any, target: AmqpTarget, exchange: str) -> None:
        self.reactor = reactor
        self.target = target
        self.exchange = exchange
        self._connection: Any = None
        self._channel: Any = None

    async def __call__(self, payloads: list[str]) -> None:
        from pika import BasicProperties

        try:
            messages = [Message.loads(payload) for payload in payloads]
        except (ValueError, TypeError) as exc:
            raise Rejected(f"an outbox entry is not a message ({exc}); was the outbox file damaged?") from None
        channel = await self._open_channel()
        confirms = [
            channel.basic_publish(
                self.exchange, message.routing_key, _body(message),
                BasicProperties(content_type="application/json", delivery_mode=2, message_id=message.message_id,
                                type=message.kind, app_id="rpymostat"))
            for message in messages
        ]
        try:
            await gatherResults(confirms, consumeErrors=True)
        except FirstError as error:
            await self.close()
            raise error.subFailure.value from None
        except BaseException:
            await self.close()
            raise

    async def _open_channel(self) -> Any:
        if self._channel is not None and self._channel.is_open and self._connection.is_open:
            return self._channel
        await self.close()
        from pika import ConnectionParameters, PlainCredentials
        from pika.adapters.twisted_connection import TwistedProtocolConnection
        from twisted.internet.protocol import ClientCreator

        target = self.target
        parameters = ConnectionParameters(virtual_host=target.virtual_host, heartbeat=HEARTBEAT,
                                          credentials=PlainCredentials(target.username, target.password))
        creator = ClientCreator(self.reactor, TwistedProtocolConnection, parameters, custom_reactor=self.reactor)
        if target.tls:
            from twisted.internet.ssl import optionsForClientTLS

            connecting = creator.connectSSL(target.host, target.port, optionsForClientTLS(target.host),
                                            timeout=CONNECT_TIMEOUT)
        else:
            connecting = creator.connectTCP(target.host, target.port, timeout=CONNECT_TIMEOUT)
        connection = await connecting
        self._connection = connection
        try:
            await connection.ready
            channel = await connection.channel()
            await channel.exchange_declare(exchange=self.exchange, exchange_type="topic", durable=True)
            await channel.confirm_delivery()
        except BaseException:
            await self.close()
            raise
        self._channel = channel
        log.info("AMQP export: connected to {host}:{port}, publishing to exchange {exchange}",
                 host=target.host, port=target.port, exchange=self.exchange)
        return channel

    async def close(self) -> None:
        """Drop the connection (the next batch opens a new one)."""
        connection, self._connection, self._channel = self._connection, None, None
        if connection is None:
            return
        if connection.is_open:
            closed = connection.close()
            if closed is not None:
                closed.addTimeout(CLOSE_TIMEOUT, self.reactor)
                try:
                    await closed
                    return
                except Exception:
                    pass  # a broker that does not answer the close: cut the connection below
        if connection.transport is not None and connection.connected:
            connection.transport.abortConnection()


def _body(message: Message) -> bytes:
    return json.dumps(message.body, separators=(",", ":")).encode("utf-8")
