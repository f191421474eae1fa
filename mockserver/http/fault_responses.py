"""Replies that break on purpose: a stream or a JSON body whose connection drops midway.

The cut is real: the status line, headers and the first part of the body go out, then the server
closes the connection without ending the body (no final chunk, or fewer bytes than
``content-length``), so the client's HTTP library raises a protocol error exactly as when a
connection to the real API dies (the openai SDK reports ``APIConnectionError``, and retries a
request that had not started streaming).
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import orjson
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from mockserver.http.render import SSE_MEDIA_TYPE, json_response, sse_response
from mockserver.model.events import encode_event
from mockserver.scenarios.faults import Fault, cut_point
from mockserver.scenarios.pacing import Pacing

# uvicorn logs an error when an app ends a response without finishing it; a deliberate cut is
# not one, so the record is dropped while this is set (it is set in the request's own context).
_CUTTING: contextvars.ContextVar[bool] = contextvars.ContextVar("mockserver_cut", default=False)
UNFINISHED = "ASGI callable returned without completing response."
# ... and when a WebSocket upgrade was refused with an HTTP reply (a bad key in the handshake).
UNFINISHED_HANDSHAKE = "ASGI callable returned without completing handshake."


class _DeliberateCutFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not (_CUTTING.get() and record.getMessage() in (UNFINISHED, UNFINISHED_HANDSHAKE))


def mark_deliberate() -> None:
    """This request's connection ends unfinished on purpose: uvicorn need not log it."""
    _CUTTING.set(True)


logging.getLogger("uvicorn.error").addFilter(_DeliberateCutFilter())


class CutResponse(Response):
    """Sends ``chunks`` (paced by ``delays``) and then drops the connection."""

    def __init__(
        self,
        chunks: Sequence[bytes],
        delays: Sequence[float],
        *,
        status_code: int,
        media_type: str,
        headers: Mapping[str, str] | None = None,
        content_length: int | None = None,
        on_cut: Callable[[Scope], None] | None = None,
    ) -> None:
        super().__init__(
            status_code=status_code, media_type=media_type, headers=dict(headers or {})
        )
        del self.headers["content-length"]  # Response fills in the empty body's length
        if content_length is not None:
            self.headers["content-length"] = str(content_length)
        self.chunks = list(chunks)
        self.delays = list(delays)
        self.on_cut = on_cut

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        for chunk, delay in zip(self.chunks, self.delays, strict=True):
            if delay:
                await asyncio.sleep(delay)
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        _CUTTING.set(True)
        if self.on_cut is not None:
            self.on_cut(scope)


def stream_reply(
    events: list[dict[str, Any]],
    pacing: Pacing,
    fault: Fault | None,
    on_cut: Callable[[Scope], None] | None = None,
) -> Response:
    """The SSE reply of a turn; with a ``cut_stream`` fault it stops after N events."""
    if fault is None or fault.kind != "cut_stream":
        return sse_response(events, pacing)
    sent = events[: cut_point(fault, len(events))]
    return CutResponse(
        [encode_event(e) for e in sent],
        [pacing.delay_before(i, e) for i, e in enumerate(sent)],
        status_code=200,
        media_type=SSE_MEDIA_TYPE,
        headers={"cache-control": "no-cache"},
        on_cut=on_cut,
    )


def json_reply(
    body: Any,
    headers: Mapping[str, str],
    fault: Fault | None,
    on_cut: Callable[[Scope], None] | None = None,
) -> Response:
    """A JSON reply; with a ``cut_stream`` fault only the first half of the body is sent."""
    if fault is None or fault.kind != "cut_stream":
        return json_response(body, headers=headers)
    raw = orjson.dumps(body, option=orjson.OPT_INDENT_2)
    return CutResponse(
        [raw[: len(raw) // 2]],
        [0.0],
        status_code=200,
        media_type="application/json",
        headers=headers,
        content_length=len(raw),
        on_cut=on_cut,
    )
