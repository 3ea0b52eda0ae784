"""The engine's side of learning the house: feeding the model, keeping it across restarts, describing it.

The model itself is pure (:mod:`rpymostat.prediction`); this module gives
it each decision turn, saves it in the store every few minutes (setting
``prediction.model``) and loads it at start, so a restart costs at most a
few minutes of learning. When the relays that heat and cool change (a relay
added, removed or given another function), what was learned belonged to
other equipment, so it starts over. ``GET /v1/model`` shows what it learned
and ``DELETE /v1/model`` forgets it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from twisted.logger import Logger

from rpymostat.common.timeutil import to_iso
from rpymostat.decisions.equipment import EquipmentState
from rpymostat.engine.relays.registry import RelayRegistry
from rpymostat.prediction.confidence import confidence
from rpymostat.prediction.learner import ModelBook
from rpymostat.prediction.recovery import HousePrediction
from rpymostat.prediction.thermal_model import AfterStop, RunProfile, ThermalModel
from rpymostat.store.interface import Store
from rpymostat.weather.forecast import OutdoorForecast

log = Logger()

SETTING = "prediction.model"
SAVE_EVERY = 300.0
LEARNED_FUNCTIONS = ("heat", "cool", "aux")


async def relay_fingerprint(store: Store) -> str:
    """Which relays heat and cool, as one string: a different string means different equipment."""
    return ",".join(sorted(f"{doc.get('id')}={doc.get('function')}" for doc in await RelayRegistry(store).relays()
                           if doc.get("function") in LEARNED_FUNCTIONS))


class HouseModel:
    """The model book of this engine, fed by the decision loop and saved in the store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.book = ModelBook()
        self._loaded = False
        self._saved_at: float | None = None

    async def load(self) -> None:
        """Read the saved book (once); a missing or unreadable one starts empty."""
        if self._loaded:
            return
        self._loaded = True
        saved = await self.store.get_setting(SETTING)
        if isinstance(saved, Mapping):
            self.book = ModelBook.from_json(saved)

    async def prediction(self, now: float, counted: Iterable[str], outdoor: float | None,
                         forecast: OutdoorForecast | None) -> HousePrediction | None:
        """What the plugin sees this turn: the model of these counted sensors so far (``None`` before one)."""
        await self.load()
        return self.book.prediction(now, counted, outdoor, None if forecast is None else forecast.at)

    async def observe(self, now: float, counted: Iterable[str], temperature: float | None, outdoor: float | None,
                      equipment: EquipmentState) -> None:
        """Learn from one turn (the equipment as it was before the turn decided), saving every few minutes."""
        await self.load()
        if self._saved_at is None or now - self._saved_at >= SAVE_EVERY or now < self._saved_at:
            if self.book.relays_changed(await relay_fingerprint(self.store)):
                log.info("The relays that heat or cool changed: learning the house from the start")
            await self.save(now)
        self.book.observe(now, counted, temperature, outdoor, equipment)

    async def save(self, now: float) -> None:
        self._saved_at = now
        await self.store.put_setting(SETTING, self.book.to_json())

    async def adopt(self, book: ModelBook, now: float) -> None:
        """Take ``book`` as what was learned (the demo's house comes with a past) and save it."""
        self._loaded = True
        self.book = book
        await self.save(now)

    async def reset(self, now: float) -> None:
        """Forget everything learned (the relays are kept as they are)."""
        await self.load()
        self.book = ModelBook(self.book.relays)
        await self.save(now)

    def describe(self, names: Mapping[str, str]) -> dict[str, Any]:
        """What was learned, for ``GET /v1/model``: one entry per set of counted sensors, most recent first."""
        models = []
        for key, learner in reversed(list(self.book.learners.items())):
            model = learner.model
            if model.heat is None and model.cool is None and model.drift is None:
                continue  # a set of sensors that counted too briefly to teach anything
            sensors = [sensor for sensor in key.split(",") if sensor]
            models.append(describe_model(model, sensors, [names.get(s, s) for s in sensors]))
        started = self.book.started
        return {"learning_since": None if started is None else to_iso(started), "models": models}


def describe_model(model: ThermalModel, sensors: list[str], names: list[str]) -> dict[str, Any]:
    """One model as JSON, with the sentence a homeowner reads."""
    trust = confidence(model)
    drift = model.drift
    return {
        "sensors": sensors,
        "summary": summary(model, names),
        "confidence": {"heat": trust.heat, "cool": trust.cool, "reason": trust.reason},
        "heat": _profile_json(model.heat),
        "cool": _profile_json(model.cool),
        "idle": None if drift is None else {
            "gain_per_hour": round(drift.gain, 3), "loss_per_hour_per_degree": round(drift.loss, 4),
            "error_per_hour": round(drift.error, 3), "hours": round(drift.hours, 1)},
        "after_heat": _after_json(model.after_heat),
        "after_cool": _after_json(model.after_cool),
    }


def shows_after(profile: RunProfile) -> float | None:
    """Seconds until a run shows at the sensors (0.1 °C of change): the lag of the air and of the sensor."""
    return profile.time_for(0.1, 20.0)


def _profile_json(profile: RunProfile | None) -> dict[str, Any] | None:
    if profile is None:
        return None
    shows = shows_after(profile)
    return {"shows_after": None if shows is None else round(shows), "jump": round(profile.jump, 3),
            "jump_per_rate": round(profile.jump_per_rate, 4), "time_constant": round(profile.tau), "rate_per_hour": round(profile.rate, 3),
            "slope_per_degree": round(profile.slope, 4), "error": round(profile.error, 3),
            "runs": round(profile.runs, 1), "hours": round(profile.hours, 1)}


def _after_json(after: AfterStop) -> dict[str, float]:
    return {"amount": round(after.amount, 3), "stops": round(after.events, 1)}


def summary(model: ThermalModel, names: list[str]) -> str:
    """E.g. "Living room: heats 2.1 °C/h at 0 °C outside (after a quick 0.8 °C), loses 0.6 °C/h when off."."""
    parts = []
    if model.heat is not None:
        shows = shows_after(model.heat)
        lag = "" if shows is None else f"; a start shows at the sensors after {shows / 60:.0f} min"
        parts.append(f"heats {model.heat.steady_rate(20.0):.1f} °C/h at 0 °C outside "
                     f"(after a quick {max(0.0, model.heat.jump):.1f} °C in the first "
                     f"{model.heat.tau / 60:.0f} min{lag})")
    if model.cool is not None:
        parts.append(f"cools {model.cool.steady_rate(-5.0):.1f} °C/h at 30 °C outside")
    if model.drift is not None:
        rate = model.drift.rate(20.0)
        parts.append(f"{'loses' if rate <= 0 else 'gains'} {abs(rate):.1f} °C/h when off at 0 °C outside")
    if model.after_heat.amount >= 0.05:
        parts.append(f"keeps rising {model.after_heat.amount:.1f} °C after heating stops")
    if model.after_cool.amount >= 0.05:
        parts.append(f"keeps falling {model.after_cool.amount:.1f} °C after cooling stops")
    where = (", ".join(names[:-1]) + " and " + names[-1]) if len(names) > 1 else (names[0] if names else "The house")
    if not parts:
        return f"{where}: nothing learned yet; it learns from every run of the heating or cooling."
    return f"{where}: " + ", ".join(parts) + "."
