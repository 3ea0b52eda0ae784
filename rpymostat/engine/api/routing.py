"""Route declarations: each handler states its path, methods and minimum role.

Declaring the role beside the handler (rather than in a separate table)
means a route cannot exist without one, and the role-matrix test and the
OpenAPI check read the same declarations the server runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

ROUTE_ATTRIBUTE = "__rpymostat_route__"

#: The ``role`` of a route that only a signed, approved device may call: every API key is refused.
DEVICE_ONLY = "device"


@dataclass(frozen=True)
class RouteSpec:
    """What a handler declares about itself."""

    path: str
    methods: tuple[str, ...]
    role: str | None
    device: bool = False
    public_write: bool = False


@dataclass(frozen=True)
class Route:
    """A declared handler, bound to its component."""

    spec: RouteSpec
    handler: Callable[..., Any]

    @property
    def path(self) -> str:
        return self.spec.path

    @property
    def methods(self) -> tuple[str, ...]:
        return self.spec.methods


def route(
    path: str,
    methods: Iterable[str] = ("GET",),
    role: str | None = "read",
    device: bool = False,
    public_write: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare a handler.

    ``role`` None makes a route public (``GET`` only, unless
    ``public_write`` marks a deliberate exception such as device
    self-registration). ``device=True`` also admits requests signed by an
    approved device; ``role`` :data:`DEVICE_ONLY` admits nothing else, for
    what only the device itself can know (a control daemon's relay states).
    """
    spec = RouteSpec(path, tuple(m.upper() for m in methods), role, device or role == DEVICE_ONLY, public_write)
    if role is None and not public_write and spec.methods != ("GET",):
        raise ValueError(f"{path}: a public route may only be GET")

    def mark(func: Callable[..., Any]) -> Callable[..., Any]:
        setattr(func, ROUTE_ATTRIBUTE, spec)
        return func

    return mark


def routes_of(component: object) -> list[Route]:
    """The declared routes of one component object, in definition order."""
    found = []
    for name in dir(type(component)):
        func = getattr(type(component), name)
        spec = getattr(func, ROUTE_ATTRIBUTE, None)
        if spec is not None:
            found.append((func.__code__.co_firstlineno, Route(spec, getattr(component, name))))
    return [r for _, r in sorted(found, key=lambda item: item[0])]
