"""``GET /v1/responses`` upgraded to a WebSocket: the SDK's ``client.responses.connect()``.

Authentication happens in the handshake (``middleware.py``). Each ``response.create`` goes the
way a ``POST /v1/responses`` with ``stream: true`` goes: stubs, faults and chaos
(``StubMiddleware.decide``), validation and the turn (``responses.plan_create``), storage
(``responses.commit_turn``), and the same event plan, paced the same, sent one event per text
frame. Turns run one at a time, in arrival order; ``response.steer`` is answered while a turn
streams (``steering.py``). The connection keeps the last response it produced in memory, so
``previous_response_id`` works with ``store: false`` as the real API's connection-local cache
does.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import replace
from typing import Any

import orjson
from starlette.routing import WebSocketRoute
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect

from mockserver.contract.errors import APIError
from mockserver.http.routes.responses import commit_turn, plan_create
from mockserver.http.socket_events import (
    background_unsupported,
    check_envelope,
    create_body,
    error_event,
    for_socket,
    read_client_event,
)
from mockserver.http.steering import Steering
from mockserver.http.stub_middleware import StubMiddleware, request_context
from mockserver.model.events import encode_event
from mockserver.scenarios.faults import FaultError, cut_point
from mockserver.scenarios.journal import Exchange, redact_headers
from mockserver.scenarios.plan import VERBATIM_KEY, TurnPlan
from mockserver.scenarios.stubs import RequestView
from mockserver.scenarios.stubs.answers import StubAnswer
from mockserver.scenarios.stubs.model import CREATE_METHOD, CREATE_PATH
from mockserver.state.mock_state import MockState
from mockserver.state.store import StoredResponse

# A `cut_stream` fault drops the socket mid-turn. ASGI cannot drop the TCP connection itself, so
# the socket closes with 1011 (internal error), which the SDK's reconnect logic treats like a
# dropped connection (recoverable).
CUT_CLOSE_CODE = 1011
SSE_CONTENT_TYPE = "text/event-stream; charset=utf-8"


async def _unused_app(scope: Scope, receive: Receive, send: Send) -> None:
    raise AssertionError("the socket route only asks StubMiddleware to decide")


class SocketSession:
    """One connection: a reader that answers steering at once and queues creates, and a runner
    that plays the queued creates one at a time."""

    def __init__(self, websocket: WebSocket, state: MockState, decider: StubMiddleware) -> None:
        self.websocket = websocket
        self.state = state
        self.decider = decider
        self.headers = {k.lower(): v for k, v in websocket.headers.items()}
        self.journal_headers = redact_headers(websocket.scope["headers"])
        self.send_lock = asyncio.Lock()
        self.creates: asyncio.Queue[tuple[dict[str, Any], bytes] | None] = asyncio.Queue()
        self.steering = Steering(state.ids, self.send)
        # The connection-local cache: the last response this socket produced, stored or not.
        self.last: StoredResponse | None = None
        self.closed = False

    async def send(self, event: dict[str, Any], *, verbatim: bool = False) -> None:
        scope_state = self.websocket.scope.setdefault("state", {})
        async with self.send_lock:
            if self.closed:
                return
            scope_state[VERBATIM_KEY] = verbatim  # the self-check leaves a stub's own body alone
            try:
                await self.websocket.send_text(orjson.dumps(event).decode())
            finally:
                scope_state[VERBATIM_KEY] = False

    async def run(self) -> None:
        await self.websocket.accept()
        runner = asyncio.create_task(self._run_creates())
        try:
            await self._read()
        finally:
            # The client is gone: a turn still running has no one to send to.
            runner.cancel()
            with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect):
                await runner

    async def _read(self) -> None:
        while True:
            message = await self.websocket.receive()
            if message["type"] == "websocket.disconnect":
                self.closed = True
                return
            raw = message.get("text")
            raw = raw.encode() if raw is not None else message.get("bytes") or b""
            try:
                event = read_client_event(raw)
            except APIError as error:
                # Journaled like the POST with that body would be.
                exchange = self._journal(self.state.ids.request_id(), raw)
                await self._send_error(exchange, error, None)
                continue
            if event["type"] == "response.steer":
                await self.steering.steer(event)
            else:
                await self.creates.put((event, raw))

    async def _run_creates(self) -> None:
        while (queued := await self.creates.get()) is not None:
            if self.closed:
                return
            event, raw = queued
            await self.create(event, raw)

    async def create(self, event: dict[str, Any], raw: bytes) -> None:
        """One ``response.create``: the events SSE would stream for the same request."""
        stream_id = event.get("stream_id") if isinstance(event.get("stream_id"), str) else None
        body = create_body(event)
        taken = self.steering.apply_pending(body)
        request_id = self.state.ids.request_id()
        exchange = self._journal(request_id, raw)
        reply = self._decide(body, request_id)
        try:
            check_envelope(event)
            if body.get("background"):
                raise background_unsupported()
            if not isinstance(reply, TurnPlan):
                error, delay = reply
                if delay:
                    await asyncio.sleep(delay)
                raise error
            if event.get("generate") is False:
                # A warm-up: the response exists (and can be continued from) but has no output.
                reply = replace(reply, answer=StubAnswer(output=(), reasoning=False))
            planned = plan_create(self.state, body, self.headers, reply, local=self.last)
        except APIError as error:
            self.steering.restore(taken)
            await self._send_error(exchange, error, stream_id)
            return
        committed = commit_turn(self.state, planned, streaming=True)
        self.last = committed
        self.steering.started(committed.response, body)
        events = for_socket(list(committed.events), stream_id)
        fault = planned.plan.fault
        if fault is not None and fault.kind == "cut_stream":
            events = events[: cut_point(fault, len(events))]
        pacing = planned.plan.pacing or self.state.config.pacing
        exchange.status = 200
        exchange.response_headers = {
            "content-type": SSE_CONTENT_TYPE,
            "x-request-id": exchange.request_id,
        }
        for index, out in enumerate(events):
            delay = pacing.delay_before(index, out)
            if delay:
                await asyncio.sleep(delay)
            await self.send(out)
            self.state.journal.add_response_body(exchange, encode_event(out))
        self.state.journal.finish(exchange)
        if fault is not None and fault.kind == "cut_stream":
            self.closed = True
            await self.websocket.close(CUT_CLOSE_CODE)
            return
        successor = await self.steering.finished(committed.response)
        if successor is not None:
            await self.create(*successor)

    def _decide(self, body: dict[str, Any], request_id: str) -> TurnPlan | tuple[Any, float]:
        context, items = request_context(self.state, body)
        if self.last is not None and body.get("previous_response_id") == self.last.response["id"]:
            context = [*self.last.context, *items]
        view = RequestView(CREATE_METHOD, CREATE_PATH, self.headers, body, context, items)
        return self.decider.decide({"state": {"request_id": request_id}}, view, self.headers)

    def _journal(self, request_id: str, raw: bytes) -> Exchange:
        exchange = self.state.journal.start(
            request_id=request_id,
            started_at=self.state.clock.now(),
            method=CREATE_METHOD,
            path=CREATE_PATH,
            query="",
            request_headers=self.journal_headers,
            transport="websocket",
        )
        self.state.journal.set_request_body(exchange, raw)
        return exchange

    async def _send_error(
        self, exchange: Exchange, error: APIError, stream_id: str | None
    ) -> None:
        verbatim = isinstance(error, FaultError) and error.verbatim
        event = error_event(error, stream_id)
        exchange.status = error.status_code
        exchange.response_headers = {
            "content-type": "application/json",
            "x-request-id": exchange.request_id,
        }
        self.state.journal.add_response_body(exchange, orjson.dumps(event))
        self.state.journal.finish(exchange)
        await self.send(event, verbatim=verbatim)


async def responses_socket(websocket: WebSocket) -> None:
    state: MockState = websocket.app.state.mock
    decider = StubMiddleware(_unused_app, state, websocket.app.state.chaos)
    session = SocketSession(websocket, state, decider)
    with contextlib.suppress(WebSocketDisconnect):
        await session.run()


routes = [WebSocketRoute(CREATE_PATH, responses_socket)]
