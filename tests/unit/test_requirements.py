"""A test whose requirement is missing is skipped on a developer's machine and fails in CI."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from tests.support.requirements import requirement_missing

REASON = "network namespaces need root (running as uid 1000)"


def outcome(environ: Mapping[str, str]) -> tuple[str, str]:
    """What ``requirement_missing`` does to the calling test, caught so that a skip cannot pass for a pass."""
    try:
        requirement_missing(REASON, environ=environ)
    except pytest.fail.Exception as failed:
        return "failed", str(failed)
    except pytest.skip.Exception as skipped:
        return "skipped", str(skipped)
    return "returned", ""


def test_without_ci_a_missing_requirement_skips_with_its_reason():
    assert outcome({}) == ("skipped", REASON)


@pytest.mark.parametrize("ci", ["true", "1"])
def test_in_ci_a_missing_requirement_fails_with_the_same_reason(ci):
    assert outcome({"CI": ci}) == ("failed", REASON)


def test_an_empty_ci_variable_is_not_ci():
    assert outcome({"CI": ""}) == ("skipped", REASON)
