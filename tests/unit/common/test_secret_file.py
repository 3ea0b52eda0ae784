"""The device secret file: made once, private, never reused blindly; the same for both daemons."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from twisted.logger import LogLevel, globalLogPublisher

from rpymostat.common.secret_file import SecretFileError, load_or_create_secret

SETTING = "RPYMOSTAT_CONTROL_SECRET_FILE"


def test_the_secret_is_made_once_private_and_kept_across_restarts(tmp_path: Path) -> None:
    path = str(tmp_path / "state" / "device-secret")

    first, made = load_or_create_secret(path, SETTING)
    again, made_again = load_or_create_secret(path, SETTING)

    assert (made, made_again) == (True, False)
    assert first == again and len(first) >= 32
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(tmp_path / "state").st_mode) == 0o700


def test_an_empty_or_short_secret_file_is_refused_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "device-secret"
    path.write_text("short\n")
    path.chmod(0o600)

    with pytest.raises(SecretFileError, match="holds no usable secret; delete it"):
        load_or_create_secret(str(path), SETTING)
    assert path.read_text() == "short\n"


def test_a_secret_file_others_can_read_is_used_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "device-secret"
    path.write_text("a-secret-of-enough-length-0123456789\n")
    path.chmod(0o644)
    seen: list[dict] = []
    globalLogPublisher.addObserver(seen.append)
    try:
        secret, made = load_or_create_secret(str(path), SETTING)
    finally:
        globalLogPublisher.removeObserver(seen.append)

    assert (secret, made) == ("a-secret-of-enough-length-0123456789", False)
    warnings = [event for event in seen if event.get("log_level") is LogLevel.warn]
    assert [event["path"] for event in warnings] == [str(path)]
    assert "chmod 600" in warnings[0]["log_format"]


def test_a_place_that_cannot_hold_the_file_names_the_setting(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")

    with pytest.raises(SecretFileError, match=SETTING):
        load_or_create_secret(str(blocker / "device-secret"), SETTING)
