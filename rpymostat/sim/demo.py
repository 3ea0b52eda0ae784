"""``rpymostat-demo``: the whole thermostat in one process, driving a simulated house.

The engine, a sensor daemon and a control daemon run together and talk real
HTTP on localhost, exactly as on three Pis; only the hardware is simulated:
the sensor daemon reads the house's simulated sensors and the control
daemon's simulated relays switch its furnace, air conditioner and fan.
Everything runs on one scaled clock (``RPYMOSTAT_DEMO_SPEED`` simulated
seconds per real second), so a visitor sees a day's heating and cooling in
minutes. A third daemon, for the attic, registers without a pre-shared
secret and waits for an admin to approve it in the web UI.

The demo honours the engine's ``RPYMOSTAT_*`` variables, but keeps its files
(database, admin key, daemon secrets and spools) in a ``demo`` folder inside
the data directory, so that it and a real engine on the same machine never
read each other's admin key; it advertises by DNS-SD on loopback only.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from twisted.internet.defer import ensureDeferred, inlineCallbacks
from twisted.logger import Logger

from rpymostat.common.discovery import StaticLocator
from rpymostat.common.service_tree import InOrder, Opened, Step
from rpymostat.common.settings import ConfigError, Setting, const, describe, load, parse_float, print_config
from rpymostat.common.signing import new_secret
from rpymostat.config import SETTINGS as ENGINE_SETTINGS
from rpymostat.config import EngineConfig, default_data_dir
from rpymostat.scheduling.instruction import Instruction
from rpymostat.scheduling.timeline import instruction_at
from rpymostat.sim.house import HouseState, SensorModel, SimulatedHouse
from rpymostat.sim.outdoor import DailySinusoid
from rpymostat.sim.scaled_clock import ScaledClock
from rpymostat.store.records import DeviceRecord
from rpymostat.version import VERSION

log = Logger()

DEMO_SETTINGS: tuple[Setting, ...] = (
    Setting("speed", "RPYMOSTAT_DEMO_SPEED", parse_float(1.0, 3600.0), const("60"),
            "Simulated seconds per real second (60: a simulated hour every real minute).", flag=False),
)
DEMO_FOLDER = "demo"
PAST_DAYS = 5
SENSOR_HOST = "demo-sensors"
ATTIC_HOST = "demo-attic"
CONTROL_HOST = "demo-furnace"
ROOMS = {"living-room": ("Living room", SensorModel(lag=90.0, noise=0.05)),
         "bedroom": ("Bedroom", SensorModel(lag=120.0, noise=0.05, offset=-0.6))}
ATTIC_SENSOR = "attic"
OUTDOOR_SENSOR = "outdoor"
DEFAULT_WEIGHTS = {"living-room": 2.0, "bedroom": 1.0}
DAY_SCHEDULE = {"name": "Day", "cron": "30 6 * * *", "duration": "PT16H", "mode": "auto",
                "heat_setpoint": 21.0, "cool_setpoint": 23.0}
NIGHT_DEFAULT: dict[str, Any] = {"mode": "auto", "heat_setpoint": 19.0, "cool_setpoint": 25.0}


def demo_environ(environ: Mapping[str, str]) -> dict[str, str]:
    """The engine's variables with the demo's defaults where the user set none.

    The demo's folder is always ``demo`` inside the data directory, even one
    the user named: a real engine may be using that directory, and an
    engine reading the demo's admin-key file would refuse it.
    """
    data_dir = demo_data_dir(environ)
    defaults = {
        "RPYMOSTAT_DB_URI": "sqlite:///" + os.path.join(data_dir, "demo.sqlite"),
        "RPYMOSTAT_DISCOVERY_INTERFACES": "127.0.0.1",
        # A demo is for this machine: others reach it only when RPYMOSTAT_HOST says so.
        "RPYMOSTAT_HOST": "127.0.0.1",
    }
    return {**defaults, **{k: v for k, v in environ.items() if v}, "RPYMOSTAT_DATA_DIR": data_dir}


def demo_data_dir(environ: Mapping[str, str]) -> str:
    """Where the demo keeps its files: ``demo`` in the engine's data directory."""
    return os.path.join(environ.get("RPYMOSTAT_DATA_DIR") or default_data_dir(), DEMO_FOLDER)


@dataclass
class Demo:
    """The running demo's parts, for tests and for the console script."""

    service: InOrder
    house: SimulatedHouse
    clock: ScaledClock
    engine: Any


def build_demo(config: EngineConfig, speed: float, reactor: Any) -> Demo:
    """The engine and both daemons on one scaled clock, around one simulated house."""
    from rpymostat.engine.service import make_service

    clock = ScaledClock(reactor, speed)
    house = SimulatedHouse(
        clock,
        outdoor=DailySinusoid(mean=21.0, amplitude=16.0, coldest_hour=4.0),
        initial=HouseState(air=19.0, mass=19.0),
        sensors={**{room: model for room, (_, model) in ROOMS.items()},
                 ATTIC_SENSOR: SensorModel(lag=60.0, noise=0.1, offset=2.5)},
    )
    engine = make_service(config, reactor, clock, decision_interval=30.0)
    top = InOrder()
    engine.setServiceParent(top)
    _Daemons(config, reactor, clock, house, engine).setServiceParent(top)
    return Demo(top, house, clock, engine)


class _Daemons(Opened[str]):
    """The daemons, started once the engine serves, with pre-shared secrets made in its store.

    Opening seeds the engine (device secrets, a first schedule, a learned
    model) and gives the engine's URL, from which the daemons are built.
    """

    def __init__(self, config: EngineConfig, reactor: Any, clock: ScaledClock, house: SimulatedHouse,
                 engine: Any) -> None:
        self.config, self.reactor, self.clock, self.house, self.engine = config, reactor, clock, house, engine
        self.secrets: dict[str, str] = {}
        super().__init__("daemons", self._seed, self._daemons)

    @inlineCallbacks
    def _seed(self):  # type: ignore[no-untyped-def]
        store = self.engine.context.store
        for host, kind in ((SENSOR_HOST, "sensor"), (CONTROL_HOST, "control")):
            device = yield store.get_device(host)
            if device is None or device.status != "approved":
                device = DeviceRecord(host, kind, new_secret(), "approved", self.clock.seconds())
                yield store.put_device(device)
            self.secrets[host] = device.secret
        yield _seed_schedule(self.engine)
        yield _seed_model(self.engine, self.house, self.config.timezone)
        return f"http://127.0.0.1:{self.engine.port_number}"

    def _daemons(self, url: str) -> InOrder:
        daemons = InOrder()
        for service in (self._control(url, self.secrets[CONTROL_HOST]), self._sensors(url, self.secrets[SENSOR_HOST]),
                        self._attic(url)):
            service.setServiceParent(daemons)
        Step("announce", lambda: log.info(
            "Demo running at {speed:g}x: open {url}/ui/ and sign in with the admin key (in {data_dir}/admin-key)",
            speed=self.clock.speed, url=url, data_dir=self.config.data_dir)).setServiceParent(daemons)
        return daemons

    def _sensor_config(self, url: str, host: str, secret: str | None, spool: str) -> Any:
        from rpymostat_sensor.config import SensorConfig

        environ = {"RPYMOSTAT_ENGINE_URL": url, "RPYMOSTAT_SENSOR_HOST_ID": host,
                   "RPYMOSTAT_SENSOR_SOURCES": "sim", "RPYMOSTAT_SENSOR_INTERVAL": "60",
                   "RPYMOSTAT_SENSOR_INFO_INTERVAL": "3600",
                   "RPYMOSTAT_SENSOR_SPOOL": os.path.join(self.config.data_dir, spool),
                   "RPYMOSTAT_SENSOR_SECRET_FILE": os.path.join(self.config.data_dir, f"{host}.secret")}
        if secret:
            environ["RPYMOSTAT_SENSOR_SECRET"] = secret
        return SensorConfig.load(environ)

    def _sensor_daemon(self, url: str, host: str, secret: str | None, rooms: Sequence[str]) -> Any:
        from treq.client import HTTPClient
        from twisted.web.client import Agent

        from rpymostat_sensor.service import make_service, thread_runner
        from rpymostat_sensor.sources.simulated import SimulatedSource

        house = self.house
        def temperature_in(room: str) -> Callable[[float], float]:
            if room == OUTDOOR_SENSOR:
                return lambda at: house.outdoor_temperature()
            return lambda at: house.sensor_value(room)

        source = SimulatedSource(self.clock, {room: temperature_in(room) for room in rooms})
        return make_service(self._sensor_config(url, host, secret, f"{host}-spool.sqlite"), self.clock,
                            HTTPClient(Agent(self.reactor)), StaticLocator(url),
                            runner=thread_runner(self.reactor), sources=[("sim", source)])

    def _sensors(self, url: str, secret: str) -> Any:
        return self._sensor_daemon(url, SENSOR_HOST, secret, [*ROOMS, OUTDOOR_SENSOR])

    def _attic(self, url: str) -> Any:
        return self._sensor_daemon(url, ATTIC_HOST, None, [ATTIC_SENSOR])

    def _control(self, url: str, secret: str) -> Any:
        from rpymostat_control.config import ControlConfig
        from rpymostat_control.service import make_service

        environ = {"RPYMOSTAT_ENGINE_URL": url, "RPYMOSTAT_CONTROL_HOST_ID": CONTROL_HOST,
                   "RPYMOSTAT_CONTROL_SECRET": secret, "RPYMOSTAT_CONTROL_HOST": "127.0.0.1",
                   "RPYMOSTAT_CONTROL_PORT": "0", "RPYMOSTAT_CONTROL_RELAYS": "heat=17,cool=27,fan=22",
                   "RPYMOSTAT_CONTROL_BACKEND": "sim", "RPYMOSTAT_CONTROL_FAILSAFE": "180",
                   "RPYMOSTAT_CONTROL_SECRET_FILE": os.path.join(self.config.data_dir, f"{CONTROL_HOST}.secret")}
        house = self.house

        def relay_changed(relay: Any, on: bool) -> None:
            house.set_equipment(**{relay.name: on})

        return make_service(ControlConfig.load(environ), self.reactor, locator=StaticLocator(url),
                            relay_listener=relay_changed, clock=self.clock)


@inlineCallbacks
def _seed_schedule(engine: Any):  # type: ignore[no-untyped-def]
    """A first-run schedule so the demo heats and cools: a day setpoint and a night setback."""
    from rpymostat.engine.schedules.book import RuleBook

    book = RuleBook(engine.timeline)
    rules = yield book.rules()
    if rules.schedules:
        return
    yield book.change_settings({"default_instruction": NIGHT_DEFAULT}, partial=True)
    yield book.create_schedule(DAY_SCHEDULE)
    unsubscribe: Callable[[], None] = engine.context.events.subscribe(
        lambda event: _name_rooms(engine, event, unsubscribe))


@inlineCallbacks
def _seed_model(engine: Any, house: SimulatedHouse, zone: str):  # type: ignore[no-untyped-def]
    """On a first start, what the engine would have learned had it watched the house for the last days.

    Without it the demo's mornings would be late for days, as a new
    thermostat's are; with it the timeline shows smart recovery's early
    starts at once. The past is the same house, weather and rules, run in
    simulated time (see :mod:`rpymostat.sim.prelearn`).
    """
    from twisted.internet.task import Clock

    from rpymostat.prediction.learner import ModelBook, sensors_key
    from rpymostat.sim.closed_loop import resolve_rules
    from rpymostat.sim.prelearn import watch_house

    model = engine.decision_loop.house
    yield ensureDeferred(model.load())
    if model.book.learners:
        return
    now = engine.context.now()
    begin = now - PAST_DAYS * 86_400.0
    night = Instruction("auto", heat_setpoint=NIGHT_DEFAULT["heat_setpoint"], cool_setpoint=NIGHT_DEFAULT["cool_setpoint"])
    timeline = resolve_rules({"day": DAY_SCHEDULE}, {}, night, begin, now, zone)
    past = Clock()
    past.advance(begin)
    replay = SimulatedHouse(past, house.outdoor_profile, HouseState(19.0, 19.0), house.parameters,
                            {room: sensor for room, (_, sensor) in ROOMS.items()}, seed=11)

    def targets(at: float) -> tuple[float | None, float | None]:
        rule = instruction_at(timeline, at) or Instruction("off")
        return rule.heat_setpoint, rule.cool_setpoint

    book = ModelBook()
    book.learners[sensors_key(DEFAULT_WEIGHTS)] = watch_house(replay, past, now - begin, DEFAULT_WEIGHTS, targets)
    yield ensureDeferred(model.adopt(book, now))


def _name_rooms(engine: Any, event: Any, unsubscribe: Any) -> None:
    """Give the demo's rooms their names once their sensors first report (a user would, in the UI)."""
    if event.type != "readings" or event.data.get("host_id") != SENSOR_HOST:
        return
    unsubscribe()
    from rpymostat.engine.schedules.book import RuleBook

    for room, (name, _) in ROOMS.items():
        engine.context.store.update_sensor(room, {"name": name, "room": name})
    book = RuleBook(engine.timeline)
    # The house's temperature is the living room's and the bedroom's, not the attic's once it is approved.
    weights = ensureDeferred(book.change_settings({"default_sensors": DEFAULT_WEIGHTS}, partial=True))
    weights.addErrback(lambda failure: log.failure("Could not set the demo's sensor weights", failure))
    outdoor = ensureDeferred(book.change_sensor(OUTDOOR_SENSOR, {"name": "Garden", "outdoor": True}))
    outdoor.addErrback(lambda failure: log.failure("Could not mark the demo's outdoor sensor", failure))


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="rpymostat-demo",
        description="Run the engine, a sensor daemon and a control daemon around a simulated house. "
        "Configured by the engine's RPYMOSTAT_* variables and RPYMOSTAT_DEMO_SPEED.")
    parser.add_argument("--show-config", action="store_true", help="print every variable and exit")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output")
    parser.add_argument("--version", action="version", version=f"rpymostat-demo {VERSION}")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    environ = demo_environ(os.environ)
    try:
        config = EngineConfig.from_environ(environ)
        speed = load(DEMO_SETTINGS, environ)["speed"]
    except ConfigError as exc:
        print(f"rpymostat-demo: configuration error: {exc}", file=sys.stderr)
        return 2
    if args.show_config:
        print_config(describe(ENGINE_SETTINGS, vars(config), environ)
                     + describe(DEMO_SETTINGS, {"speed": speed}, environ), sys.stdout)
        return 0
    from twisted.internet import reactor

    from rpymostat.common.logs import start_logging
    from rpymostat.common.running import run_service

    start_logging(args.verbose)
    return run_service(reactor, build_demo(config, speed, reactor).service, "The demo")


if __name__ == "__main__":
    sys.exit(main())
