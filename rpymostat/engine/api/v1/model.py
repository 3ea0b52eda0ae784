"""``/v1/model``: what the engine learned of the house, and forgetting it."""

from __future__ import annotations

from typing import Any

from rpymostat.engine.api.app import Call
from rpymostat.engine.api.routing import route
from rpymostat.engine.api.v1.openapi import NULLABLE_TIMESTAMP, operation, ref, response
from rpymostat.engine.context import EngineContext
from rpymostat.engine.loop.learning import HouseModel


class ModelAPI:
    def __init__(self, context: EngineContext, house: HouseModel) -> None:
        self.context = context
        self.house = house

    async def _names(self) -> dict[str, str]:
        return {s.sensor_id: s.name or s.alias or s.sensor_id for s in await self.context.store.list_sensors()}

    @route("/v1/model")
    async def learned(self, call: Call) -> dict[str, Any]:
        await self.house.load()
        return self.house.describe(await self._names())

    @route("/v1/model", methods=("DELETE",), role="write")
    async def forget(self, call: Call) -> dict[str, Any]:
        await self.house.reset(self.context.now())
        return self.house.describe(await self._names())


def openapi_fragment() -> dict[str, Any]:
    number = {"type": "number"}
    profile = {"anyOf": [{"type": "null"}, {
        "type": "object",
        "required": ["shows_after", "jump", "jump_per_rate", "time_constant", "rate_per_hour", "slope_per_degree",
                     "error", "runs", "hours"],
        "properties": {
            "shows_after": {"type": ["number", "null"],
                            "description": "seconds until a run shows at the sensors (0.1 °C): the lag of the air "
                                           "and of the sensor"},
            "jump": {**number, "description": "°C of the quick part of a run"},
            "jump_per_rate": {**number, "description": "°C more quick part per °C/h the temperature moved before"},
            "time_constant": {**number, "description": "seconds in which the quick part comes"},
            "rate_per_hour": {**number, "description": "°C/h of the steady part with no inside-outside difference"},
            "slope_per_degree": {**number, "description": "°C/h less per °C the inside is above the outside"},
            "error": {**number, "description": "RMS error of the fit, °C"},
            "runs": number, "hours": number,
        }}]}
    after = {"type": "object", "required": ["amount", "stops"],
             "properties": {"amount": {**number, "description": "°C the temperature goes on after a stop"},
                            "stops": number}}
    return {
        "paths": {
            "/v1/model": {
                "get": operation("What the engine learned of the house, per set of counted sensors, with its "
                                 "confidence and a sentence for people", "read",
                                 {"200": response("the learned models", "Model")}),
                "delete": operation("Forget what was learned; learning starts again from the next turn", "write",
                                    {"200": response("the (now empty) learned models", "Model")}),
            },
        },
        "schemas": {
            "Model": {
                "type": "object", "required": ["learning_since", "models"],
                "properties": {"learning_since": NULLABLE_TIMESTAMP,
                               "models": {"type": "array", "items": ref("HouseModel")}},
            },
            "HouseModel": {
                "type": "object",
                "required": ["sensors", "summary", "confidence", "heat", "cool", "idle", "after_heat", "after_cool"],
                "properties": {
                    "sensors": {"type": "array", "items": {"type": "string"}},
                    "summary": {"type": "string", "description": "one sentence for people"},
                    "confidence": {"type": "object", "required": ["heat", "cool", "reason"],
                                   "properties": {"heat": {"type": "boolean"}, "cool": {"type": "boolean"},
                                                  "reason": {"type": "string"}}},
                    "heat": profile,
                    "cool": profile,
                    "idle": {"anyOf": [{"type": "null"}, {
                        "type": "object",
                        "required": ["gain_per_hour", "loss_per_hour_per_degree", "error_per_hour", "hours"],
                        "properties": {"gain_per_hour": number, "loss_per_hour_per_degree": number,
                                       "error_per_hour": number, "hours": number}}]},
                    "after_heat": after,
                    "after_cool": after,
                },
            },
        },
    }
