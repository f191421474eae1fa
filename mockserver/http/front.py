"""The server's own middleware, composed in one place, with a short lane for the ordinary create.

The full chain, outermost first (each module says why it sits where it does):

1. ``HostCheckMiddleware`` (host_check.py): the DNS-rebinding guard;
2. ``CORSGate`` (cors.py): preflights and CORS headers, before authentication;
3. ``InspectorMiddleware`` and ``AdminMiddleware``: ``/__mockserver/...``, kept out of the journal;
4. the record/replay layer (replay.py), when the server records or replays;
5. ``SelfCheckMiddleware`` (self_check.py), when every emitted body is to be validated;
6. ``APIMiddleware`` (middleware.py): journal, the API's headers, the key check, 500s;
7. ``StubMiddleware`` (stub_middleware.py): stubs, faults, chaos, pacing headers;

then Starlette's exception handling and router.

Most requests a mock serves are an ordinary ``POST /v1/responses``: its Host allowed, no
``Origin`` (SDKs, curl and test clients send none), no ``x-mockserver-*`` header, on a server
without stubs, chaos, strict stubs or a replay layer. For it, layers 1 to 4 and 7 and the router
only pass the request on, and CORS adds ``vary: Origin``. Such a request takes the *ordinary
lane*: one scan of its headers decides, then only the layers that act on it run (self-check when
on, the API middleware adding that ``vary`` itself, the create endpoint, whose ``APIError`` gets
the reply Starlette's handler gives it). Same bytes, same journal entry, a third of the calls.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.types import ASGIApp, Receive, Scope, Send

from mockserver.contract.errors import APIError
from mockserver.http.cors import CORSGate
from mockserver.http.host_check import HostCheckMiddleware
from mockserver.http.middleware import APIMiddleware
from mockserver.http.render import error_response
from mockserver.http.routes.admin import AdminMiddleware
from mockserver.http.routes.common import Endpoint
from mockserver.http.routes.inspector import InspectorMiddleware
from mockserver.http.routes.responses import create
from mockserver.http.stub_middleware import StubMiddleware
from mockserver.scenarios.faults import Chaos
from mockserver.state.mock_state import MockState

if TYPE_CHECKING:  # replay loads only in a server that records or replays (app.py)
    from mockserver.http.replay import ReplayLayer

LANE_METHOD, LANE_PATH = "POST", "/v1/responses"
_VARY_ORIGIN = ((b"vary", b"Origin"),)  # what CORSGate adds to a reply to a request without Origin
_MOCK_PREFIX = b"x-mockserver-"


class _CreateWithErrors:
    """The create endpoint, answering an ``APIError`` as the app's exception handler does."""

    def __init__(self) -> None:
        self.endpoint = Endpoint(create)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.endpoint(scope, receive, send)
        except APIError as error:
            await error_response(error)(scope, receive, send)


class FrontMiddleware:
    """Layers 1 to 7 above, in front of Starlette's exception handling and router (``app``)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        state: MockState,
        chaos: Chaos,
        cors: dict[str, Any],
        replay: ReplayLayer | None = None,
    ) -> None:
        """``cors``: ``cors.cors_options`` of the configured origins (checked by the caller when
        the app is made: Starlette builds its middleware only at the first request)."""
        config = state.config
        self.stubs = StubMiddleware(app, state=state, chaos=chaos)
        inner: ASGIApp = APIMiddleware(self.stubs, state=state)
        lane: ASGIApp = APIMiddleware(_CreateWithErrors(), state=state, extra_headers=_VARY_ORIGIN)
        if config.self_check:
            from mockserver.http.self_check import SelfCheckMiddleware

            inner = SelfCheckMiddleware(inner, state=state)
            lane = SelfCheckMiddleware(lane, state=state)
        if replay is not None:
            # Record/replay answers as the API, so it goes right behind CORS and the inspector.
            inner = replay.wrap(inner)
        inner = AdminMiddleware(inner, state=state)  # stubs, journal, reset (routes/admin.py)
        inner = InspectorMiddleware(inner, state=state)
        inner = CORSGate(inner, **cors)
        self.host_check = HostCheckMiddleware(inner, allowed=config.allowed_hosts)
        self.lane = lane if replay is None else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.lane is not None and self._ordinary(scope):
            await self.lane(scope, receive, send)
            return
        await self.host_check(scope, receive, send)

    def _ordinary(self, scope: Scope) -> bool:
        """Whether nothing but the API middleware, self-check and the endpoint acts on it."""
        if (
            scope["type"] != "http"
            or scope["path"] != LANE_PATH
            or scope["method"] != LANE_METHOD
            or not self.stubs.idle_server()
        ):
            return False
        host = None
        for name, value in scope["headers"]:
            if name == b"host":
                host = value
            elif name == b"origin" or name.startswith(_MOCK_PREFIX):
                return False
        return host is None or self.host_check.allows(host, scope)
