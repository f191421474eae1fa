"""Pure ASGI middleware: the API's common headers, and authentication.

Pure ASGI (not ``BaseHTTPMiddleware``) so that streams pass through untouched and the hot path
stays short.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket

from mockserver.contract import redaction
from mockserver.contract.errors import AuthenticationError, InternalServerError
from mockserver.http.fault_responses import mark_deliberate
from mockserver.http.render import error_response
from mockserver.state.mock_state import MockState

OPENAI_VERSION = "2020-10-01"
# RFC 6455 close code for a refused handshake when a 401 cannot be sent.
POLICY_VIOLATION = 1008
logger = logging.getLogger("mockserver")


def internal_error() -> InternalServerError:
    return InternalServerError(
        "The server had an error while processing your request. Sorry about that! (This is a "
        "bug in the mock server; it is logged, and re-raised in the test that caused it.)"
    )


def missing_key_error() -> AuthenticationError:
    return AuthenticationError(
        "You didn't provide an API key. You need to provide your API key in an Authorization "
        "header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field "
        "(with blank username) if you're accessing the API from your browser and are prompted for "
        "a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys.",
        headers={"www-authenticate": 'Bearer realm="OpenAI API"'},
    )


def wrong_key_error(key: str) -> AuthenticationError:
    # The real API shows the first 8 characters, a star for each one after the 12th, the last 4.
    shown = key if len(key) <= 12 else f"{key[:8]}{'*' * (len(key) - 12)}{key[-4:]}"
    return AuthenticationError(
        f"Incorrect API key provided: {shown}. You can find your API key at "
        "https://platform.openai.com/account/api-keys.",
        code="invalid_api_key",
        headers={"www-authenticate": 'Bearer realm="OpenAI API"'},
    )


def bearer_key(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, key = value.decode("latin-1").partition(" ")
            return key.strip() if scheme.lower() == "bearer" and key.strip() else ""
    return None


_VERSION_HEADER = (b"openai-version", OPENAI_VERSION.encode())


class APIMiddleware:
    """Journal every exchange, add the API's headers, check the key, turn a bug into a 500.

    One receive wrapper and one send wrapper per request, no per-request classes: this runs for
    every request, so it is the part of the hot path a bare app does not have.
    """

    def __init__(
        self, app: ASGIApp, state: MockState, extra_headers: tuple[tuple[bytes, bytes], ...] = ()
    ) -> None:
        self.app = app
        self.state = state
        # Headers appended after the API's own (the ordinary lane's `vary: Origin`, front.py).
        self.extra_headers = extra_headers

    def auth_error(self, scope: Scope) -> AuthenticationError | None:
        """The 401 for a ``/v1/`` request without an accepted bearer key (None: accepted)."""
        key = bearer_key(scope)
        if not key:
            return missing_key_error()
        if self.state.config.api_key is not None and key != self.state.config.api_key:
            return wrong_key_error(key)
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await self.handshake(scope, receive, send)
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        state = self.state
        journal = state.journal
        request_id = state.ids.request_id()
        scope_state = scope.get("state")
        if scope_state is None:
            scope["state"] = {"request_id": request_id}
        else:
            scope_state["request_id"] = request_id
        exchange = journal.start(
            request_id=request_id,
            started_at=state.clock.now(),
            method=scope["method"],
            path=scope["path"],
            query=scope.get("query_string", b"").decode("latin-1"),
            request_headers=scope["headers"],  # masked when read (journal.Exchange)
        )
        request_id_header = (b"x-request-id", request_id.encode())
        started_response = False

        async def journaled_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                more = message.get("more_body", False)
                journal.add_request_body(exchange, message.get("body", b""), more)
            return message

        async def send_with_headers(message: Message) -> None:
            nonlocal started_response
            started_response = True
            if message["type"] == "http.response.start":
                elapsed_ms = int((time.perf_counter() - started) * 1000)
                headers: list[Any] = [
                    *message.get("headers", ()),
                    _VERSION_HEADER,
                    (b"openai-processing-ms", b"%d" % elapsed_ms),
                    request_id_header,
                ]
                exchange.status = message["status"]
                exchange.response_headers = headers  # masked when read (journal.Exchange)
                if self.extra_headers:  # not the API's: journaled as the full chain does
                    headers = [*headers, *self.extra_headers]
                message = {**message, "headers": headers}
            elif message["type"] == "http.response.body":
                journal.add_response_body(exchange, message.get("body", b""))
                if not message.get("more_body", False):
                    journal.finish(exchange)
            await send(message)

        if scope["path"].startswith("/v1/") and scope["method"] != "OPTIONS":
            error = self.auth_error(scope)
            if error is not None:
                await error_response(error)(scope, journaled_receive, send_with_headers)
                return
        try:
            await self.app(scope, journaled_receive, send_with_headers)
        except Exception as exc:
            # A bug in the mock: answer like the real API's 500, log it, and keep it so that
            # `MockServer` re-raises it in the test that caused it.
            state.record_failure(exc)
            logger.exception(
                "unexpected error while handling %s %s",
                scope["method"],
                redaction.path(scope["path"]),
            )
            if not started_response:
                await error_response(internal_error())(scope, journaled_receive, send_with_headers)

    async def handshake(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A WebSocket upgrade: authenticated in the handshake like any ``/v1/`` request. A bad
        key is refused before the upgrade with the same 401 and body HTTP gives (the SDK raises
        ``InvalidStatus``); a server without the denial extension closes with 1008 instead."""
        error = self.auth_error(scope) if scope["path"].startswith("/v1/") else None
        if error is not None:
            socket = WebSocket(scope, receive, send)
            if "websocket.http.response" in scope.get("extensions", {}):
                reply = error_response(error)
                reply.headers["openai-version"] = OPENAI_VERSION
                reply.headers["x-request-id"] = self.state.ids.request_id()
                await socket.send_denial_response(reply)
                mark_deliberate()  # uvicorn logs a refused upgrade as an error otherwise
            else:
                await socket.close(POLICY_VIOLATION, error.message[:120])
            return
        try:
            await self.app(scope, receive, send)
        except Exception as exc:
            # As for HTTP: a bug in the mock, kept for MockServer to re-raise (uvicorn closes
            # the socket with 1011).
            self.state.record_failure(exc)
            logger.exception("unexpected error on the WebSocket %s", scope["path"])
            raise
