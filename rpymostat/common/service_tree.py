"""One shape for every RPyMostat process: a tree of services that start in order and stop in reverse.

Twisted's :class:`MultiService` starts its children without waiting for
the Deferred a child's start returns, and stops them all at once. The
engine and the daemons need more: the database must be open before the
API listens, every relay off before the spool closes. :class:`InOrder`
starts each child once the previous one has started, stops them last to
first (each after the one started after it has stopped), and, when a
child cannot start, stops the ones already started and fails, so a failed
start leaves nothing running.

:class:`Step` turns a pair of functions into a leaf of such a tree;
:class:`Opened` is the node for parts that exist only once something is
open (a database, a spool): it opens, builds its subtree from what it
opened (every collaborator given to its constructor, none filled in
later), starts it, and on the way down stops it and closes.
Only the standard library and Twisted are used: the daemons import this.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

from twisted.application.service import IService, MultiService, Service
from twisted.internet.defer import Deferred, ensureDeferred, maybeDeferred
from twisted.logger import Logger

log = Logger()

T = TypeVar("T")

Action = Callable[[], "Awaitable[Any] | Deferred[Any] | None"]


async def _run(action: Callable[..., Any], *args: Any) -> Any:
    """Call ``action`` and wait for what it returns, whether a Deferred, a coroutine or a plain value."""
    result = action(*args)
    if isinstance(result, Deferred):
        return await result
    if hasattr(result, "__await__"):
        return await result
    return result


class InOrder(MultiService):
    """A :class:`MultiService` whose children start one after the other and stop in reverse order.

    ``startService`` returns a Deferred that fires once every child has
    started, or fails (after stopping the children already started) with
    the first child's failure. A stop that arrives during the start waits
    for it to end first.
    """

    _starting: Deferred[None] | None = None

    def startService(self) -> Deferred[None]:  # type: ignore[override]
        Service.startService(self)
        self._starting = ensureDeferred(self._start_children())
        return self._starting

    async def _start_children(self) -> None:
        started: list[IService] = []
        try:
            for child in list(self):
                await maybeDeferred(child.startService)
                started.append(child)
        except BaseException:
            self.running = 0
            for child in reversed(started):
                await _stop_logged(child)
            raise

    def stopService(self) -> Deferred[None]:  # type: ignore[override]
        return ensureDeferred(self._stop_children())

    async def _stop_children(self) -> None:
        if self._starting is not None:
            try:
                await self._starting
            except Exception:  # noqa: S110  # the start's failure was reported to whoever started it
                pass
        if not self.running:
            return
        Service.stopService(self)
        for child in reversed(list(self)):
            if child.running:
                await _stop_logged(child)


async def _stop_logged(child: IService) -> None:
    """Stop one child; a failure is logged and the stop goes on, so the rest still stop."""
    try:
        await maybeDeferred(child.stopService)
    except Exception:
        log.failure("{name} did not stop cleanly", name=child.name or type(child).__name__)


class Step(Service):
    """A leaf: ``start`` and ``stop`` (each may return a Deferred or be a coroutine function).

    It counts as running only once ``start`` has succeeded, so a tree that
    stops after a failed start does not undo what never happened.
    """

    def __init__(self, name: str, start: Action | None, stop: Action | None = None) -> None:
        self.setName(name)
        self._start = start
        self._stop = stop

    def startService(self) -> Deferred[None]:  # type: ignore[override]
        return ensureDeferred(self._run_start())

    async def _run_start(self) -> None:
        await _run(self._start or _nothing)
        Service.startService(self)

    def stopService(self) -> Deferred[None]:  # type: ignore[override]
        Service.stopService(self)
        return ensureDeferred(_run(self._stop or _nothing))


def _nothing(*_: object) -> None:
    """The start, stop or close of what needs none."""


class Opened(InOrder, Generic[T]):
    """Opens something, builds the subtree that needs it, runs that; stops the subtree, then closes (if asked).

    ``built`` is the subtree while it exists (``None`` before the open and
    after the close), for whoever wants to look inside a running process.
    """

    def __init__(self, name: str, open: Callable[[], Awaitable[T] | Deferred[T]],
                 build: Callable[[T], IService], close: Callable[[T], Any] = _nothing) -> None:
        super().__init__()
        self.setName(name)
        self._open = open
        self._build = build
        self._close = close
        self.opened: T | None = None
        self.built: IService | None = None

    async def _start_children(self) -> None:
        opened = await _run(self._open)
        try:
            built = self._build(opened)
            # Attached as not yet running, or MultiService would start it at once, out of order.
            self.running = 0
            built.setServiceParent(self)
            self.running = 1
            self.opened, self.built = opened, built
            await super()._start_children()
        except BaseException:
            self.running = 0
            self._forget()
            await _run(self._close, opened)
            raise

    async def _stop_children(self) -> None:
        await super()._stop_children()
        opened = self.opened
        self._forget()
        if opened is not None:
            await _run(self._close, opened)

    def _forget(self) -> None:
        if self.built is not None:
            self.removeService(self.built)
        self.opened = self.built = None


class Listening(Service):
    """Serves ``site`` on a TCP port while running; ``port`` is the bound port then (``port=0`` picks one)."""

    def __init__(self, reactor: Any, port: int, site: Any, interface: str) -> None:
        self.setName("http")
        self.reactor, self.wanted, self.site, self.interface = reactor, port, site, interface
        self.listening: Any = None

    def startService(self) -> None:
        self.listening = self.reactor.listenTCP(self.wanted, self.site, interface=self.interface)
        Service.startService(self)

    def stopService(self) -> Deferred[None]:  # type: ignore[override]
        Service.stopService(self)
        listening, self.listening = self.listening, None
        return listening.stopListening()  # type: ignore[no-any-return]

    @property
    def port(self) -> int:
        return int(self.listening.getHost().port)
