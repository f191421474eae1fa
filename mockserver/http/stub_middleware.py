"""Pure-ASGI middleware: stubs, faults and chaos, decided before a ``/v1/`` request is handled.

For each API request (after authentication) it reads the body once, then:

1. reads the per-request headers ``x-mockserver-fault`` (a fault, or ``none`` to spare the request
   from chaos) and ``x-mockserver-pacing``
   (``first_event_ms=…,tokens_per_second=…,reply_delay_ms=…``);
   a bad value gets a 400 naming the header and the valid choices;
2. asks the stub registry which stub answers (``stubs/registry.py``);
3. answers at once with an HTTP fault or a stub's error (header fault first, then the stub's,
   then a chaos draw), or, in strict mode, with a 400 listing the nearest stubs when no stub
   answers ``POST /v1/responses``;
4. otherwise leaves a ``TurnPlan`` (the stub answer, stream fault, pacing) in the request scope
   for the route, and hands the request on with its body replayed.

Requests that no stub, header, chaos or strict mode could affect pass straight through.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import orjson
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockserver.contract.errors import ConfigurationError, InvalidRequestError
from mockserver.contract.inputs import normalize_input
from mockserver.contract.json_depth import json_depth_exceeds, raw_may_exceed
from mockserver.http.render import error_response
from mockserver.scenarios.faults import (
    FAULT_HEADER,
    PACING_HEADER,
    Chaos,
    Fault,
    FaultError,
    http_fault_error,
    parse_fault,
    parse_pacing,
)
from mockserver.scenarios.pacing import Pacing
from mockserver.scenarios.plan import DEFAULT_PLAN, PLAN_KEY, VERBATIM_KEY, TurnPlan
from mockserver.scenarios.stubs import RequestView
from mockserver.scenarios.stubs.model import CREATE_METHOD, CREATE_PATH
from mockserver.state.context_chain import stored_context
from mockserver.state.mock_state import MockState

_MOCK_HEADERS = (FAULT_HEADER.encode(), PACING_HEADER.encode())


def turn_plan(request: Request) -> TurnPlan:
    """The plan the middleware left for this create request (the default model when none)."""
    return request.scope.get("state", {}).get(PLAN_KEY, DEFAULT_PLAN)


def journal_finisher(state: MockState) -> Callable[[Scope], None]:
    """Marks the journal entry of a deliberately cut reply as finished (it never ends)."""

    def finish(scope: Scope) -> None:
        request_id = scope.get("state", {}).get("request_id")
        for exchange in reversed(state.journal.entries()):
            if exchange.request_id == request_id:
                state.journal.finish(exchange)
                return

    return finish


def request_context(state: MockState, body: dict[str, Any] | None) -> tuple[list[Any], list[Any]]:
    """(context, input items) of a create request, for matching; best effort before validation."""
    if not body:
        return [], []
    prior: list[Any] = []
    previous = body.get("previous_response_id")
    conversation = body.get("conversation")
    if isinstance(conversation, dict):
        conversation = conversation.get("id")
    if isinstance(previous, str):
        stored = state.store.get_response(previous)
        if stored is not None:
            prior = stored_context(state.store, stored)
    elif isinstance(conversation, str):
        found = state.store.get_conversation(conversation)
        if found is not None:
            prior = list(found.items)
    try:
        items = normalize_input(body.get("input"), lambda prefix: prefix)
    except Exception:  # malformed input: the route's validation answers it
        items = []
    return [*prior, *items], items


async def _buffer(receive: Receive, limit: int) -> tuple[bytes | None, list[Message]]:
    """The whole body (None when larger than ``limit``) and the messages read, to replay."""
    messages: list[Message] = []
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return None, messages
        size += len(message.get("body", b""))
        if size > limit:
            return None, messages
        if not message.get("more_body", False):
            break
    return b"".join(m.get("body", b"") for m in messages), messages


class StubMiddleware:
    def __init__(self, app: ASGIApp, state: MockState, chaos: Chaos | None = None) -> None:
        self.app = app
        self.state = state
        self.chaos = chaos or Chaos(0.0, None)

    def idle_server(self) -> bool:
        """No stub, strict stubs or chaos: only a request's own headers could bring this in."""
        return not (len(self.state.stubs) or self.state.config.strict_stubs or self.chaos.enabled)

    def _idle(self, scope: Scope) -> bool:
        """Nothing here can affect this request (the hot path: no parsing at all)."""
        if not self.idle_server():
            return False
        return not any(name in _MOCK_HEADERS for name, _ in scope["headers"])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or not scope["path"].startswith("/v1/")
            or scope["method"] == "OPTIONS"
        ):
            await self.app(scope, receive, send)
            return
        if self._idle(scope):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        raw, messages = await _buffer(receive, self.state.config.max_body_bytes)

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        if raw is None:
            await self.app(scope, replay, send)
            return
        try:
            parsed = orjson.loads(raw) if raw.strip() else None
        except orjson.JSONDecodeError:
            parsed = None
        body = parsed if isinstance(parsed, dict) else None
        if body is not None and raw_may_exceed(raw) and json_depth_exceeds(body):
            body = None  # the route answers the 400; matchers never walk it
        context, items = request_context(self.state, body)
        view = RequestView(scope["method"], scope["path"], headers, body, context, items)
        reply = self.decide(scope, view, headers)
        if isinstance(reply, TurnPlan):
            scope.setdefault("state", {})[PLAN_KEY] = reply
            await self.app(scope, replay, send)
            return
        error, delay = reply
        if isinstance(error, FaultError) and error.verbatim:
            scope.setdefault("state", {})[VERBATIM_KEY] = True
        if delay:
            await asyncio.sleep(delay)
        await error_response(error)(scope, replay, send)

    def decide(
        self, scope: Scope, view: RequestView, headers: dict[str, str]
    ) -> TurnPlan | tuple[Any, float]:
        try:
            header_fault, spare = _header_fault(headers)
            header_pacing = _header_pacing(headers)
        except ConfigurationError as exc:
            return InvalidRequestError(str(exc), code="invalid_mock_header"), 0.0
        entry = self.state.stubs.select(view) if len(self.state.stubs) else None
        answer = entry.stub.answer if entry is not None else None
        pacing = header_pacing or (answer.pacing if answer is not None else None)
        delay = pacing.reply_delay_seconds if pacing is not None else 0.0
        streaming = view.streaming
        fault = header_fault or (answer.fault if answer is not None else None)
        if fault is None and not spare and self.chaos.enabled:
            fault = self.chaos.draw(streaming=streaming)
        if fault is not None:
            fault = fault.for_request(streaming)
        model = (view.body or {}).get("model")
        model = model if isinstance(model, str) else None
        if answer is not None and answer.error is not None and header_fault is None:
            error = answer.error
            return FaultError(error.status, dict(error.body), error.headers, verbatim=True), delay
        if fault is not None and fault.is_http:
            request_id = scope.get("state", {}).get("request_id", "")
            return http_fault_error(fault, model=model, request_id=request_id), delay
        is_create = view.method == CREATE_METHOD and view.path == CREATE_PATH
        if entry is None and is_create and self.state.config.strict_stubs:
            miss = self.state.stubs.miss(view)
            return (
                InvalidRequestError(
                    f"{miss.describe()}\n(The mock server runs with strict stubs: every "
                    "request must match a stub.)",
                    code="no_stub_matched",
                ),
                0.0,
            )
        return TurnPlan(
            answer=answer,
            fault=fault,
            pacing=pacing,
            stub_id=entry.id if entry is not None else None,
            model=model,
        )


def _header_fault(headers: dict[str, str]) -> tuple[Fault | None, bool]:
    """(the fault the request asks for, whether it asks to be spared by chaos)."""
    value = headers.get(FAULT_HEADER)
    if value is None:
        return None, False
    if value.strip().lower() == "none":
        return None, True
    return parse_fault(value, f"header {FAULT_HEADER}: {value!r}"), False


def _header_pacing(headers: dict[str, str]) -> Pacing | None:
    value = headers.get(PACING_HEADER)
    if value is None:
        return None
    try:
        return Pacing(**parse_pacing(value, f"header {PACING_HEADER}: {value!r}"))
    except ValueError as exc:
        raise ConfigurationError(f"header {PACING_HEADER}: {exc}") from None
