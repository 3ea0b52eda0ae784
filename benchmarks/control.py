"""How well does the thermostat keep a house comfortable, and at what cost?

Runs each scenario twice in the same closed-loop harness and simulated time:
once with the engine's own decision turn (the default predictive plugin
through the safety layer, learning the house as it goes) and once with a
plain bang-bang thermostat, then prints comfort, energy, cycling and
readiness at each scheduled change, with the ratios of the engine to the
baseline. Most scenarios give the engine a learning week in the same house
before the measured stretch, as a new installation would have; the first
one measures that learning week itself. Seeded, so every run prints the
same figures, except the CPU time each controller took per simulated week,
printed last. It is a measurement: it exits 0 whatever they are.

    python -m benchmarks.control [--quick]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, TextIO

from twisted.internet.task import Clock

from rpymostat.scheduling.instruction import Instruction
from rpymostat.sim.closed_loop import (
    ClosedLoop,
    Controller,
    Recording,
    Sample,
    bang_bang_baseline,
    engine_controller,
    resolve_rules,
)
from rpymostat.sim.house import HouseParameters, HouseState, SensorModel, SimulatedHouse
from rpymostat.sim.outdoor import DailySinusoid, OutdoorProfile

HOUR = 3600.0
DAY = 24 * HOUR
TZ = "Europe/London"
START = datetime(2026, 1, 5, tzinfo=UTC).timestamp()  # a Monday; London is on UTC in January
SENSOR = "living"
COMFORT_BAND = 0.5
ON_TIME_BAND = 0.3
WARMUP_CAP = 6 * HOUR
LEARNING = 7 * DAY
AIM_ON_TIME = 0.95
AIM_RMS_RATIO = 0.5
AIM_CYCLES_RATIO = 1.0
AIM_ENERGY_RATIO = 1.05
AIM_SHORTEST = 5.0
AIM_WEEK_CPU = 2.0


def iso(days: float, hours: float = 0.0) -> str:
    """A wire timestamp ``days`` and ``hours`` after the start of every scenario."""
    return datetime.fromtimestamp(START + days * DAY + hours * HOUR, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Scenario:
    """A house, its weather, its rules and its sensor, for one measured stretch of simulated time.

    ``occupied`` names the rules (``"schedule:day"``) during which someone is
    home and comfort counts; ``sensor_dies_after`` silences the sensor.
    """

    name: str
    description: str
    duration: float
    quick_duration: float
    outdoor: OutdoorProfile
    schedules: Mapping[str, Mapping[str, Any]]
    occupied: frozenset[str]
    overrides: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    default: Instruction = Instruction("off")
    sensor: SensorModel = SensorModel()
    params: HouseParameters = HouseParameters()
    initial: HouseState = HouseState(20.0, 20.0)
    sensor_dies_after: float | None = None
    learning: float = LEARNING


NIGHT_SETBACK = {
    "day": {"name": "Day", "cron": "30 6 * * *", "end_cron": "30 22 * * *", "mode": "heat", "heat_setpoint": 21},
    "night": {"name": "Night", "cron": "30 22 * * *", "end_cron": "30 6 * * *", "mode": "heat",
              "heat_setpoint": 17},
}
WINTER = DailySinusoid(mean=0.0, amplitude=4.0, coldest_hour=5.0)

COLD_WEEK_AWAY = {"away": {"name": "Away", "start": iso(1, 9), "end": iso(3, 12), "mode": "heat",
                             "heat_setpoint": 12}}
COOLING = {
    "home": {"name": "Home", "cron": "0 17 * * *", "end_cron": "0 23 * * *", "mode": "cool", "cool_setpoint": 24},
    "night": {"name": "Night", "cron": "0 23 * * *", "end_cron": "0 7 * * *", "mode": "cool", "cool_setpoint": 26},
    "out": {"name": "Out", "cron": "0 7 * * *", "end_cron": "0 17 * * *", "mode": "cool", "cool_setpoint": 29},
}
SUMMER = DailySinusoid(mean=27.0, amplitude=7.0, coldest_hour=5.0)
HEAVY = HouseParameters(air_capacity=7.0e6, mass_capacity=40.0e6, air_to_mass=6000.0, air_to_outdoor=70.0,
                        mass_to_outdoor=160.0, furnace_power=14_000.0)
LIGHT_LEAKY = HouseParameters(air_capacity=4.0e6, mass_capacity=10.0e6, air_to_mass=5000.0, air_to_outdoor=120.0,
                              mass_to_outdoor=280.0, furnace_power=20_000.0)

COLD_WEEK = Scenario(
    name="cold week",
    description="0 °C ± 4 °C outside; 21 °C 06:30–22:30, 17 °C at night; away Tue 09:00–Thu 12:00 at 12 °C",
    duration=7 * DAY,
    quick_duration=DAY,
    outdoor=WINTER,
    schedules=NIGHT_SETBACK,
    overrides=COLD_WEEK_AWAY,
    occupied=frozenset({"schedule:day"}),
    initial=HouseState(19.0, 19.0),
)

SCENARIOS: tuple[Scenario, ...] = (
    replace(COLD_WEEK, name="first week", learning=0.0,
            description="the cold week's house, weather and rules, measured from the engine's first start: "
                        "it knows nothing of the house yet"),
    COLD_WEEK,
    replace(COLD_WEEK, name="heavy house", overrides={}, params=HEAVY,
            description="a heavy-mass house (stone walls, 47 MJ/K) with a slow 14 kW furnace; the cold week's "
                        "weather and night setback, without the away days"),
    replace(COLD_WEEK, name="light leaky house", overrides={}, params=LIGHT_LEAKY,
            description="a light, draughty house (14 MJ/K, 400 W/K) with a large 20 kW furnace; the cold week's "
                        "weather and night setback, without the away days"),
    Scenario(
        name="cooling week",
        description="20–34 °C outside, 500 W of gains; cool to 24 °C 17:00–23:00, 26 °C at night, 29 °C "
                    "while out",
        duration=7 * DAY,
        quick_duration=DAY,
        outdoor=SUMMER,
        schedules=COOLING,
        occupied=frozenset({"schedule:home"}),
        params=HouseParameters(internal_gain=500.0),
        initial=HouseState(27.0, 27.0),
    ),
    Scenario(
        name="mild day",
        description="4–32 °C outside (cold night, hot afternoon), 800 W of gains; auto 20–22 °C 07:00–23:00, "
                    "18–26 °C at night",
        duration=2 * DAY,
        quick_duration=DAY / 2,
        outdoor=DailySinusoid(mean=18.0, amplitude=14.0, coldest_hour=5.0),
        schedules={
            "day": {"name": "Day", "cron": "0 7 * * *", "end_cron": "0 23 * * *", "mode": "auto",
                    "heat_setpoint": 20, "cool_setpoint": 22},
            "night": {"name": "Night", "cron": "0 23 * * *", "end_cron": "0 7 * * *", "mode": "auto",
                      "heat_setpoint": 18, "cool_setpoint": 26},
        },
        occupied=frozenset({"schedule:day"}),
        params=HouseParameters(internal_gain=800.0),
        initial=HouseState(21.0, 21.0),
    ),
    Scenario(
        name="noisy sensor",
        description="as the cold week without the away override, sensor noise σ = 0.25 °C",
        duration=2 * DAY,
        quick_duration=DAY / 2,
        outdoor=WINTER,
        schedules=NIGHT_SETBACK,
        occupied=frozenset({"schedule:day"}),
        sensor=SensorModel(noise=0.25),
        initial=HouseState(20.0, 20.0),
    ),
    Scenario(
        name="sensor dies",
        description="as the cold week without the away override; the only sensor stops reporting at 07:00, "
                    "during the morning warm-up",
        duration=DAY,
        quick_duration=DAY / 2,
        outdoor=WINTER,
        schedules=NIGHT_SETBACK,
        occupied=frozenset({"schedule:day"}),
        initial=HouseState(20.0, 20.0),
        sensor_dies_after=7 * HOUR,
    ),
)


def comfort_deviation(instruction: Instruction, air: float) -> float | None:
    """How far the air is from what the instruction asks for (0 inside an auto band); ``None`` without a target."""
    heat = instruction.heat_setpoint if instruction.mode in ("heat", "auto") else None
    cool = instruction.cool_setpoint if instruction.mode in ("cool", "auto") else None
    if heat is not None and cool is not None:
        return air - heat if air < heat else air - cool if air > cool else 0.0
    if heat is not None:
        return air - heat
    if cool is not None:
        return air - cool
    return None


@dataclass(frozen=True)
class Metrics:
    """One controller's figures in one scenario; temperatures in °C, times in hours unless named."""

    on_time: float
    rms_from_start: float
    rms: float
    worst: float
    degree_minutes: float
    heat_hours: float
    cool_hours: float
    cycles_per_hour: float
    change_mean: float
    change_max: float
    shortest_run_min: float
    shortest_rest_min: float
    notes: str = ""

    @property
    def energy_hours(self) -> float:
        return self.heat_hours + self.cool_hours


def measure(scenario: Scenario, recording: Recording, runtime: Mapping[str, float], hours: float) -> Metrics:
    """The figures of one run, from what the house actually did (its true air temperature)."""
    settled = _settled_occupied(recording.samples, scenario.occupied)
    deviations = [d for _, d, _ in settled]
    weights = [w for _, _, w in settled]
    total = sum(weights)
    rms = math.sqrt(sum(w * d * d for d, w in zip(deviations, weights, strict=True)) / total) if total else 0.0
    outside = sum(w * max(0.0, abs(d) - COMFORT_BAND) for d, w in zip(deviations, weights, strict=True)) / 60.0
    at_change = _deviation_at_changes(recording.samples, scenario.occupied)
    runs = recording.runs("heat") + recording.runs("cool")
    rests = recording.rests("heat") + recording.rests("cool")
    occupied = _occupied(recording.samples, scenario.occupied)
    occupied_time = sum(w for _, w in occupied)
    return Metrics(
        on_time=sum(1 for d in at_change if d <= ON_TIME_BAND) / len(at_change) if at_change else math.nan,
        rms_from_start=math.sqrt(sum(w * d * d for d, w in occupied) / occupied_time) if occupied_time else 0.0,
        rms=rms,
        worst=max((abs(d) for d in deviations), default=0.0),
        degree_minutes=outside,
        heat_hours=runtime["heat"] / HOUR,
        cool_hours=runtime["cool"] / HOUR,
        cycles_per_hour=(recording.starts("heat") + recording.starts("cool")) / hours,
        change_mean=sum(at_change) / len(at_change) if at_change else 0.0,
        change_max=max(at_change, default=0.0),
        shortest_run_min=min((r.length for r in runs), default=math.nan) / 60.0,
        shortest_rest_min=min((r.length for r in rests), default=math.nan) / 60.0,
    )


def _occupied(samples: Sequence[Sample], occupied: frozenset[str]) -> list[tuple[float, float]]:
    """(deviation, seconds it stands for) of every occupied sample, from the scheduled minute on (warm-up included)."""
    found: list[tuple[float, float]] = []
    previous: Sample | None = None
    for sample in samples:
        deviation = comfort_deviation(sample.instruction, sample.air)
        if previous is not None and sample.instruction.source in occupied and deviation is not None:
            found.append((deviation, sample.at - previous.at))
        previous = sample
    return found


def _settled_occupied(samples: Sequence[Sample], occupied: frozenset[str]) -> list[tuple[float, float, float]]:
    """(time, deviation, seconds it stands for) of occupied samples once the house has reached the target.

    After each change of instruction the house needs time to get there; that
    warm-up is left out (it is what :func:`_deviation_at_changes` reports)
    from the first sample within the comfort band, or after ``WARMUP_CAP``
    at the latest, so a controller that never gets there still counts.
    """
    settled: list[tuple[float, float, float]] = []
    since: float | None = None
    reached = False
    previous: Sample | None = None
    for sample in samples:
        if previous is None or sample.instruction != previous.instruction:
            since, reached = sample.at, False
        deviation = comfort_deviation(sample.instruction, sample.air)
        if sample.instruction.source in occupied and deviation is not None and since is not None:
            reached = reached or abs(deviation) <= COMFORT_BAND or sample.at - since >= WARMUP_CAP
            if reached and previous is not None:
                settled.append((sample.at, deviation, sample.at - previous.at))
        previous = sample
    return settled


def _deviation_at_changes(samples: Sequence[Sample], occupied: frozenset[str]) -> list[float]:
    """How far from its new target the house is when an occupied instruction comes into force."""
    found: list[float] = []
    previous: Sample | None = None
    for sample in samples:
        changed = previous is not None and sample.instruction != previous.instruction
        if changed and sample.instruction.source in occupied:
            deviation = comfort_deviation(sample.instruction, sample.air)
            if deviation is not None:
                found.append(abs(deviation))
        previous = sample
    return found


@dataclass(frozen=True)
class Contender:
    name: str
    build: Callable[[], Controller]


def contenders(options: Mapping[str, Any]) -> tuple[Contender, ...]:
    """The engine (with these predictive plugin options over its defaults) and the baseline."""
    return (
        Contender("engine", lambda: engine_controller(options=options)),
        Contender("bang-bang", bang_bang_baseline),
    )


CONTENDERS = contenders({})


def run(scenario: Scenario, controller: Controller, duration: float, learning: float | None = None) -> Metrics:
    """One scenario with one controller, in simulated time: the learning stretch (unmeasured), then the measured one."""
    learning = scenario.learning if learning is None else learning
    begin = START - learning
    clock = Clock()
    clock.advance(begin)
    house = SimulatedHouse(clock, scenario.outdoor, scenario.initial, scenario.params, {SENSOR: scenario.sensor},
                           seed=1)
    timeline = resolve_rules(scenario.schedules, scenario.overrides, scenario.default, begin,
                             START + duration + DAY, TZ, sensors={SENSOR})
    loop = ClosedLoop(clock, house, timeline, controller, {SENSOR: 1.0})
    if learning:
        loop.run_for(learning)
        loop.recording = Recording(started=clock.seconds())
    spent = house.runtime
    died = scenario.sensor_dies_after
    if died is not None and died < duration:
        loop.run_for(died)
        loop.silence(SENSOR)
        loop.run_for(duration - died)
    else:
        loop.run_for(duration)
    loop.stop()
    runtime = {function: seconds - spent[function] for function, seconds in house.runtime.items()}
    metrics = measure(scenario, loop.recording, runtime, duration / HOUR)
    if died is not None and died < duration:
        return _with_death_notes(metrics, loop.recording, START + died, START + duration)
    return metrics


def _with_death_notes(metrics: Metrics, recording: Recording, died: float, end: float) -> Metrics:
    """What a user would notice after the sensor died: does the furnace stop, is there an alert?"""
    heating_after = [s.at for s in recording.samples if s.at >= died and s.heat]
    last_heat = max(heating_after, default=None)
    if last_heat is None:
        stopped = "heat off throughout after the sensor died"
    elif last_heat >= end - 60:
        stopped = f"heat STILL ON at the end, {(end - died) / HOUR:.1f} h after the sensor died"
    else:
        stopped = f"heat off {(last_heat - died) / 60:.0f} min after the sensor died"
    alerted = "no_temperature" in recording.alerts_at(end)
    note = f"{stopped}; no_temperature alert: {'yes' if alerted else 'no'}"
    return Metrics(**{**metrics.__dict__, "notes": note})


COLUMNS = (
    ("on time", "on_time", "{:.0%}"),
    ("RMS all", "rms_from_start", "{:.3f}"),
    ("RMS °C", "rms", "{:.3f}"),
    ("worst °C", "worst", "{:.2f}"),
    ("°C·min>0.5", "degree_minutes", "{:.0f}"),
    ("heat h", "heat_hours", "{:.1f}"),
    ("AC h", "cool_hours", "{:.1f}"),
    ("cycles/h", "cycles_per_hour", "{:.3f}"),
    ("chg mean", "change_mean", "{:.2f}"),
    ("chg max", "change_max", "{:.2f}"),
    ("min run", "shortest_run_min", "{:.1f}"),
    ("min rest", "shortest_rest_min", "{:.1f}"),
)


def aim_holds(engine: Metrics, baseline: Metrics) -> tuple[bool, str]:
    """The aims of a measured stretch after the learning week, with the reasons it fails."""
    failures = []
    if not engine.on_time >= AIM_ON_TIME:
        failures.append(f"on time {engine.on_time:.0%} < {AIM_ON_TIME:.0%}")
    if engine.rms_from_start > baseline.rms_from_start * AIM_RMS_RATIO:
        failures.append(f"RMS from the scheduled minute ×{engine.rms_from_start / baseline.rms_from_start:.2f} "
                        f"> ×{AIM_RMS_RATIO}")
    if engine.cycles_per_hour > baseline.cycles_per_hour * AIM_CYCLES_RATIO:
        failures.append(f"cycles {engine.cycles_per_hour:.2f} > {baseline.cycles_per_hour:.2f} /h")
    if engine.energy_hours > baseline.energy_hours * AIM_ENERGY_RATIO:
        failures.append(f"energy {engine.energy_hours:.1f} > {baseline.energy_hours:.1f} h ×{AIM_ENERGY_RATIO}")
    shortest = min(engine.shortest_run_min, engine.shortest_rest_min)
    if shortest < AIM_SHORTEST:
        failures.append(f"a run or rest of {shortest:.1f} min")
    return not failures, "; ".join(failures)


def _ratio(engine: float, baseline: float) -> str:
    if math.isnan(engine) or math.isnan(baseline):
        return "–"
    if baseline == 0:
        return "=" if engine == 0 else "∞"
    return f"×{engine / baseline:.2f}"


def report(results: Sequence[tuple[Scenario, float, Mapping[str, Metrics]]], options: Mapping[str, Any],
           out: TextIO) -> None:
    """The table: every figure of both controllers, the engine/baseline ratios, and the verdict on the aim."""
    label_width = 12
    widths = [max(len(title), 9) for title, _, _ in COLUMNS]
    header = f"{'':{label_width}}" + " ".join(f"{title:>{w}}" for (title, _, _), w in zip(COLUMNS, widths, strict=True))
    chosen = json.dumps(dict(options)) if options else "defaults"
    out.write(f"Control quality: engine (predictive plugin, options: {chosen}; safety layer defaults) "
              "vs plain bang-bang ±0.3 °C\n")
    out.write(f"on time = share of occupied periods starting within ±{ON_TIME_BAND} °C of the target; RMS all = "
              "comfort while occupied from the scheduled minute (warm-up included);\n")
    out.write(f"RMS °C = comfort while occupied after reaching the target (±{COMFORT_BAND} °C, at most "
              f"{WARMUP_CAP / HOUR:.0f} h after a change); chg = |°C from target| when an occupied period starts;\n")
    out.write(f"min run / min rest in minutes (heat and AC). Aims after the learning week: on time ≥ "
              f"{AIM_ON_TIME:.0%}, RMS all ≤ ×{AIM_RMS_RATIO}, cycles ≤ ×{AIM_CYCLES_RATIO}, energy ≤ "
              f"×{AIM_ENERGY_RATIO}, no run or rest under {AIM_SHORTEST:.0f} min\n")
    for scenario, duration, by_name in results:
        days = scenario.learning / DAY
        learned = f", after {days:.0f} day{'' if days == 1 else 's'} of learning" if scenario.learning else ""
        out.write(f"\n== {scenario.name} ({duration / HOUR:.0f} h{learned}): {scenario.description}\n")
        out.write(header + "\n")
        for contender in CONTENDERS:
            metrics = by_name[contender.name]
            cells = " ".join(f"{fmt.format(getattr(metrics, key)):>{w}}"
                             for (_, key, fmt), w in zip(COLUMNS, widths, strict=True))
            out.write(f"{contender.name:{label_width}}{cells}\n")
        engine, baseline = by_name["engine"], by_name["bang-bang"]
        ratios = " ".join(f"{_ratio(getattr(engine, key), getattr(baseline, key)):>{w}}"
                          for (_, key, _), w in zip(COLUMNS, widths, strict=True))
        out.write(f"{'ratio':{label_width}}{ratios}\n")
        for contender in CONTENDERS:
            if by_name[contender.name].notes:
                out.write(f"  {contender.name}: {by_name[contender.name].notes}\n")
        if scenario.sensor_dies_after is not None:
            out.write("  aim: not applied (the engine's safe state with no temperature is off, by design)\n")
        elif not scenario.learning:
            out.write("  aim: not applied (the learning week itself)\n")
        else:
            holds, why = aim_holds(engine, baseline)
            out.write(f"  aim: {'holds' if holds else 'NOT met: ' + why}\n")


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.control", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short scenarios, for a smoke test")
    parser.add_argument("--options", type=json.loads, default={}, metavar="JSON",
                        help='predictive plugin options over its defaults, e.g. \'{"hot_tolerance": 0.5}\'')
    parser.add_argument("--only", action="append", metavar="NAME", help="run only this scenario (repeatable)")
    args = parser.parse_args(argv)
    results = []
    cpu: dict[str, float] = {}
    simulated = 0.0
    for scenario in SCENARIOS:
        if args.only and scenario.name not in args.only:
            continue
        duration = scenario.quick_duration if args.quick else scenario.duration
        learning = min(scenario.learning, DAY) if args.quick else scenario.learning
        by_name = {}
        for contender in contenders(args.options):
            began = time.process_time()
            by_name[contender.name] = run(scenario, contender.build(), duration, learning)
            cpu[contender.name] = cpu.get(contender.name, 0.0) + time.process_time() - began
        simulated += learning + duration
        results.append((replace(scenario, learning=learning), duration, by_name))
    report(results, args.options, out)
    report_speed(cpu, simulated, out)
    return 0


def report_speed(cpu: Mapping[str, float], simulated: float, out: TextIO) -> None:
    """CPU seconds per simulated week of each controller in the harness, and the aim for the engine's.

    The only figures that change from run to run: they are timings, taken in
    this run for both controllers so the ratio stands on a busy machine.
    """
    weeks = simulated / (7 * DAY)
    if weeks <= 0:
        return
    per_week = {name: seconds / weeks for name, seconds in cpu.items()}
    engine, baseline = per_week["engine"], per_week["bang-bang"]
    out.write(f"\nSpeed: {weeks:.1f} simulated weeks per controller; CPU seconds per simulated week: "
              f"engine {engine:.2f}, bang-bang {baseline:.2f} (×{engine / baseline:.2f})\n")
    verdict = "holds" if engine < AIM_WEEK_CPU else f"NOT met: {engine:.2f} s ≥ {AIM_WEEK_CPU:.0f} s"
    out.write(f"  aim (a simulated week in under {AIM_WEEK_CPU:.0f} s of CPU for the engine): {verdict}\n")


if __name__ == "__main__":
    sys.exit(main())
