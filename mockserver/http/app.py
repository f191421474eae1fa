"""The Starlette application factory: routes, error rendering, middleware."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response

from mockserver.contract.errors import APIError, NotFoundError
from mockserver.contract.ids import IdFactory
from mockserver.http.cors import cors_options
from mockserver.http.front import FrontMiddleware
from mockserver.http.render import error_response
from mockserver.http.routes import (
    background,
    compact,
    conversations,
    responses,
    responses_socket,
)
from mockserver.scenarios.clock import Clock
from mockserver.scenarios.faults import Chaos
from mockserver.scenarios.stubs import load_stubs
from mockserver.state.config import ServerConfig
from mockserver.state.mock_state import MockState
from mockserver.state.seed import load_seed
from mockserver.state.store import Retention, Store, open_store

if TYPE_CHECKING:
    from mockserver.http.replay import ReplayConfig


def invalid_url(request: Request) -> APIError:
    # The real API answers a known path with the wrong method like an unknown path: 404.
    return NotFoundError(f"Invalid URL ({request.method} {request.url.path})")


async def on_api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, APIError)
    return error_response(exc)


async def on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code in (404, 405):
        return error_response(invalid_url(request))
    return error_response(APIError(str(exc.detail)))


def create_app(
    config: ServerConfig | None = None,
    *,
    store: Store | None = None,
    clock: Clock | None = None,
    ids: IdFactory | None = None,
    replay: ReplayConfig | None = None,
) -> Starlette:
    config = config or ServerConfig()
    if store is None:
        store = open_store(config.store_url, Retention(scale=config.retention_scale))
    state = MockState(config=config, store=store)
    if clock is not None:
        state.clock = clock
    state.ids = ids or IdFactory(config.id_seed)
    if config.seed_file is not None:
        load_seed(state, config.seed_file)
    state.stubs.extend(load_stubs(Path(p) for p in config.stubs), permanent=True)
    chaos = Chaos(config.chaos_rate, config.chaos_seed, config.chaos_faults or None)
    layer = None
    if replay is not None:
        # Only now: recording and replay are not loaded by a server that does neither.
        from mockserver.http.replay import ReplayLayer

        layer = ReplayLayer(replay, state)
    # Host check, CORS, inspector, admin API, record/replay, self-check, API headers and journal,
    # stubs and faults, in that order; the ordinary create takes a short lane (front.py).
    cors = cors_options(config.cors_origins)  # a bad origin fails here, before serving
    middleware = [Middleware(FrontMiddleware, state=state, chaos=chaos, cors=cors, replay=layer)]
    app = Starlette(
        routes=[
            *responses.routes,
            *responses_socket.routes,  # GET /v1/responses as a WebSocket
            *compact.routes,
            *background.routes,
            *conversations.routes,
        ],
        middleware=middleware,
        exception_handlers={
            APIError: on_api_error,
            HTTPException: on_http_error,
        },
    )
    app.state.mock = state
    app.state.chaos = chaos  # the socket route decides faults per turn, as StubMiddleware does
    app.state.replay = layer
    return app
