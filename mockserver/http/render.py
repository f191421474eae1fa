"""Turn core results into HTTP responses: JSON bodies, SSE streams and the API's headers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from typing import Any

import orjson
from starlette.responses import Response, StreamingResponse
from starlette.types import Message, Receive, Scope, Send

from mockserver.contract.errors import APIError
from mockserver.model.events import encode_event
from mockserver.scenarios.pacing import INSTANT, Pacing

SSE_MEDIA_TYPE = "text/event-stream; charset=utf-8"

# Rate-limit headers the real API sends on non-streaming replies; the mock never limits, so
# these show a generous, untouched budget.
RATE_LIMIT_HEADERS = {
    "x-ratelimit-limit-requests": "10000",
    "x-ratelimit-limit-tokens": "30000000",
    "x-ratelimit-remaining-requests": "9999",
    "x-ratelimit-remaining-tokens": "29999000",
    "x-ratelimit-reset-requests": "6ms",
    "x-ratelimit-reset-tokens": "0s",
}


class JSONResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        # The real API pretty-prints every JSON body with a 2-space indent, no final newline.
        return orjson.dumps(content, option=orjson.OPT_INDENT_2)


def json_response(
    body: Any, status_code: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    return JSONResponse(body, status_code=status_code, headers=dict(headers or {}))


def error_response(error: APIError) -> Response:
    return json_response(error.body(), error.status_code, error.headers)


# An unpaced stream's frames after the first go out in messages of about this size.
STREAM_BATCH_BYTES = 64 * 1024


class EventStreamResponse(Response):
    """An unpaced SSE reply: the first event in a message of its own, then the others in as few
    messages as ``STREAM_BATCH_BYTES`` allows, the last one ending the body.

    The bytes are those of one message per event. Unpaced, every event is ready at once, so a
    client cannot tell the two apart except by the cost: each message passes the middleware and
    becomes a write and an HTTP chunk of its own (a paced stream, ``--first-event-ms`` or
    ``--tokens-per-second``, still sends one event per message, at its time). The first event
    goes alone so that it reaches the client as early as it can. Unlike ``StreamingResponse`` it
    starts no task to watch for a disconnect: nothing here waits, and once the client has gone
    the server's ``send`` returns at once (uvicorn) or raises.
    """

    media_type = SSE_MEDIA_TYPE

    def __init__(
        self, events: Sequence[dict[str, Any]], headers: Mapping[str, str] | None = None
    ) -> None:
        self.events = events
        self.status_code = 200
        self.background = None
        self.init_headers({**_SSE_HEADERS, **(headers or {})})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
        events = self.events
        rest = events
        if len(events) > 1:
            await send(_body(encode_event(events[0]), more=True))
            rest = events[1:]
        batch: list[bytes] = []
        size = 0
        try:
            for event in rest:
                frame = encode_event(event)
                if batch and size + len(frame) > STREAM_BATCH_BYTES:
                    await send(_body(b"".join(batch), more=True))
                    batch, size = [], 0
                batch.append(frame)
                size += len(frame)
        except Exception:
            if batch:  # a bug mid-stream: the client still gets every event made before it
                await send(_body(b"".join(batch), more=True))
            raise
        await send(_body(b"".join(batch), more=False))

    @property
    def body_iterator(self) -> AsyncIterator[bytes]:
        """The frames, as ``StreamingResponse`` offers them."""

        async def frames() -> AsyncIterator[bytes]:
            for event in self.events:
                yield encode_event(event)

        return frames()


_SSE_HEADERS = {"cache-control": "no-cache"}


def _body(chunk: bytes, *, more: bool) -> Message:
    return {"type": "http.response.body", "body": chunk, "more_body": more}


def sse_response(events: Iterable[dict[str, Any]], pacing: Pacing = INSTANT) -> Response:
    """The SSE reply of ``events``, delivered at ``pacing``."""
    if not pacing.first_event_seconds and not pacing.tokens_per_second:
        return EventStreamResponse(list(events))

    async def frames() -> AsyncIterator[bytes]:
        for index, event in enumerate(events):
            delay = pacing.delay_before(index, event)
            if delay:
                await asyncio.sleep(delay)
            yield encode_event(event)

    return StreamingResponse(frames(), media_type=SSE_MEDIA_TYPE, headers=_SSE_HEADERS)
