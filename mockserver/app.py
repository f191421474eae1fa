"""The Starlette application factory: routes, error rendering, middleware."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response

from .clock import Clock
from .config import ServerConfig
from .errors import APIError, NotFoundError
from .ids import IdFactory
from .middleware import APIMiddleware
from .render import error_response
from .routes import responses
from .seed import load_seed
from .state import MockState
from .store import MemoryStore, Store


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
) -> Starlette:
    config = config or ServerConfig()
    state = MockState(config=config, store=store or MemoryStore())
    if clock is not None:
        state.clock = clock
    state.ids = ids or IdFactory(config.id_seed)
    if config.seed_file is not None:
        load_seed(state, config.seed_file)
    middleware = [Middleware(APIMiddleware, state=state)]
    if config.self_check:
        from .self_check import SelfCheckMiddleware

        middleware.insert(0, Middleware(SelfCheckMiddleware, state=state))
    app = Starlette(
        routes=[*responses.routes],
        middleware=middleware,
        exception_handlers={
            APIError: on_api_error,
            HTTPException: on_http_error,
        },
    )
    app.state.mock = state
    return app
