"""Parsing RPYMOSTAT_CONTROL_RELAYS: what a user writes and the errors they see."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rpymostat_control.relay_config import RelayConfigError, RelaySpec, parse_relays


def test_the_documented_example() -> None:
    assert parse_relays("heat=17,cool=27,fan=22!") == (
        RelaySpec("heat", 17, active_high=True),
        RelaySpec("cool", 27, active_high=True),
        RelaySpec("fan", 22, active_high=False),
    )


def test_spaces_around_entries_and_parts_are_tolerated() -> None:
    assert parse_relays(" heat = 17 , fan=22! ") == (
        RelaySpec("heat", 17),
        RelaySpec("fan", 22, active_high=False),
    )


@pytest.mark.parametrize(
    ("name", "function"),
    [
        ("heat", "heat"),
        ("cool", "cool"),
        ("fan", "fan"),
        ("aux", "aux"),
        ("humidifier", None),
        ("heat2", None),
    ],
)
def test_a_function_name_suggests_the_function(name: str, function: str | None) -> None:
    (spec,) = parse_relays(f"{name}=5")
    assert spec.suggested_function == function


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("", "no relays declared"),
        ("   ", "no relays declared"),
        ("heat=17,", "entry 2 is empty"),
        ("heat=17,,cool=27", "entry 2 is empty"),
        ("heat17", "'heat17' is not name=pin"),
        ("heat=17,cool=17", "GPIO pin 17 is used twice"),
        ("heat=17,heat=27", "'heat' is declared twice"),
        ("heat=seventeen", "'seventeen'"),
        ("heat=17.5", "'17.5'"),
        ("heat=-3", "'-3'"),
        ("heat=+3", "'+3'"),
        ("heat=!17", "'!17'"),
        ("heat=", "''"),
        ("heat=28", "pin 28"),
        ("heat=40", "pin 40"),
        ("Heat=17", "'Heat'"),
        ("=17", "''"),
        ("he at=17", "'he at'"),
        ("heat=17=18", "'17=18'"),
        ("x" * 33 + "=17", "'" + "x" * 33 + "'"),
    ],
)
def test_errors_name_the_bad_part(text: str, named: str) -> None:
    with pytest.raises(RelayConfigError) as error:
        parse_relays(text)
    assert named in str(error.value)


def test_pins_at_both_ends_of_the_bcm_range_are_accepted() -> None:
    assert [spec.pin for spec in parse_relays("low=0,high=27")] == [0, 27]


def test_non_ascii_digits_are_not_pins() -> None:
    with pytest.raises(RelayConfigError, match="not a whole number"):
        parse_relays("heat=\u0661\u0667")


names = st.from_regex(r"[a-z0-9_-]{1,32}", fullmatch=True)
specs = st.lists(
    st.builds(RelaySpec, name=names, pin=st.integers(0, 27), active_high=st.booleans()),
    min_size=1,
    max_size=10,
    unique_by=(lambda spec: spec.name, lambda spec: spec.pin),
)


@given(specs)
def test_any_valid_declaration_reads_back_as_written(declared: list[RelaySpec]) -> None:
    text = ",".join(f"{s.name}={s.pin}{'' if s.active_high else '!'}" for s in declared)
    assert parse_relays(text) == tuple(declared)
