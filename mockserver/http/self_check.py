"""Validate every body and SSE event the server emits against ``schemas/`` (strict), as it goes.

Installed by ``ServerConfig(self_check=True)`` (the pytest plugin turns it on with the ini option
``mockserver_self_check``; this project's own suite always does). A body that does not conform is
recorded as a server failure, so ``MockServer`` re-raises it in the test that caused it. Costly:
meant for tests, not for serving.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockserver.contract.conformance import Conformance
from mockserver.contract.route_schemas import schema_for
from mockserver.scenarios.plan import VERBATIM_KEY
from mockserver.state.mock_state import MockState


class SchemaMismatch(AssertionError):
    """A body or event the mock emitted does not conform to the SDK-generated schemas."""




def parse_sse(raw: bytes) -> tuple[list[dict[str, Any]], list[str]]:
    """Events of an SSE body, and framing problems (event name != data.type, bad JSON)."""
    events: list[dict[str, Any]] = []
    problems: list[str] = []
    for frame in raw.split(b"\n\n"):
        if not frame.strip():
            continue
        fields: dict[str, str] = {}
        for line in frame.decode().split("\n"):
            name, _, value = line.partition(": ")
            fields[name] = value
        try:
            data = orjson.loads(fields.get("data", ""))
        except orjson.JSONDecodeError:
            problems.append(f"frame without JSON data: {frame[:120]!r}")
            continue
        if fields.get("event") != data.get("type"):
            problems.append(f"event line {fields.get('event')!r} != data.type {data.get('type')!r}")
        events.append(data)
    return events, problems


def check_exchange(
    conformance: Conformance, method: str, path: str, status: int, content_type: str, body: bytes
) -> list[str]:
    """Every problem with one reply; empty when it conforms."""
    if not path.startswith("/v1/"):
        return []
    if content_type.startswith("text/event-stream"):
        events, problems = parse_sse(body)
        for expected, event in enumerate(events):
            if event.get("sequence_number") != expected and path.endswith(("/responses",)):
                problems.append(f"sequence_number {event.get('sequence_number')} at {expected}")
            problems += conformance.event_errors(event)
        return problems
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return [f"{method} {path} answered {status} with a body that is not JSON"]
    if status >= 400:
        return conformance.errors("ErrorBody", data)
    known, schema = schema_for(method, path)
    if not known:
        return [f"{method} {path}: no schema registered in self_check.ROUTE_SCHEMAS"]
    if schema is None:
        return []
    if isinstance(data, dict) and data.get("object") == "list" and data.get("data") == []:
        # An empty list has no first or last item: OpenAI's list endpoints send null ids there,
        # which the SDK's `first_id: str` / `last_id: str` cannot say (an empty conversation).
        nulls = {key: "" for key in ("first_id", "last_id") if key in data and data[key] is None}
        data = {**data, **nulls}
    return conformance.errors(schema, data)


class SelfCheckMiddleware:
    def __init__(self, app: ASGIApp, state: MockState) -> None:
        self.app = app
        self.state = state
        self.conformance = Conformance()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await self.app(scope, receive, self._socket_checker(scope, send))
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 0
        content_type = ""
        chunks: list[bytes] = []

        async def checking_send(message: Message) -> None:
            nonlocal status, content_type
            if message["type"] == "http.response.start":
                status = message["status"]
                for name, value in message.get("headers", []):
                    if name.lower() == b"content-type":
                        content_type = value.decode()
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                # A reply a stub scripted verbatim (or Cloudflare's 502 body) is not ours to judge.
                verbatim = scope.get("state", {}).get(VERBATIM_KEY)
                if not message.get("more_body", False) and not verbatim:
                    problems = check_exchange(
                        self.conformance, scope["method"], scope["path"], status, content_type,
                        b"".join(chunks),
                    )
                    if problems:
                        listed = "\n".join(f"  - {p}" for p in problems[:20])
                        self.state.record_failure(
                            SchemaMismatch(
                                f"{scope['method']} {scope['path']} -> {status}: the mock emitted "
                                f"{len(problems)} non-conforming value(s):\n{listed}"
                            )
                        )
            await send(message)

        await self.app(scope, receive, checking_send)

    def _socket_checker(self, scope: Scope, send: Send) -> Send:
        """Checks every event a WebSocket sends, and that each response's events count their
        ``sequence_number`` from 0 as SSE does (steering events count on their own)."""
        expected = 0

        async def checking_send(message: Message) -> None:
            nonlocal expected
            text = message.get("text") if message["type"] == "websocket.send" else None
            if text is not None and not scope.get("state", {}).get(VERBATIM_KEY):
                event = orjson.loads(text)
                problems = self.conformance.socket_event_errors(event)
                kind = event.get("type", "") if isinstance(event, dict) else ""
                in_stream = not kind.startswith("response.steer.") and (
                    kind != "error" or "sequence_number" in event
                )
                if kind == "response.created":
                    expected = 0
                if in_stream:
                    number = event.get("sequence_number")
                    if number != expected:
                        problems.append(f"sequence_number {number} at {expected}")
                    expected += 1
                if problems:
                    listed = "\n".join(f"  - {p}" for p in problems[:20])
                    self.state.record_failure(
                        SchemaMismatch(
                            f"WebSocket {scope['path']}: the mock sent a non-conforming "
                            f"{kind!r} event:\n{listed}"
                        )
                    )
            await send(message)

        return checking_send
