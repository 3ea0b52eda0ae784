"""A real mosquitto broker on 127.0.0.1 with its files in a temporary directory, and a client to watch it.

The broker keeps nothing on disk (``persistence false``), so a restart
forgets every retained message: whatever is there afterwards was published
again. Where mosquitto is not installed the test is skipped (it fails in
CI, which installs it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from rpymostat.testing.processes import accepting, free_port, stop_process, wait_for
from tests.support.requirements import requirement_missing


def mosquitto_binary() -> str | None:
    return shutil.which("mosquitto", path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"]))


class Mosquitto:
    """``listener`` is the rest of the configuration after the ``listener`` line (TLS, passwords...)."""

    def __init__(self, binary: str, directory: Path, listener: str = "allow_anonymous true\n") -> None:
        self.binary = binary
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.config = directory / "mosquitto.conf"
        # Run as root (as CI does), mosquitto would switch to its own user, who cannot read the test's files.
        run_as = "user root\n" if os.geteuid() == 0 else ""
        self.config.write_text(f"{run_as}persistence false\nlistener {self.port} 127.0.0.1\n{listener}")

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self) -> Mosquitto:
        log = open(self.directory / f"mosquitto-{time.monotonic_ns()}.log", "w")
        self.process = subprocess.Popen([self.binary, "-c", str(self.config)], stdout=log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL)
        log.close()
        wait_for(self._accepting, what=f"mosquitto on port {self.port}")
        return self

    def _accepting(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise AssertionError(f"mosquitto exited with {self.process.returncode}")
        return accepting(self.port)

    def stop(self) -> None:
        stop_process(self.process, timeout=10)
        self.process = None


def required_binary() -> str:
    binary = mosquitto_binary()
    if binary is None:
        requirement_missing("mosquitto is not installed (apt-get install mosquitto)")
    return binary


@pytest.fixture
def mosquitto(tmp_path: Path) -> Iterator[Mosquitto]:
    broker = Mosquitto(required_binary(), tmp_path).start()
    yield broker
    broker.stop()


@pytest.fixture
def brokers() -> Iterator:
    """``brokers(directory, listener)`` starts a configured mosquitto; all are stopped afterwards."""
    made: list[Mosquitto] = []

    def make(directory: Path, listener: str) -> Mosquitto:
        broker = Mosquitto(required_binary(), directory, listener)
        made.append(broker)
        return broker.start()

    yield make
    for broker in made:
        broker.stop()


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 that is its own authority, and its key (``cryptography`` comes with autobahn)."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                       critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "broker.crt", directory / "broker.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                           serialization.NoEncryption()))
    key_path.chmod(0o600)
    return cert_path, key_path


def password_file(directory: Path, user: str, password: str) -> Path:
    """A mosquitto password file with one user, made with ``mosquitto_passwd``."""
    tool = shutil.which("mosquitto_passwd", path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/bin"]))
    if tool is None:
        requirement_missing("mosquitto_passwd is not installed (apt-get install mosquitto)")
    path = directory / "passwd"
    path.touch(mode=0o600)
    subprocess.run([tool, "-b", str(path), user, password], check=True, capture_output=True, timeout=30)
    return path


class Watcher:
    """Another MQTT client: sees every message (retained ones on subscribing) and publishes commands."""

    def __init__(self, port: int, username: str | None = None, password: str | None = None,
                 ca_file: str | None = None) -> None:
        import paho.mqtt.client as mqtt

        self.messages: dict[str, bytes] = {}
        self.received: list[tuple[str, bytes, bool]] = []
        self._lock = threading.Lock()
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"watcher-{time.monotonic_ns()}")
        self.client.on_message = self._message
        self.client.on_connect = lambda client, *_: client.subscribe("#", qos=1)
        self.port = port
        if username is not None:
            self.client.username_pw_set(username, password)
        if ca_file is not None:
            self.client.tls_set(ca_certs=ca_file)
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()

    def _message(self, client, userdata, message) -> None:  # type: ignore[no-untyped-def]
        with self._lock:
            self.messages[message.topic] = bytes(message.payload)
            self.received.append((message.topic, bytes(message.payload), bool(message.retain)))

    def get(self, topic: str) -> str | None:
        with self._lock:
            payload = self.messages.get(topic)
        return None if payload is None else payload.decode()

    def matching(self, prefix: str) -> dict[str, str]:
        with self._lock:
            return {t: p.decode() for t, p in self.messages.items() if t.startswith(prefix)}

    def forget(self) -> None:
        with self._lock:
            self.messages.clear()
            self.received.clear()

    def publish(self, topic: str, payload: str) -> None:
        self.client.publish(topic, payload, qos=1).wait_for_publish(timeout=10)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def watch() -> Iterator:
    """``watch(port)`` gives a connected :class:`Watcher`; all are closed afterwards."""
    made: list[Watcher] = []

    def make(port: int, **sign_in: str) -> Watcher:
        watcher = Watcher(port, **sign_in)
        made.append(watcher)
        return watcher

    yield make
    for watcher in made:
        watcher.close()
