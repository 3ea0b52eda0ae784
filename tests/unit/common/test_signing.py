"""Request signing: what the daemons and the engine rely on."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rpymostat.common.signing import (
    NonceCache,
    SignatureError,
    SignedHeaders,
    fingerprint,
    new_secret,
    sign_request,
    verify_request,
)

WINDOW = 120.0


def headers_of(signed: dict[str, str]) -> SignedHeaders:
    return SignedHeaders.from_headers(signed.get)


def verify(signed, secret, body=b"{}", method="PUT", path="/v1/sensors/update", now=1000.0, nonces=None):
    verify_request(headers_of(signed), secret, method, path, body, now, nonces or NonceCache(WINDOW))


def test_a_signed_request_verifies():
    secret = new_secret()
    verify(sign_request("pi", secret, "PUT", "/v1/sensors/update", b"{}", 1000.0), secret)


@pytest.mark.parametrize("change", [
    {"body": b'{"x": 1}'}, {"method": "POST"}, {"path": "/v1/sensors/update?x=1"},
])
def test_any_change_to_what_was_signed_is_refused(change):
    secret = new_secret()
    signed = sign_request("pi", secret, "PUT", "/v1/sensors/update", b"{}", 1000.0)
    with pytest.raises(SignatureError, match="does not match"):
        verify(signed, secret, **change)


def test_another_secret_is_refused():
    signed = sign_request("pi", new_secret(), "PUT", "/v1/sensors/update", b"{}", 1000.0)
    with pytest.raises(SignatureError):
        verify(signed, new_secret())


@given(skew=st.floats(min_value=WINDOW + 0.001, max_value=1e6), sign=st.sampled_from([-1, 1]))
def test_timestamps_outside_the_window_are_refused(skew, sign):
    secret = "s" * 20
    signed = sign_request("pi", secret, "PUT", "/p", b"", 10_000_000.0)
    with pytest.raises(SignatureError, match="timestamp"):
        verify(signed, secret, body=b"", path="/p", now=10_000_000.0 + sign * skew)


def test_a_nonce_is_accepted_once_and_forgotten_after_the_window():
    secret = new_secret()
    nonces = NonceCache(WINDOW)
    signed = sign_request("pi", secret, "PUT", "/v1/sensors/update", b"{}", 1000.0)
    verify(signed, secret, nonces=nonces)
    with pytest.raises(SignatureError, match="replayed"):
        verify(signed, secret, nonces=nonces, now=1001.0)
    nonces.check_and_remember("pi", "other-nonce-1", 1000.0 + 10 * WINDOW)
    assert ("pi", signed["X-RPyMostat-Nonce"]) not in nonces._seen


def test_a_forged_request_does_not_burn_the_nonce():
    secret = new_secret()
    nonces = NonceCache(WINDOW)
    signed = sign_request("pi", secret, "PUT", "/v1/sensors/update", b"{}", 1000.0)
    with pytest.raises(SignatureError):
        verify({**signed, "X-RPyMostat-Signature": "0" * 64}, secret, nonces=nonces)
    verify(signed, secret, nonces=nonces)


def test_partial_signing_headers_are_refused_and_none_means_unsigned():
    assert SignedHeaders.from_headers({}.get) is None
    with pytest.raises(SignatureError, match="need all"):
        SignedHeaders.from_headers({"X-RPyMostat-Device": "pi"}.get)


def test_fingerprints_are_stable_short_and_differ_between_secrets():
    secret = new_secret()
    assert fingerprint(secret) == fingerprint(secret)
    assert len(fingerprint(secret)) == 14
    assert fingerprint(secret) != fingerprint(new_secret())
    assert secret not in fingerprint(secret)


def test_a_timestamp_from_before_the_receiver_started_is_refused_even_within_the_window():
    secret = new_secret()
    nonces = NonceCache(WINDOW, started=1000.4)
    before_start = sign_request("pi", secret, "PUT", "/v1/sensors/update", b"{}", 999.9)
    with pytest.raises(SignatureError, match="before the receiver last started"):
        verify(before_start, secret, nonces=nonces, now=1005.0)
    # Whole seconds only: a request signed a moment after the start carries the start's second.
    verify(sign_request("pi", secret, "PUT", "/v1/sensors/update", b"{}", 1000.6), secret, nonces=nonces,
           now=1005.0)
