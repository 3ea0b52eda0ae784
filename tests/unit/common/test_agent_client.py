"""The daemons' HTTP client: plain Twisted, and a body that never ends does not hold the connection."""

from __future__ import annotations

import pytest
import pytest_twisted
from twisted.internet import reactor
from twisted.internet.defer import Deferred, TimeoutError
from twisted.web.client import Agent
from twisted.web.resource import Resource
from twisted.web.server import NOT_DONE_YET, Request, Site

from rpymostat.common.http import AgentClient, SignedJsonClient


class Answers(Resource):
    """``/ok`` answers JSON; ``/stall`` sends half a body and then nothing, noting when the client hangs up."""

    isLeaf = True

    def __init__(self) -> None:
        super().__init__()
        self.hung_up: Deferred[None] = Deferred()

    def render_PUT(self, request: Request) -> bytes | int:
        if request.path == b"/ok":
            request.setHeader(b"content-type", b"application/json")
            return b'{"status": "ok", "echo": ' + request.content.read() + b"}"
        request.setHeader(b"content-length", b"100")
        request.write(b'{"status": ')
        request.notifyFinish().addErrback(lambda _: self.hung_up.callback(None))
        return NOT_DONE_YET


@pytest.fixture
def server():
    answers = Answers()
    port = reactor.listenTCP(0, Site(answers), interface="127.0.0.1")
    yield answers, f"http://127.0.0.1:{port.getHost().port}"
    port.stopListening()


@pytest_twisted.ensureDeferred
async def test_a_signed_request_gets_its_json_answer(server):
    _, url = server
    client = SignedJsonClient(AgentClient(Agent(reactor)), reactor, "den-pi", "s" * 32)

    answer = await client.request("PUT", url, "/ok", {"n": 1})

    assert (answer.code, answer.body) == (200, {"status": "ok", "echo": {"n": 1}})


@pytest_twisted.ensureDeferred
async def test_a_body_that_never_ends_times_out_and_drops_the_connection(server):
    answers, url = server
    client = SignedJsonClient(AgentClient(Agent(reactor)), reactor, "den-pi", "s" * 32, timeout=0.3)

    with pytest.raises(TimeoutError):
        await client.request("PUT", url, "/stall", {"n": 1})
    await answers.hung_up.addTimeout(10, reactor)

    assert answers.hung_up.called
