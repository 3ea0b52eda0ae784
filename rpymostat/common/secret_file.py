"""A device's secret, made on its first start and kept in a file only its owner can read.

The secret is what the engine knows the device by: lose it and an admin
must approve the host again; leak it and anyone can speak for the device.
So the file is created exclusively with mode 0600 (never truncated, never
reused if it appeared meanwhile), a file holding too short a secret is
refused rather than used, and one others may read is reported with the
command that fixes it. Both daemons keep their secret this way.
"""

from __future__ import annotations

import os
import stat

from twisted.logger import Logger

from rpymostat.common.private_files import write_private_file
from rpymostat.common.signing import new_secret

log = Logger()

#: Shorter secrets are refused: they could be guessed.
MIN_SECRET_LENGTH = 16
#: Longer ones are refused too: no tool makes them, so one is a pasting mistake.
MAX_SECRET_LENGTH = 256


class SecretFileError(Exception):
    """The device secret file is unusable; the message says what to do."""


def check_secret(text: str) -> str:
    """A pre-shared secret as given in the configuration; ValueError when it cannot be one."""
    if not MIN_SECRET_LENGTH <= len(text) <= MAX_SECRET_LENGTH:
        raise ValueError(f"a device secret is {MIN_SECRET_LENGTH} to {MAX_SECRET_LENGTH} characters "
                         "(make one with `rpymostat-keys device HOST_ID`)")
    return text


def load_or_create_secret(path: str, setting: str) -> tuple[str, bool]:
    """The secret kept in ``path``, made there on first start; (secret, was it just made).

    ``setting`` names the variable that moves the file, for the error message.
    """
    try:
        with open(path, encoding="utf-8") as handle:
            secret = handle.read().strip()
    except FileNotFoundError:
        secret = new_secret()
        try:
            write_private_file(path, secret)
        except FileExistsError:
            return load_or_create_secret(path, setting)  # another start made it meanwhile: use that one
        except OSError as exc:
            raise SecretFileError(f"cannot create the device secret file {path}: {exc.strerror}; "
                                  f"set {setting} to a writable place") from None
        return secret, True
    except OSError as exc:
        raise SecretFileError(f"cannot read the device secret file {path}: {exc.strerror}; "
                              f"set {setting} to a file the daemon can read") from None
    if not MIN_SECRET_LENGTH <= len(secret) <= MAX_SECRET_LENGTH:
        raise SecretFileError(f"the device secret file {path} holds no usable secret; delete it to make a new one "
                              "(an admin then approves this host again)")
    if stat.S_IMODE(os.stat(path).st_mode) & 0o077:
        log.warn("the device secret file {path} is readable by others; run: chmod 600 {path}",  # noqa: G010
                 path=path)
    return secret, False
