"""``/v1/reactions``: the built-in reactions, each with its switch and times, and what is in force."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rpymostat.common.timeutil import to_iso
from rpymostat.decisions.reactions import Pause
from rpymostat.engine.api.app import Call
from rpymostat.engine.api.errors import not_found, unprocessable
from rpymostat.engine.api.requests import is_number
from rpymostat.engine.api.routing import route
from rpymostat.engine.api.v1.openapi import NULLABLE_TIMESTAMP, operation, path_param, ref, response
from rpymostat.engine.reactions import Reactions

WINDOW_DESCRIPTION = ("While a window in a room whose sensors count has been open longer than delay seconds, "
                      "heating and cooling pause; they resume when it closes, or after max_pause seconds.")
LIMITS = {"delay": (0, 86400), "max_pause": (60, 7 * 86400)}


def parse_window_changes(body: dict[str, Any]) -> dict[str, Any]:
    """Validated changes to the window reaction; a 422 naming the field otherwise."""
    changes: dict[str, Any] = {}
    for name, value in body.items():
        if name == "enabled":
            if not isinstance(value, bool):
                raise unprocessable("enabled must be true or false")
            changes[name] = value
        elif name in LIMITS:
            low, high = LIMITS[name]
            if not is_number(value) or not low <= value <= high:
                raise unprocessable(f"{name} must be a number of seconds from {low} to {high}")
            changes[name] = float(value)
        else:
            raise unprocessable(f"unknown field {name!r}; the window reaction has enabled, delay and max_pause")
    return changes


class ReactionsAPI:
    """``in_force`` is the pause the decision loop applied on its latest turn (none without a loop)."""

    def __init__(self, reactions: Reactions, in_force: Callable[[], Pause | None] = lambda: None) -> None:
        self.reactions = reactions
        self.in_force = in_force

    def _window_json(self) -> dict[str, Any]:
        reactions = self.reactions
        window = reactions.window
        pause = self.in_force()
        return {
            "name": "window",
            "description": WINDOW_DESCRIPTION,
            "enabled": window.enabled,
            "delay": window.delay,
            "max_pause": window.max_pause,
            "open": [{"location": w.location, "since": to_iso(w.since)} for w in reactions.windows.values()],
            "in_force": None if pause is None else {"reason": pause.reason, "until": to_iso(pause.until)},
        }

    @route("/v1/reactions")
    async def list(self, call: Call) -> dict[str, Any]:
        await self.reactions.load()
        return {"reactions": [self._window_json()]}

    @route("/v1/reactions/<name>")
    async def get(self, call: Call) -> dict[str, Any]:
        await self.reactions.load()
        self._known(call.params["name"])
        return self._window_json()

    @route("/v1/reactions/<name>", methods=["PATCH"], role="write")
    async def change(self, call: Call) -> dict[str, Any]:
        self._known(call.params["name"])
        changes = parse_window_changes(call.json_object())
        await self.reactions.change_window(changes)
        return self._window_json()

    @staticmethod
    def _known(name: str) -> None:
        if name != "window":
            raise not_found(f"no reaction named {name!r}; the built-in reactions are: window")


def openapi_fragment() -> dict[str, Any]:
    name = path_param("name")
    return {
        "paths": {
            "/v1/reactions": {"get": operation("The built-in reactions, their settings and what is in force",
                                               "read", {"200": response("the reactions", "ReactionList")})},
            "/v1/reactions/{name}": {
                "get": operation("One reaction", "read", {"200": response("the reaction", "Reaction")},
                                 params=[name]),
                "patch": operation("Switch a reaction on or off, or change its times", "write",
                                   {"200": response("the reaction as changed", "Reaction")},
                                   body="ReactionChange", params=[name]),
            },
        },
        "schemas": {
            "Reaction": {
                "type": "object",
                "required": ["name", "description", "enabled", "delay", "max_pause", "open", "in_force"],
                "properties": {
                    "name": {"const": "window"},
                    "description": {"type": "string"},
                    "enabled": {"type": "boolean"},
                    "delay": {"type": "number", "description": "seconds a window stays open before the pause"},
                    "max_pause": {"type": "number", "description": "longest pause, in seconds, for one opening"},
                    "open": {"type": "array", "items": {
                        "type": "object", "required": ["location", "since"],
                        "properties": {"location": {"type": "string"}, "since": NULLABLE_TIMESTAMP}}},
                    "in_force": {"anyOf": [{"type": "null"}, {
                        "type": "object", "required": ["reason", "until"],
                        "properties": {"reason": {"type": "string"}, "until": NULLABLE_TIMESTAMP}}]},
                },
            },
            "ReactionList": {"type": "object", "required": ["reactions"],
                             "properties": {"reactions": {"type": "array", "items": ref("Reaction")}}},
            "ReactionChange": {
                "type": "object", "additionalProperties": False,
                "properties": {
                    "enabled": {"type": "boolean"},
                    "delay": {"type": "number", "minimum": LIMITS["delay"][0], "maximum": LIMITS["delay"][1]},
                    "max_pause": {"type": "number", "minimum": LIMITS["max_pause"][0],
                                  "maximum": LIMITS["max_pause"][1]},
                },
            },
        },
    }
