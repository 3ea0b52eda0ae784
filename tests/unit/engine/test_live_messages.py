"""The live feed's first message: every valid auth is understood, anything else refused with 4400."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rpymostat.engine.live.messages import CloseCode, Hello, Refused, parse_hello

keys = st.text(min_size=1, max_size=256)
positions = st.one_of(st.none(), st.integers(min_value=0, max_value=2**53))


@given(keys, positions)
def test_a_valid_auth_message_gives_back_its_key_and_position(key, after):
    message = {"type": "auth", "key": key} | ({} if after is None else {"after": after})
    assert parse_hello(json.dumps(message).encode(), False) == Hello(key, after)


@given(st.binary(max_size=300), st.booleans())
def test_any_other_bytes_are_refused_with_4400_or_understood(payload, is_binary):
    try:
        hello = parse_hello(payload, is_binary)
    except Refused as refusal:
        assert refusal.code == CloseCode.BAD_REQUEST
    else:
        assert not is_binary and json.loads(payload)["key"] == hello.key


@pytest.mark.parametrize("message, named", [
    ({"type": "auth", "key": ""}, "key"),
    ({"type": "auth", "key": "k" * 257}, "key"),
    ({"type": "auth", "key": "k", "after": True}, "after"),
    ({"type": "auth", "key": "k", "after": 1.5}, "after"),
    ({"type": "auth", "key": "k", "api_key": "k"}, "api_key"),
    ({"type": "subscribe"}, "auth"),
    (["auth", "k"], "auth"),
])
def test_the_refusal_names_what_is_wrong(message, named):
    with pytest.raises(Refused) as refused:
        parse_hello(json.dumps(message).encode(), False)
    assert refused.value.code == CloseCode.BAD_REQUEST and named in refused.value.reason
