"""A thermal model of a house: indoor air and building mass, two coupled first-order nodes.

The air node (air, furniture, interior surfaces) reacts within minutes to
the furnace or air conditioner; the mass node (walls, floors) follows slowly
and stores heat, which is what makes a house keep drifting after the
equipment stops. Both lose heat to the outdoors. The model is small enough
to simulate a week of 10-second steps in a fraction of a second.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from twisted.internet.interfaces import IReactorTime

from rpymostat.sim.outdoor import Constant, OutdoorProfile


@dataclass(frozen=True)
class HouseParameters:
    """Physical parameters, SI units (J/K, W/K, W).

    The defaults describe a typical detached house of about 150 m² (heat
    loss 250 W/K): from 20 °C with 0 °C outside the furnace warms it by
    about 3 °C in the first hour and 1.7 °C an hour after that, and with the
    furnace off it cools by 0.6–0.8 °C an hour; from 26 °C with 32 °C
    outside the air conditioner cools it by about 1.7 °C in the first hour
    and 1 °C an hour after that.
    """

    air_capacity: float = 5.0e6
    mass_capacity: float = 21.0e6
    air_to_mass: float = 5000.0
    air_to_outdoor: float = 80.0
    mass_to_outdoor: float = 170.0
    furnace_power: float = 18_000.0
    cooling_power: float = 9_000.0
    fan_power: float = 300.0
    fan_mixing: float = 1.5
    internal_gain: float = 0.0

    def __post_init__(self) -> None:
        positive = ("air_capacity", "mass_capacity", "air_to_mass", "air_to_outdoor", "mass_to_outdoor")
        for name in positive:
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")
        if self.fan_mixing < 1:
            raise ValueError("fan_mixing must be at least 1 (the fan never reduces mixing)")

    def longest_stable_step(self) -> float:
        """Half the fastest node's time constant: explicit steps no longer than this stay stable and smooth."""
        air_coupling = self.air_to_mass * self.fan_mixing + self.air_to_outdoor
        mass_coupling = self.air_to_mass * self.fan_mixing + self.mass_to_outdoor
        return 0.5 * min(self.air_capacity / air_coupling, self.mass_capacity / mass_coupling)


@dataclass(frozen=True)
class HouseState:
    """Temperatures of the two nodes, °C."""

    air: float
    mass: float


@dataclass(frozen=True)
class HouseInputs:
    """What drives the house over one step: the relays and the outdoor temperature."""

    outdoor: float
    heat: bool = False
    cool: bool = False
    fan: bool = False


MAX_SUBSTEP = 60.0
DEFAULT_OUTDOOR: OutdoorProfile = Constant(0.0)


def step(
    state: HouseState, inputs: HouseInputs, dt: float, params: HouseParameters = HouseParameters()
) -> HouseState:
    """The state ``dt`` seconds later, inputs held constant; sub-stepped so any ``dt`` is stable."""
    if dt < 0:
        raise ValueError("dt must not be negative")
    if dt == 0:
        return state
    count = math.ceil(dt / min(MAX_SUBSTEP, params.longest_stable_step()))
    h = dt / count
    blowing = inputs.heat or inputs.cool or inputs.fan
    coupling = params.air_to_mass * (params.fan_mixing if blowing else 1.0)
    power = params.internal_gain
    if inputs.heat:
        power += params.furnace_power
    if inputs.cool:
        power -= params.cooling_power
    if inputs.fan:
        power += params.fan_power
    air, mass, outdoor = state.air, state.mass, inputs.outdoor
    air_rate = h / params.air_capacity
    mass_rate = h / params.mass_capacity
    for _ in range(count):
        exchange = coupling * (mass - air)
        air, mass = (
            air + air_rate * (power + exchange + params.air_to_outdoor * (outdoor - air)),
            mass + mass_rate * (-exchange + params.mass_to_outdoor * (outdoor - mass)),
        )
    return HouseState(air=air, mass=mass)


@dataclass(frozen=True)
class SensorModel:
    """How a simulated sensor misreads the air: lag, noise, offset and resolution."""

    lag: float = 90.0
    noise: float = 0.05
    offset: float = 0.0
    resolution: float = 0.0625


@dataclass
class _SensorTrack:
    model: SensorModel
    lagged: float


@dataclass
class _Relays:
    heat: bool = False
    cool: bool = False
    fan: bool = False
    runtime: dict[str, float] = field(default_factory=lambda: {"heat": 0.0, "cool": 0.0, "fan": 0.0})


class SimulatedHouse:
    """A house that lives in the time of its injected clock.

    It catches up with the clock whenever it is touched, so it needs no
    timer of its own: with ``task.Clock`` a test jumps a day ahead with one
    ``advance()``, and with a scaled clock the demo runs faster than life.
    """

    def __init__(
        self,
        clock: IReactorTime,
        outdoor: OutdoorProfile = DEFAULT_OUTDOOR,
        initial: HouseState | None = None,
        params: HouseParameters = HouseParameters(),
        sensors: Mapping[str, SensorModel] | None = None,
        seed: int = 0,
    ) -> None:
        self._clock = clock
        self._outdoor = outdoor
        self._params = params
        self._state = initial if initial is not None else HouseState(air=20.0, mass=20.0)
        self._sensor_models = dict(sensors or {})
        self._tracks: dict[str, _SensorTrack] = {}
        self._random = random.Random(seed)
        self._relays = _Relays()
        self._at = clock.seconds()

    @property
    def state(self) -> HouseState:
        """The true temperatures now (what a perfect sensor would read)."""
        self._catch_up()
        return self._state

    @property
    def parameters(self) -> HouseParameters:
        """The house's physics (for building a twin of it, e.g. to replay its past)."""
        return self._params

    @property
    def outdoor_profile(self) -> OutdoorProfile:
        """The weather it lives in."""
        return self._outdoor

    def outdoor_temperature(self) -> float:
        """The outdoor temperature now."""
        return self._outdoor(self._clock.seconds())

    @property
    def equipment(self) -> dict[str, bool]:
        """Which relays are on."""
        return {"heat": self._relays.heat, "cool": self._relays.cool, "fan": self._relays.fan}

    @property
    def runtime(self) -> dict[str, float]:
        """Seconds each function has been on since the house was built: the energy bill's proxy."""
        self._catch_up()
        return dict(self._relays.runtime)

    def set_equipment(self, heat: bool | None = None, cool: bool | None = None, fan: bool | None = None) -> None:
        """Switch simulated relays; ``None`` leaves a relay as it is."""
        self._catch_up()
        self._relays = replace(
            self._relays,
            heat=self._relays.heat if heat is None else heat,
            cool=self._relays.cool if cool is None else cool,
            fan=self._relays.fan if fan is None else fan,
        )

    def sensor_value(self, sensor_id: str) -> float:
        """A reading of one simulated sensor: lagged, noisy, offset and rounded to its resolution."""
        self._catch_up()
        track = self._track(sensor_id)
        model = track.model
        value = track.lagged + model.offset + self._random.gauss(0.0, model.noise)
        if model.resolution > 0:
            value = round(value / model.resolution) * model.resolution
        return value

    def _track(self, sensor_id: str) -> _SensorTrack:
        track = self._tracks.get(sensor_id)
        if track is None:
            track = _SensorTrack(self._sensor_models.get(sensor_id, SensorModel()), self._state.air)
            self._tracks[sensor_id] = track
        return track

    def _catch_up(self) -> None:
        now = self._clock.seconds()
        relays = self._relays
        while self._at < now:
            dt = min(MAX_SUBSTEP * 5, now - self._at)
            inputs = HouseInputs(self._outdoor(self._at + dt / 2), relays.heat, relays.cool, relays.fan)
            self._state = step(self._state, inputs, dt, self._params)
            for track in self._tracks.values():
                track.lagged += (self._state.air - track.lagged) * -math.expm1(-dt / max(track.model.lag, 1e-9))
            for function, on in (("heat", relays.heat), ("cool", relays.cool), ("fan", relays.fan)):
                if on:
                    relays.runtime[function] += dt
            self._at += dt
