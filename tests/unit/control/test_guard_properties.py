"""Whatever is asked, in whatever order: heating and cooling never overlap, and no relay
turns on within its minimum off time. Checked on the pins themselves."""

from __future__ import annotations

from gpiozero.pins.mock import MockFactory
from hypothesis import given, settings
from hypothesis import strategies as st
from twisted.internet.task import Clock

from rpymostat_control.guard import RelayGuard
from rpymostat_control.relay_config import parse_relays
from rpymostat_control.relays.gpio import open_gpio_relays

DECLARATION = "heat=17,cool=27,fan=22!,aux=5"
MIN_OFF = {"heat": 30.0, "cool": 300.0, "fan": 0.0, "aux": 60.0}
SPECS = parse_relays(DECLARATION)
NAMES = [spec.name for spec in SPECS]

# Waits just short of and at each minimum off time find off-by-a-few-seconds mistakes.
waits = st.one_of(
    st.sampled_from([0.5, 1.0, 29.5, 30.0, 59.5, 60.0, 299.5, 300.0]), st.floats(0, 400)
)
steps = st.lists(
    st.one_of(
        st.tuples(st.just("request"), st.sampled_from(NAMES), st.booleans()),
        st.tuples(st.just("wait"), waits),
        st.tuples(st.just("all_off")),
    ),
    max_size=60,
)


def relay_states(pin_factory: MockFactory) -> dict[str, bool]:
    """What each relay board sees: the pin at its "on" level."""
    return {spec.name: pin_factory.pin(spec.pin).state == spec.active_high for spec in SPECS}


@settings(max_examples=300, deadline=None)
@given(steps)
def test_no_request_sequence_breaks_the_safety_rules(sequence: list[tuple]) -> None:
    pin_factory = MockFactory()
    clock = Clock()
    try:
        relays = open_gpio_relays("p", SPECS, pin_factory)
        functions = {f"p:{spec.name}": spec.suggested_function for spec in SPECS}
        guard = RelayGuard(relays, clock, functions, min_off=MIN_OFF)
        went_off = {name: clock.seconds() for name in NAMES}
        before = relay_states(pin_factory)
        for step in sequence:
            if step[0] == "request":
                guard.request(f"p:{step[1]}", step[2])
            elif step[0] == "wait":
                clock.advance(step[1])
            else:
                guard.all_off("test")
            now = relay_states(pin_factory)
            assert not ((now["heat"] or now["aux"]) and now["cool"])
            for name in NAMES:
                if before[name] and not now[name]:
                    went_off[name] = clock.seconds()
                if now[name] and not before[name]:
                    assert clock.seconds() - went_off[name] >= MIN_OFF[name]
            before = now
        guard.close()
        assert not any(relay_states(pin_factory).values())
    finally:
        pin_factory.reset()


@settings(max_examples=200, deadline=None)
@given(steps, st.sampled_from(NAMES))
def test_turning_off_is_never_refused(sequence: list[tuple], name: str) -> None:
    pin_factory = MockFactory()
    clock = Clock()
    try:
        relays = open_gpio_relays("p", SPECS, pin_factory)
        functions = {f"p:{spec.name}": spec.suggested_function for spec in SPECS}
        guard = RelayGuard(relays, clock, functions, min_off=MIN_OFF)
        for step in sequence:
            if step[0] == "request":
                guard.request(f"p:{step[1]}", step[2])
            elif step[0] == "wait":
                clock.advance(step[1])
            result = guard.request(f"p:{name}", False)
            assert result.accepted
            assert not relay_states(pin_factory)[name]
    finally:
        pin_factory.reset()
