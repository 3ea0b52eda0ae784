"""The courier sends payloads in order and in batches, keeps them on disk while the server is away, backs off."""

from __future__ import annotations

from pathlib import Path

from twisted.internet.defer import Deferred
from twisted.internet.task import Clock

from rpymostat.integrations.outbox import Courier, Outbox, Rejected
from tests.unit.sensor.deferreds import result_of, run_now


class Server:
    """A server double: takes batches, or fails, refuses or never answers, as the test says."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.mode = "up"
        self.attempts = 0
        self.hanging: list[Deferred[None]] = []

    async def __call__(self, batch: list[str]) -> None:
        self.attempts += 1
        if self.mode == "down":
            raise ConnectionRefusedError("connection refused")
        if self.mode == "refuses":
            raise Rejected("unable to parse")
        if self.mode == "hangs":
            waiting: Deferred[None] = Deferred()
            self.hanging.append(waiting)
            await waiting
        self.batches.append(list(batch))

    @property
    def received(self) -> list[str]:
        return [payload for batch in self.batches for payload in batch]


def make(tmp_path: Path, server: Server, clock: Clock, max_entries: int = 1000, memory_limit: int = 50_000,
         batch_size: int = 3, name: str = "outbox.sqlite") -> Courier:
    outbox = result_of(Outbox.open(tmp_path / name, max_entries, run_now))
    return Courier("Test", outbox, server, clock, batch_size=batch_size, interval=10.0, retry_max=60.0,
                   timeout=5.0, memory_limit=memory_limit)


def payloads(start: int, stop: int) -> list[str]:
    return [f"p{number}" for number in range(start, stop)]


def test_payloads_go_out_in_order_in_batches_at_each_interval(tmp_path):
    clock, server = Clock(), Server()
    courier = make(tmp_path, server, clock)
    courier.start()
    courier.offer(payloads(0, 2))
    assert server.batches == []  # less than a batch waits for the interval
    clock.advance(10)
    assert server.batches == [["p0", "p1"]]
    courier.offer(payloads(2, 9))
    clock.advance(0)  # a full batch is sent at once, without waiting for the interval
    assert server.received == payloads(0, 9)
    assert [len(batch) for batch in server.batches] == [2, 3, 3, 1]
    assert courier.stats()["delivered"] == 9 and courier.stats()["waiting"] == 0


def test_while_the_server_is_down_nothing_is_lost_and_attempts_back_off(tmp_path):
    clock, server = Clock(), Server()
    courier = make(tmp_path, server, clock)
    server.mode = "down"
    courier.start()
    courier.offer(payloads(0, 5))
    clock.advance(10)
    attempts = [server.attempts]
    for _ in range(12):
        courier.offer(payloads(100 + _, 101 + _))
        clock.advance(10)
        attempts.append(server.attempts)
    # waits of 10, 20, 40, then at most 60 s between attempts: ticks 1, 3 and 7 of the next twelve try again
    ticks_with_an_attempt = [index for index in range(1, len(attempts)) if attempts[index] != attempts[index - 1]]
    assert ticks_with_an_attempt == [1, 3, 7]
    stats = courier.stats()
    assert stats["backing_off"] and stats["last_error"] == "connection refused"
    assert stats["waiting"] == 17 and stats["dropped"] == 0
    server.mode = "up"
    clock.advance(60)
    assert server.received == payloads(0, 5) + [f"p{100 + n}" for n in range(12)]
    assert courier.stats()["waiting"] == 0 and not courier.stats()["backing_off"]


def test_a_server_that_never_answers_times_out_and_the_batch_is_sent_again(tmp_path):
    clock, server = Clock(), Server()
    courier = make(tmp_path, server, clock)
    server.mode = "hangs"
    courier.start()
    courier.offer(payloads(0, 2))
    clock.advance(10)
    assert server.attempts == 1
    clock.advance(5)  # the attempt's timeout
    assert courier.stats()["last_error"] == "no answer within 5 s" and courier.stats()["waiting"] == 2
    server.mode = "up"
    clock.advance(20)
    assert server.received == ["p0", "p1"]


def test_a_batch_the_server_refuses_for_good_is_dropped_and_counted_and_the_rest_goes_on(tmp_path):
    clock, server = Clock(), Server()
    courier = make(tmp_path, server, clock)
    courier.start()
    server.mode = "refuses"
    courier.offer(payloads(0, 3))
    clock.advance(0)
    server.mode = "up"
    courier.offer(payloads(3, 5))
    clock.advance(10)
    assert server.received == ["p3", "p4"]
    assert courier.stats()["rejected"] == 3 and courier.stats()["delivered"] == 2


def test_beyond_the_outbox_bound_the_oldest_are_dropped_and_counted(tmp_path):
    clock, server = Clock(), Server()
    courier = make(tmp_path, server, clock, max_entries=4, batch_size=100)
    server.mode = "down"
    courier.start()
    courier.offer(payloads(0, 6))
    clock.advance(10)
    server.mode = "up"
    clock.advance(20)
    assert server.received == payloads(2, 6)
    assert courier.stats()["dropped"] == 2


def test_beyond_the_memory_bound_offers_are_dropped_and_counted_without_waiting(tmp_path):
    clock, server = Clock(), Server()
    courier = make(tmp_path, server, clock, memory_limit=5, batch_size=100)
    courier.start()
    courier.offer(payloads(0, 4))
    courier.offer(payloads(4, 8))
    assert courier.stats()["dropped"] == 3
    clock.advance(10)
    assert server.received == payloads(0, 5)


def test_what_waits_at_stop_is_delivered_after_a_restart(tmp_path):
    clock, server = Clock(), Server()
    courier = make(tmp_path, server, clock)
    server.mode = "down"
    courier.start()
    courier.offer(payloads(0, 2))
    clock.advance(10)
    courier.offer(payloads(2, 4))  # still in memory when the engine stops
    result_of(Deferred.fromCoroutine(courier.stop()))
    server.mode = "up"
    again = make(tmp_path, server, clock)
    again.start()
    assert server.received == payloads(0, 4)
    assert again.stats()["waiting"] == 0


def test_stopping_during_a_hanging_attempt_keeps_the_batch(tmp_path):
    clock, server = Clock(), Server()
    courier = make(tmp_path, server, clock)
    server.mode = "hangs"
    courier.start()
    courier.offer(payloads(0, 3))
    clock.advance(0)
    stopped = Deferred.fromCoroutine(courier.stop())
    result_of(stopped)  # the attempt is cancelled, not waited for
    server.mode = "up"
    make(tmp_path, server, clock).start()
    assert server.received == payloads(0, 3)
