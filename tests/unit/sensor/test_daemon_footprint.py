"""The sensor daemon leaves TLS unloaded when its engine is plain HTTP (memory on a Pi Zero)."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
from rpymostat.common.running import leave_tls_unloaded
leave_tls_unloaded()
import twisted.internet.reactor, treq
from twisted.internet import reactor
from rpymostat_sensor.service import make_service
print("cryptography" in sys.modules, "OpenSSL" in sys.modules and sys.modules["OpenSSL"] is not None)
"""


def test_plain_http_daemons_load_no_tls_library_and_still_build():
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False"]
