"""The admin API under ``/__mockserver/`` (a prefix the real API never uses).

==========================================  ===================================================
``GET    /__mockserver/stubs``              every stub with its counters
``POST   /__mockserver/stubs``              add a stub, a list, or ``{"stubs": [...]}``
``DELETE /__mockserver/stubs``              drop stubs added at run time (``?all=true``: all)
``GET    /__mockserver/stubs/{id}``         one stub
``DELETE /__mockserver/stubs/{id}``         remove one stub
``GET    /__mockserver/scenarios``          scenario states
``PUT    /__mockserver/scenarios/{name}``   set a state: ``{"state": "…"}``
``GET    /__mockserver/unmatched``          strict-mode misses, with the nearest stubs
``GET    /__mockserver/journal``            requests seen (``?path=``, ``?method=``, ``?limit=``)
``DELETE /__mockserver/journal``            forget them
``POST   /__mockserver/reset``              back to the start-up state (seed, start-up stubs)
==========================================  ===================================================

``/__mockserver/inspector`` is the browser inspector's. Like it, the admin API is mounted in
front of the API middleware (``AdminMiddleware``): its requests never enter the journal and are
not schema-checked. Both need the admin key when the server has one (``--admin-key``, else
``--api-key``; see ``http/admin_auth.py``).
"""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from mockserver.contract.errors import (
    APIError,
    ConfigurationError,
    InvalidRequestError,
    NotFoundError,
)
from mockserver.http import admin_auth
from mockserver.http.render import error_response, json_response
from mockserver.http.routes.common import (
    mock_state,
    parse_json,
    query_bool,
    query_int,
    read_body,
    read_json_object,
)
from mockserver.scenarios.journal_query import JournalView
from mockserver.scenarios.stubs import stubs_from_document
from mockserver.state.mock_state import MockState

PREFIX = "/__mockserver"


def _list(data: list[Any]) -> Response:
    return json_response({"object": "list", "data": data})


async def list_stubs(request: Request) -> Response:
    return _list([e.to_dict() for e in mock_state(request).stubs.entries()])


async def add_stubs(request: Request) -> Response:
    state = mock_state(request)
    document = parse_json(await read_body(request))
    try:
        stubs = stubs_from_document(document, "admin API")
    except ConfigurationError as exc:
        raise InvalidRequestError(str(exc), code="invalid_stub") from None
    return _list([e.to_dict() for e in state.stubs.extend(stubs)])


async def clear_stubs(request: Request) -> Response:
    state = mock_state(request)
    if query_bool(request, "all"):
        state.stubs.clear()
    else:
        state.stubs.reset()
    return _list([e.to_dict() for e in state.stubs.entries()])


def _entry(request: Request) -> Any:
    stub_id = request.path_params["stub_id"]
    entry = mock_state(request).stubs.get(stub_id)
    if entry is None:
        raise NotFoundError(f"No stub with id '{stub_id}'.")
    return entry


async def get_stub(request: Request) -> Response:
    return json_response(_entry(request).to_dict())


async def delete_stub(request: Request) -> Response:
    entry = _entry(request)
    mock_state(request).stubs.remove(entry.id)
    return json_response({"id": entry.id, "deleted": True})


async def list_scenarios(request: Request) -> Response:
    return json_response({"scenarios": mock_state(request).stubs.states()})


async def set_scenario(request: Request) -> Response:
    body = await read_json_object(request)
    state = body.get("state")
    if not isinstance(state, str) or set(body) != {"state"}:
        raise InvalidRequestError('Expected a body {"state": "<name>"}.', param="state")
    name = request.path_params["name"]
    mock_state(request).stubs.set_state(name, state)
    return json_response({"scenario": name, "state": state})


async def unmatched(request: Request) -> Response:
    misses = mock_state(request).stubs.misses
    return _list(
        [
            {
                "method": m.method,
                "path": m.path,
                "nearest": [{"stub": n, "unmet": p} for n, p in m.nearest],
            }
            for m in misses
        ]
    )


async def journal(request: Request) -> Response:
    view = JournalView(mock_state(request).journal)
    found = view.requests(request.query_params.get("path"), request.query_params.get("method"))
    limit = query_int(request, "limit")
    if limit is not None:
        found = found[-limit:] if limit > 0 else []
    return _list([e.to_dict() for e in found])


async def clear_journal(request: Request) -> Response:
    mock_state(request).journal.clear()
    return _list([])


async def reset(request: Request) -> Response:
    mock_state(request).reset()
    return json_response({"reset": True})


routes = [
    Route(f"{PREFIX}/stubs", list_stubs, methods=["GET"]),
    Route(f"{PREFIX}/stubs", add_stubs, methods=["POST"]),
    Route(f"{PREFIX}/stubs", clear_stubs, methods=["DELETE"]),
    Route(f"{PREFIX}/stubs/{{stub_id}}", get_stub, methods=["GET"]),
    Route(f"{PREFIX}/stubs/{{stub_id}}", delete_stub, methods=["DELETE"]),
    Route(f"{PREFIX}/scenarios", list_scenarios, methods=["GET"]),
    Route(f"{PREFIX}/scenarios/{{name}}", set_scenario, methods=["PUT"]),
    Route(f"{PREFIX}/unmatched", unmatched, methods=["GET"]),
    Route(f"{PREFIX}/journal", journal, methods=["GET"]),
    Route(f"{PREFIX}/journal", clear_journal, methods=["DELETE"]),
    Route(f"{PREFIX}/reset", reset, methods=["POST"]),
]


async def _on_api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, APIError)
    return error_response(exc)


async def _on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return error_response(NotFoundError(f"Invalid URL ({request.method} {request.url.path})"))


def admin_app(state: MockState) -> Starlette:
    app = Starlette(
        routes=routes,
        exception_handlers={APIError: _on_api_error, HTTPException: _on_http_error},
    )
    app.state.mock = state
    return app


class AdminMiddleware:
    """Serve ``/__mockserver/...`` (except the inspector's paths, served before it) from the
    admin app, everything else from the API."""

    def __init__(self, app: ASGIApp, state: MockState) -> None:
        self.app = app
        self.state = state
        self.admin = admin_app(state)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("path", "").startswith(PREFIX + "/"):
            if not await admin_auth.refused(scope, receive, send, self.state.config):
                await self.admin(scope, receive, send)
            return
        await self.app(scope, receive, send)
