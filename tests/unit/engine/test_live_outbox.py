"""The live feed's per-client outbox: order kept, memory bounded, by flow control alone."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from rpymostat.engine.live.outbox import Outbox

MAX = 1000

# A run is a sequence of steps: send a payload of some size, or the socket pauses or resumes.
steps = st.lists(
    st.one_of(st.integers(min_value=1, max_value=400).map(lambda size: ("send", size)),
              st.sampled_from([("pause", 0), ("resume", 0)])),
    max_size=60,
)


def run(plan):
    written: list[bytes] = []
    overflowed: list[bool] = []
    box = Outbox(written.append, MAX, lambda: overflowed.append(True))
    sent: list[bytes] = []
    most_queued = 0
    for number, (action, size) in enumerate(plan):
        if action == "send":
            payload = number.to_bytes(2, "big") * (size // 2 + 1)
            sent.append(payload)
            box.send(payload)
        elif action == "pause":
            box.pauseProducing()
        else:
            box.resumeProducing()
        most_queued = max(most_queued, box.queued_bytes)
    return box, written, sent, overflowed, most_queued


@given(steps)
def test_what_is_written_is_what_was_sent_in_order_and_the_queue_stays_bounded(plan):
    box, written, sent, overflowed, most_queued = run(plan)
    assert written == sent[:len(written)]
    assert most_queued <= MAX
    assert len(overflowed) <= 1
    if not overflowed:
        box.resumeProducing()
        assert written == sent


def test_a_paused_socket_queues_until_it_resumes():
    box, written, sent, overflowed, _ = run([("send", 10), ("pause", 0), ("send", 10), ("send", 10)])
    assert written == sent[:1] and box.queued_bytes > 0
    waiter = box.drained()
    assert not waiter.called
    box.resumeProducing()
    assert written == sent and waiter.called and overflowed == []


def test_overflow_drops_the_queue_once_and_ignores_later_sends():
    box, written, sent, overflowed, _ = run([("pause", 0)] + [("send", 300)] * 6 + [("resume", 0), ("send", 5)])
    assert overflowed == [True]
    assert written == [] and box.closed and box.queued_bytes == 0
