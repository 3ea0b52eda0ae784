"""A broker connection the test drives by hand: it accepts, refuses, acknowledges and drops when told."""

from __future__ import annotations

from dataclasses import dataclass, field

from twisted.internet.defer import Deferred, succeed

from rpymostat.integrations.mqtt_link import Session, SessionHandlers


@dataclass
class FakeSession:
    handlers: SessionHandlers
    published: list[tuple[str, str, bool]] = field(default_factory=list)
    subscriptions: list[str] = field(default_factory=list)
    unacked: int = 0
    closed: bool = False

    def publish(self, topic: str, payload: str, retain: bool) -> bool:
        if self.closed:
            return False
        self.published.append((topic, payload, retain))
        self.unacked += 1
        return True

    def subscribe(self, topic_filter: str) -> None:
        self.subscriptions.append(topic_filter)

    def close(self) -> Deferred[None]:
        self.closed = True
        return succeed(None)

    def ack_all(self) -> None:
        """The broker acknowledges everything sent, including what the acknowledgements let through."""
        while self.unacked:
            self.unacked -= 1
            self.handlers.published()

    def lose(self, reason: str = "broker went away") -> None:
        self.closed = True
        self.handlers.lost(reason)

    def command(self, topic: str, payload: bytes) -> None:
        self.handlers.message(topic, payload)

    def last(self) -> dict[str, str]:
        """Each topic's last payload sent on this session."""
        return {topic: payload for topic, payload, _ in self.published}


@dataclass
class FakeConnector:
    pending: list[tuple[Deferred[Session], SessionHandlers]] = field(default_factory=list)
    will: tuple[str, str] | None = None
    attempts: int = 0

    def connect(self, will_topic: str, will_payload: str, handlers: SessionHandlers) -> Deferred[Session]:
        self.attempts += 1
        self.will = (will_topic, will_payload)
        attempt: Deferred[Session] = Deferred()
        self.pending.append((attempt, handlers))
        return attempt

    def accept(self) -> FakeSession:
        attempt, handlers = self.pending.pop(0)
        session = FakeSession(handlers)
        attempt.callback(session)
        return session

    def refuse(self, message: str = "Connection refused") -> None:
        attempt, _ = self.pending.pop(0)
        attempt.errback(ConnectionRefusedError(message))
