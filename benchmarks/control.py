"""How well does the thermostat keep a house comfortable, and at what cost?

Runs each scenario twice in the same closed-loop harness and simulated time:
once with the engine's own decision turn (the default hysteresis plugin
through the safety layer) and once with a plain bang-bang thermostat, then
prints comfort, energy, cycling and readiness at each scheduled change,
with the ratios of the engine to the baseline. Seeded, so every run prints
the same figures. It is a measurement: it exits 0 whatever they are.

    python -m benchmarks.control [--quick]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
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
WARMUP_CAP = 6 * HOUR
RMS_SLACK = 0.01
ENERGY_SLACK = 0.01


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


NIGHT_SETBACK = {
    "day": {"name": "Day", "cron": "30 6 * * *", "end_cron": "30 22 * * *", "mode": "heat", "heat_setpoint": 21},
    "night": {"name": "Night", "cron": "30 22 * * *", "end_cron": "30 6 * * *", "mode": "heat",
              "heat_setpoint": 17},
}
WINTER = DailySinusoid(mean=0.0, amplitude=4.0, coldest_hour=5.0)

SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        name="cold week",
        description="0 °C ± 4 °C outside; 21 °C 06:30–22:30, 17 °C at night; away Tue 09:00–Thu 12:00 at 12 °C",
        duration=7 * DAY,
        quick_duration=DAY,
        outdoor=WINTER,
        schedules=NIGHT_SETBACK,
        overrides={"away": {"name": "Away", "start": iso(1, 9), "end": iso(3, 12), "mode": "heat",
                            "heat_setpoint": 12}},
        occupied=frozenset({"schedule:day"}),
        initial=HouseState(19.0, 19.0),
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
    return Metrics(
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
    """The engine (with these hysteresis options over its defaults) and the baseline."""
    return (
        Contender("engine", lambda: engine_controller(options=options)),
        Contender("bang-bang", bang_bang_baseline),
    )


CONTENDERS = contenders({})


def run(scenario: Scenario, controller: Controller, duration: float) -> Metrics:
    """One scenario with one controller, in simulated time."""
    clock = Clock()
    clock.advance(START)
    house = SimulatedHouse(clock, scenario.outdoor, scenario.initial, scenario.params, {SENSOR: scenario.sensor},
                           seed=1)
    timeline = resolve_rules(scenario.schedules, scenario.overrides, scenario.default, START, START + duration + DAY,
                             TZ, sensors={SENSOR})
    loop = ClosedLoop(clock, house, timeline, controller, {SENSOR: 1.0})
    died = scenario.sensor_dies_after
    if died is not None and died < duration:
        loop.run_for(died)
        loop.silence(SENSOR)
        loop.run_for(duration - died)
    else:
        loop.run_for(duration)
    loop.stop()
    metrics = measure(scenario, loop.recording, house.runtime, duration / HOUR)
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
    """Comfort error no worse than the baseline, fewer cycles, no more energy; with the reasons it fails."""
    failures = []
    if engine.rms > baseline.rms + RMS_SLACK:
        failures.append(f"RMS {engine.rms:.3f} > {baseline.rms:.3f} °C")
    if not engine.cycles_per_hour < baseline.cycles_per_hour:
        failures.append(f"cycles {engine.cycles_per_hour:.2f} ≥ {baseline.cycles_per_hour:.2f} /h")
    if engine.energy_hours > baseline.energy_hours * (1 + ENERGY_SLACK):
        failures.append(f"energy {engine.energy_hours:.1f} > {baseline.energy_hours:.1f} h")
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
    out.write(f"Control quality: engine (hysteresis plugin, options: {chosen}; safety layer defaults) "
              "vs plain bang-bang ±0.3 °C\n")
    out.write(f"comfort while occupied, after reaching the target (±{COMFORT_BAND} °C, at most "
              f"{WARMUP_CAP / HOUR:.0f} h after a change); chg = |°C from target| when an occupied period starts;\n")
    out.write("min run / min rest in minutes (heat and AC); aim: RMS no worse "
              f"(+{RMS_SLACK} °C), fewer cycles/h, energy no more (+{ENERGY_SLACK:.0%})\n")
    for scenario, duration, by_name in results:
        out.write(f"\n== {scenario.name} ({duration / HOUR:.0f} h): {scenario.description}\n")
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
        if scenario.sensor_dies_after is None:
            holds, why = aim_holds(engine, baseline)
            out.write(f"  aim: {'holds' if holds else 'NOT met: ' + why}\n")
        else:
            out.write("  aim: not applied (the engine's safe state with no temperature is off, by design)\n")


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.control", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short scenarios, for a smoke test")
    parser.add_argument("--options", type=json.loads, default={}, metavar="JSON",
                        help='hysteresis options over its defaults, e.g. \'{"anticipation": 60}\'')
    args = parser.parse_args(argv)
    results = []
    for scenario in SCENARIOS:
        duration = scenario.quick_duration if args.quick else scenario.duration
        by_name = {contender.name: run(scenario, contender.build(), duration) for contender in contenders(args.options)}
        results.append((scenario, duration, by_name))
    report(results, args.options, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
