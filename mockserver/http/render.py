"""Turn core results into HTTP responses: JSON bodies, SSE streams and the API's headers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Mapping
from typing import Any

import orjson
from starlette.responses import Response, StreamingResponse

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


def sse_response(
    events: Iterable[dict[str, Any]], pacing: Pacing = INSTANT
) -> StreamingResponse:
    async def frames() -> AsyncIterator[bytes]:
        for index, event in enumerate(events):
            delay = pacing.delay_before(index, event)
            if delay:
                await asyncio.sleep(delay)
            yield encode_event(event)

    return StreamingResponse(
        frames(), media_type=SSE_MEDIA_TYPE, headers={"cache-control": "no-cache"}
    )
