"""The settings every device daemon has: where the engine is, who this host is, and its secret.

Both daemons read these four the same way (one host-ID rule, one secret
check, the secret file in the daemon's own data folder), so a sensor Pi and
a relay Pi are configured and refused alike; each daemon adds its own
settings after them.
"""

from __future__ import annotations

import os

from rpymostat.common.hostinfo import default_host_id, parse_host_id
from rpymostat.common.secret_file import check_secret
from rpymostat.common.settings import Setting, const, parse_optional_url


def daemon_data_dir(daemon: str) -> str:
    """Where ``daemon`` (``rpymostat-sensor``, ``rpymostat-control``) keeps its secret and its spool.

    platformdirs is imported only when a default path is needed: a daemon given its paths does without it.
    """
    import platformdirs

    return platformdirs.user_data_dir(daemon, appauthor=False)


def _parse_secret(text: str) -> str:
    """A pre-shared secret, or '' to make one and register."""
    text = text.strip()
    return check_secret(text) if text else text


def device_settings(daemon: str, prefix: str, kind: str) -> tuple[Setting, ...]:
    """The engine URL, host ID, pre-shared secret and secret file of ``daemon``, as ``{prefix}_*`` variables."""
    host_id_variable = f"{prefix}_HOST_ID"
    kind_flag = "" if kind == "sensor" else f" --kind {kind}"
    return (
        Setting("engine_url", "RPYMOSTAT_ENGINE_URL", parse_optional_url, const(""),
                "The engine's base URL, e.g. http://thermostat.local:8088; empty: find it by DNS-SD."),
        Setting("host_id", host_id_variable, lambda text: parse_host_id(text, host_id_variable), default_host_id,
                "This host's ID (default: the Raspberry Pi's serial number, else /etc/machine-id); the "
                "engine's rule: 1 to 64 letters, digits, '.', '_', ':' or '-', starting with a letter or digit."),
        Setting("secret", f"{prefix}_SECRET", _parse_secret, const(""),
                f"A pre-shared device secret from `rpymostat-keys device HOST_ID{kind_flag}`; empty: make one, "
                "register and wait for an admin's approval.", secret=True),
        Setting("secret_file", f"{prefix}_SECRET_FILE", str,
                lambda: os.path.join(daemon_data_dir(daemon), "device-secret"),
                "File keeping the secret this daemon made on its first start (mode 0600, created exclusively)."),
    )
