"""``/v1/reactions``: the built-in reactions, each with its switch and times, and what is in force."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from rpymostat.common.timeutil import to_iso
from rpymostat.decisions.reactions import Pause
from rpymostat.engine.api.app import Call
from rpymostat.engine.api.errors import not_found, unprocessable
from rpymostat.engine.api.requests import is_number
from rpymostat.engine.api.routing import route
from rpymostat.engine.api.v1.openapi import NULLABLE_TIMESTAMP, TIMESTAMP, operation, path_param, ref, response
from rpymostat.engine.reactions import Reactions

WINDOW_DESCRIPTION = ("While a window in a room whose sensors count has been open longer than delay seconds, "
                      "heating and cooling pause; they resume when it closes, or after max_pause seconds. With "
                      "slope_detection, a fall faster than slope_threshold °C/h while heating counts as a window "
                      "opened in that sensor's room.")
PRESENCE_DESCRIPTION = ("While every person the presence events tell of is away, the targets of preset apply in "
                        "place of the rules'; when someone is home again, the rules apply as written.")
LIMITS = {"delay": (0, 86400), "max_pause": (60, 7 * 86400), "slope_threshold": (0.5, 60), "slope_window": (120, 3600)}
NAMES = ("window", "presence")


def parse_window_changes(body: dict[str, Any]) -> dict[str, Any]:
    """Validated changes to the window reaction; a 422 naming the field otherwise."""
    changes: dict[str, Any] = {}
    for name, value in body.items():
        if name in ("enabled", "slope_detection"):
            if not isinstance(value, bool):
                raise unprocessable(f"{name} must be true or false")
            changes[name] = value
        elif name in LIMITS:
            low, high = LIMITS[name]
            unit = "°C per hour" if name == "slope_threshold" else "seconds"
            if not is_number(value) or not low <= value <= high:
                raise unprocessable(f"{name} must be a number of {unit} from {low} to {high}")
            changes[name] = float(value)
        else:
            raise unprocessable(f"unknown field {name!r}; the window reaction has enabled, delay, max_pause, "
                                "slope_detection, slope_threshold and slope_window")
    return changes


def parse_presence_changes(body: dict[str, Any], presets: Collection[str]) -> dict[str, Any]:
    """Validated changes to the presence reaction; a 422 naming the field otherwise."""
    changes: dict[str, Any] = {}
    for name, value in body.items():
        if name == "enabled":
            if not isinstance(value, bool):
                raise unprocessable("enabled must be true or false")
        elif name == "preset":
            if not isinstance(value, str) or value not in presets:
                raise unprocessable(f"preset must be one of {', '.join(sorted(presets))}")
        else:
            raise unprocessable(f"unknown field {name!r}; the presence reaction has enabled and preset")
        changes[name] = value
    return changes


def _in_force_json(pause: Pause | None) -> dict[str, Any] | None:
    if pause is None:
        return None
    return {"reason": pause.reason, "until": None if pause.until is None else to_iso(pause.until)}


class ReactionsAPI:
    """``in_force`` is what the decision loop applied on its latest turn (nothing without a loop)."""

    def __init__(self, reactions: Reactions, in_force: Callable[[], list[Pause]] = list) -> None:
        self.reactions = reactions
        self.in_force = in_force

    def _current(self, name: str) -> Pause | None:
        return next((p for p in self.in_force() if p.reaction == name), None)

    def _window_json(self) -> dict[str, Any]:
        reactions = self.reactions
        window = reactions.window
        return {
            "name": "window",
            "description": WINDOW_DESCRIPTION,
            "enabled": window.enabled,
            "delay": window.delay,
            "max_pause": window.max_pause,
            "slope_detection": window.slope_detection,
            "slope_threshold": window.slope_threshold,
            "slope_window": window.slope_window,
            "open": [{"location": w.location, "since": to_iso(w.since)} for w in reactions.windows.values()],
            "in_force": _in_force_json(self._current("window")),
        }

    def _presence_json(self) -> dict[str, Any]:
        reactions = self.reactions
        return {
            "name": "presence",
            "description": PRESENCE_DESCRIPTION,
            "enabled": reactions.presence.enabled,
            "preset": reactions.presence.preset,
            "people": [{"name": p.name, "home": p.home, "since": to_iso(p.since)} for p in reactions.people.values()],
            "in_force": _in_force_json(self._current("presence")),
        }

    def _json(self, name: str) -> dict[str, Any]:
        return self._window_json() if name == "window" else self._presence_json()

    @route("/v1/reactions")
    async def list(self, call: Call) -> dict[str, Any]:
        await self.reactions.load()
        return {"reactions": [self._window_json(), self._presence_json()]}

    @route("/v1/reactions/<name>")
    async def get(self, call: Call) -> dict[str, Any]:
        await self.reactions.load()
        name = self._known(call.params["name"])
        return self._json(name)

    @route("/v1/reactions/<name>", methods=["PATCH"], role="write")
    async def change(self, call: Call) -> dict[str, Any]:
        body = call.json_object()  # a malformed body is refused as such, whatever it is sent to
        name = self._known(call.params["name"])
        if name == "window":
            await self.reactions.change_window(parse_window_changes(body))
        else:
            await self.reactions.change_presence(parse_presence_changes(body, self.reactions.presets()))
        return self._json(name)

    @staticmethod
    def _known(name: str) -> str:
        if name not in NAMES:
            raise not_found(f"no reaction named {name!r}; the built-in reactions are: {', '.join(NAMES)}")
        return name


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
                "required": ["name", "description", "enabled", "in_force"],
                "properties": {
                    "name": {"enum": list(NAMES)},
                    "description": {"type": "string"},
                    "enabled": {"type": "boolean"},
                    "delay": {"type": "number", "description": "seconds a window stays open before the pause"},
                    "max_pause": {"type": "number", "description": "longest pause, in seconds, for one opening"},
                    "slope_detection": {"type": "boolean",
                                        "description": "also tell an open window from a fast temperature drop"},
                    "slope_threshold": {"type": "number", "description": "°C per hour of fall while heating"},
                    "slope_window": {"type": "number", "description": "seconds of reports the slope is fitted over"},
                    "open": {"type": "array", "items": {
                        "type": "object", "required": ["location", "since"],
                        "properties": {"location": {"type": "string"}, "since": NULLABLE_TIMESTAMP}}},
                    "preset": {"type": "string", "description": "presence: the preset applied while all are away"},
                    "people": {"type": "array", "items": {
                        "type": "object", "required": ["name", "home", "since"],
                        "properties": {"name": {"type": "string"}, "home": {"type": "boolean"},
                                       "since": TIMESTAMP}}},
                    "in_force": {"anyOf": [{"type": "null"}, {
                        "type": "object", "required": ["reason", "until"],
                        "properties": {"reason": {"type": "string"}, "until": NULLABLE_TIMESTAMP}}]},
                },
            },
            "ReactionList": {"type": "object", "required": ["reactions"],
                             "properties": {"reactions": {"type": "array", "items": ref("Reaction")}}},
            "ReactionChange": {
                "type": "object", "additionalProperties": False,
                "description": "window: enabled, delay, max_pause; presence: enabled, preset (an unknown field for "
                               "the reaction named is refused with 422)",
                "properties": {
                    "enabled": {"type": "boolean"},
                    "preset": {"type": "string", "description": "presence: a preset's name"},
                    "delay": {"type": "number", "minimum": LIMITS["delay"][0], "maximum": LIMITS["delay"][1]},
                    "max_pause": {"type": "number", "minimum": LIMITS["max_pause"][0],
                                  "maximum": LIMITS["max_pause"][1]},
                    "slope_detection": {"type": "boolean"},
                    "slope_threshold": {"type": "number", "minimum": LIMITS["slope_threshold"][0],
                                        "maximum": LIMITS["slope_threshold"][1]},
                    "slope_window": {"type": "number", "minimum": LIMITS["slope_window"][0],
                                     "maximum": LIMITS["slope_window"][1]},
                },
            },
        },
    }
