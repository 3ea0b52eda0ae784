"""Packaging for RPyMostat: one distribution, the engine and both daemons."""

import os
import re

from setuptools import find_namespace_packages, setup

HERE = os.path.abspath(os.path.dirname(__file__))


def read(name: str) -> str:
    with open(os.path.join(HERE, name), encoding="utf-8") as handle:
        return handle.read()


VERSION = re.search(r'^VERSION = "([^"]+)"', read("rpymostat/version.py"), re.M).group(1)

#: What every install needs, a sensor or control Pi included: pure Python, or with wheels and a
#: pure-Python fallback (zope.interface, zeroconf), so nothing has to be compiled on a Pi Zero.
CORE = [
    "twisted>=24.7,<28",
    "zeroconf>=0.131,<1",
    "platformdirs>=4.0,<5",
    "ifaddr>=0.2,<1",
    "isodate>=0.7,<1",
]

#: The engine's own dependencies: `pip install 'rpymostat[engine]'` on the engine's host.
ENGINE = [
    "klein>=24.8,<27",
    "treq>=24.9,<28",
    "jsonschema>=4.20,<5",
    "croniter>=2.0,<8",
    "autobahn>=24.4,<28",
]

PROMETHEUS = ["prometheus-client>=0.20,<1"]

EXTRAS = {
    "engine": ENGINE,
    "sensor": ["w1thermsensor>=2.3,<3", *PROMETHEUS],
    # lgpio drives the GPIO character device of every Pi model, the Pi 5 included (RPi.GPIO does not).
    "control": ["gpiozero>=2.0,<3", 'lgpio>=0.2.2,<0.3; sys_platform == "linux"', *PROMETHEUS],
    "metrics": PROMETHEUS,
    "mongodb": ["txmongo>=24.0,<28", "pymongo>=4.6,<=4.18.2"],
    "docs": ["sphinx>=7.0,<10"],
    "mqtt": ["paho-mqtt>=2.1,<3"],
    "amqp": ["pika>=1.3,<2"],
}
EXTRAS["test"] = sorted(
    set(
        EXTRAS["engine"]
        + EXTRAS["sensor"]
        + EXTRAS["control"]
        + EXTRAS["mongodb"]
        + EXTRAS["metrics"]
        + EXTRAS["docs"]
        + EXTRAS["mqtt"]
        + EXTRAS["amqp"]
        + [
            "build>=1.0",
            "pytest>=8.0",
            "pytest-twisted>=1.14",
            "pytest-timeout>=2.3",
            "hypothesis>=6.100",
            "mockupdb>=1.8",
            "mongomock>=4.1",
            "openapi-spec-validator>=0.7",
            "schemathesis>=3.30",
            "playwright>=1.45",
            "psutil>=5.9",
            "mypy>=1.10",
            "mypy-zope>=1.0",
            "ruff>=0.5",
        ]
    )
)

setup(
    name="rpymostat",
    version=VERSION,
    description="An open, modular, intelligent home thermostat for the Raspberry Pi and beyond",
    long_description=read("README.rst"),
    long_description_content_type="text/x-rst",
    author="RPyMostat developers",
    url="https://github.com/jantman/RPyMostat",
    license="AGPL-3.0-or-later",
    python_requires=">=3.11",
    # Namespace packages: the data folders (migrations, the web UI's files) count as packages too, so
    # setuptools installs them without warning that they are missing from ``packages``.
    packages=find_namespace_packages(include=["rpymostat", "rpymostat.*", "rpymostat_sensor", "rpymostat_sensor.*",
                                              "rpymostat_control", "rpymostat_control.*"], exclude=["*.__pycache__"]),
    include_package_data=True,
    package_data={"rpymostat": ["store/migrations/*.sql", "web/static/**/*", "py.typed"]},
    install_requires=CORE,
    extras_require=EXTRAS,
    entry_points={
        "console_scripts": [
            "rpymostat-engine = rpymostat.runner:main",
            "rpymostat-keys = rpymostat.keys_cli:main",
            "rpymostat-sensor = rpymostat_sensor.runner:main",
            "rpymostat-control = rpymostat_control.runner:main",
            "rpymostat-demo = rpymostat.sim.demo:main",
        ],
        "rpymostat.decisions": [
            "predictive = rpymostat.decisions.predictive:predictive",
            "hysteresis = rpymostat.decisions.hysteresis:hysteresis",
            "bangbang = rpymostat.decisions.bangbang:bangbang",
        ],
        "rpymostat.schedulers": [
            "cron = rpymostat.scheduling.cron_plugin:cron",
        ],
        "rpymostat.weather": [
            "recent_days = rpymostat.weather.recent_days:recent_days",
        ],
    },
    classifiers=[
        "Development Status :: 3 - Alpha",
        "Framework :: Twisted",
        "Programming Language :: Python :: 3",
        "Programming Language :: Python :: 3.11",
        "Topic :: Home Automation",
    ],
)
