"""``/__mockserver/inspector``: a live page showing what the server saw and what it stores.

- ``GET /__mockserver/inspector``: the page (plus its ``inspector.js`` and ``inspector.css``);
- ``GET /__mockserver/inspector/events``: an SSE stream for the page. ``exchange`` messages carry
  a whole request/reply (every journal entry on connect, then each one as it starts, gets its
  reply headers and finishes); ``events`` messages carry the SSE events a streaming reply has sent
  since the last message, so the page shows a stream event by event;
- ``GET /__mockserver/inspector/state?limit=N``: the newest N (default 50, at most 500) stored
  responses, conversations and background jobs, and their totals. O(N) whatever the store holds
  (the store's ``newest_*`` and ``totals``); made off the event loop and shared between callers
  (``StateViews``);
- ``GET /__mockserver/inspector/state/{responses|conversations|background}?limit=N&before=ID``:
  one page of one of those lists, newest first, as the API pages lists (``data``, ``first_id``,
  ``last_id``, ``has_more``); the next page is ``before=<last_id>``.

The inspector is mounted *in front of* the API middleware (``InspectorMiddleware``), so its own
requests never enter the journal and are not schema-checked; with an admin key (``--admin-key``,
else ``--api-key``) it needs that key (``http/admin_auth.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from mockserver.contract.errors import APIError, empty_string, out_of_range
from mockserver.http import admin_auth
from mockserver.http.inspector import (
    ASSETS,
    DEFAULT_LIMIT,
    MAX_LIMIT,
    PREFIX,
    asset,
    exchange_view,
    parse_frames,
    store_page,
    store_view,
)
from mockserver.http.render import error_response
from mockserver.http.routes.common import query_int
from mockserver.scenarios.journal import Exchange
from mockserver.state.mock_state import MockState

# How often a reply that is still streaming is checked for new events (the journal announces
# only the start and the end of an exchange).
POLL_SECONDS = 0.05
# An idle stream ends after this long and the page's EventSource reconnects (resuming from the
# last `id:`), so an open inspector never holds up a server that is shutting down: uvicorn waits
# for open connections before it exits.
LIFETIME_SECONDS = 1.0
RETRY_MS = 250
NO_STORE = {"cache-control": "no-store"}


def message(name: str, data: Any) -> bytes:
    return b"event: " + name.encode() + b"\ndata: " + orjson.dumps(data) + b"\n\n"


@dataclass
class _Live:
    """A reply still in flight, and how much of it the page has been sent."""

    exchange: Exchange
    status: int | None
    offset: int
    sent: int


def _exchange_message(exchange: Exchange, live: dict[int, _Live]) -> bytes:
    view, offset = exchange_view(exchange)
    if exchange.finished:
        live.pop(exchange.seq, None)
    else:
        live[exchange.seq] = _Live(exchange, exchange.status, offset, len(view["events"] or []))
    return message("exchange", view)


def _progress(tracked: _Live, live: dict[int, _Live]) -> bytes:
    exchange = tracked.exchange
    if exchange.finished or exchange.status != tracked.status:
        return _exchange_message(exchange, live)
    if not exchange.streamed:
        return b""
    events, tracked.offset = parse_frames(exchange.response_body, tracked.offset)
    if not events:
        return b""
    start, tracked.sent = tracked.sent, tracked.sent + len(events)
    return message("events", {"seq": exchange.seq, "start": start, "events": events})


def _cursor(live: dict[int, _Live], newest: int) -> int:
    """The highest seq up to which every exchange has been sent finished."""
    return min(live) - 1 if live else newest


async def event_stream(
    state: MockState, after: int = 0, lifetime: float = LIFETIME_SECONDS, server: str = ""
) -> AsyncIterator[bytes]:
    """The page's feed: every exchange after ``after`` (from the page's `Last-Event-ID`), then
    each change as it happens; it ends once ``lifetime`` has passed and no reply is in flight.

    ``server`` names this server instance in the ``hello`` message and in every id, so a page
    left open across a restart starts afresh instead of resuming from the old server's place.
    """
    loop = asyncio.get_running_loop()
    ends_at = loop.time() + lifetime
    queue = state.journal.subscribe()
    live: dict[int, _Live] = {}
    newest = cursor = after
    try:
        chunk = f"retry: {RETRY_MS}\n\n".encode() + message("hello", {"server": server})
        arrived = [e for e in state.journal.entries() if e.seq > after]
        while True:
            while not queue.empty():
                arrived.append(queue.get_nowait())
            for exchange in arrived:
                if exchange.seq <= after:
                    continue
                newest = max(newest, exchange.seq)
                chunk += _exchange_message(exchange, live)
            chunk += b"".join(_progress(tracked, live) for tracked in list(live.values()))
            if _cursor(live, newest) != cursor:
                cursor = _cursor(live, newest)
                chunk += f"id: {server}.{cursor}\n\n".encode()
            if chunk:
                yield chunk
            remaining = ends_at - loop.time()
            if not live and remaining <= 0:
                return
            chunk, arrived = b"", []
            with contextlib.suppress(TimeoutError):
                timeout = POLL_SECONDS if live else remaining
                arrived.append(await asyncio.wait_for(queue.get(), timeout))
    finally:
        state.journal.unsubscribe(queue)


def _state(request: Request) -> MockState:
    return request.app.state.mock


async def page(request: Request) -> Response:
    name = request.path_params.get("name", "index.html")
    if name not in ASSETS:
        return PlainTextResponse(f"Not Found: {request.url.path}", status_code=404)
    return Response(asset(name), media_type=ASSETS[name], headers=NO_STORE)


async def to_page(request: Request) -> Response:
    return RedirectResponse(PREFIX, status_code=307)


def resume_point(last_event_id: str, server: str) -> int:
    """Where a reconnecting page left off: 0 unless it was reading this very server."""
    seen_server, _, seq = last_event_id.rpartition(".")
    return int(seq) if seen_server == server and seq.isdigit() else 0


async def events(request: Request) -> Response:
    server = request.app.state.server
    after = resume_point(request.headers.get("last-event-id", ""), server)
    return StreamingResponse(
        event_stream(_state(request), after, server=server),
        media_type="text/event-stream; charset=utf-8",
        headers={**NO_STORE, "x-accel-buffering": "no"},
    )


class StateViews:
    """``/state`` answers, made in a worker thread (a shared store is a network or disk away: the
    event loop must not wait on it) and shared: while one is being made, other callers wait for
    it, and it is reused until the journal sees a new request or the server's clock reaches the
    next second (background jobs move on with the clock)."""

    def __init__(self, state: MockState) -> None:
        self.state = state
        self._lock = asyncio.Lock()
        self._made: tuple[tuple[int, int, int], bytes] | None = None

    async def body(self, limit: int) -> bytes:
        async with self._lock:
            state = self.state
            now = state.clock.now()
            key = (limit, state.journal.newest_seq, int(now))
            if self._made is not None and self._made[0] == key:
                return self._made[1]
            body = await run_in_threadpool(
                lambda: orjson.dumps(store_view(state.store, now, limit))
            )
            self._made = (key, body)
            return body


def _limit(request: Request) -> int:
    limit = query_int(request, "limit")
    if limit is None:
        return DEFAULT_LIMIT
    if not 1 <= limit <= MAX_LIMIT:
        above = limit > MAX_LIMIT
        raise out_of_range("limit", "integer", MAX_LIMIT if above else 1, limit, above=above)
    return limit


async def store(request: Request) -> Response:
    body = await request.app.state.views.body(_limit(request))
    return Response(body, media_type="application/json", headers=NO_STORE)


async def store_list(request: Request) -> Response:
    """One page of one of the state's lists (``store_page``), made off the event loop."""
    limit = _limit(request)
    before = request.query_params.get("before")
    if before == "":
        raise empty_string("before")
    state = _state(request)
    now = state.clock.now()
    kind = request.path_params["kind"]
    body = await run_in_threadpool(
        lambda: orjson.dumps(store_page(state.store, kind, now, limit, before))
    )
    return Response(body, media_type="application/json", headers=NO_STORE)


async def _on_api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, APIError)
    return error_response(exc)


routes = [
    Route(PREFIX, page, methods=["GET"]),
    Route(f"{PREFIX}/", to_page, methods=["GET"]),
    Route(f"{PREFIX}/events", events, methods=["GET"]),
    Route(f"{PREFIX}/state", store, methods=["GET"]),
    Route(f"{PREFIX}/state/{{kind}}", store_list, methods=["GET"]),
    Route(f"{PREFIX}/{{name}}", page, methods=["GET"]),
]


def inspector_app(state: MockState) -> Starlette:
    app = Starlette(routes=routes, exception_handlers={APIError: _on_api_error})
    app.state.mock = state
    app.state.views = StateViews(state)
    app.state.server = secrets.token_hex(4)
    return app


class InspectorMiddleware:
    """Serve ``/__mockserver/inspector...`` from the inspector's own app, everything else from
    the API."""

    def __init__(self, app: ASGIApp, state: MockState) -> None:
        self.app = app
        self.state = state
        self.inspector = inspector_app(state)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and (path == PREFIX or path.startswith(PREFIX + "/")):
            if not await admin_auth.refused(scope, receive, send, self.state.config):
                await self.inspector(scope, receive, send)
            return
        await self.app(scope, receive, send)
