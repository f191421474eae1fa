"""CORS, so that a page in a browser can call the server directly (e.g. the JS SDK with
``dangerouslyAllowBrowser``).

Local origins (``http(s)://localhost``, ``127.0.0.1``, ``[::1]``, ``*.localhost``; any port) are
always allowed; ``ServerConfig.cors_origins`` (``--cors-origin``) adds more, ``*`` allows any.
Deliberate difference: the real API answers every origin with ``access-control-allow-origin: *``;
the mock only grants local origins unless told otherwise, so that a web page you happen to visit
cannot read what your tests stored.

Starlette's ``CORSMiddleware`` does the work. It sits outermost, so a preflight is answered before
authentication (a browser never sends credentials on a preflight) and never enters the journal.
``CORSGate`` hands it only the requests that carry an ``Origin`` header: SDKs, ``curl`` and test
clients send none, and for them all it would do is add ``vary: Origin``, which the gate does
itself without the per-message header rewriting (this sits on every request's hot path).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockserver.contract.errors import ConfigurationError
from mockserver.http.render import RATE_LIMIT_HEADERS

ANY_ORIGIN = "*"
LOCAL_ORIGIN_REGEX = (
    r"https?://(localhost|[a-z0-9-]+(\.[a-z0-9-]+)*\.localhost|127\.0\.0\.1|\[::1\])(:\d+)?"
)

# Response headers a page may read (browsers hide all but a few unless they are listed). The
# SDKs read `x-request-id` (`request_id`) and the retry hints; apps show the rate limits.
EXPOSED_HEADERS = (
    "x-request-id",
    "openai-version",
    "openai-processing-ms",
    "openai-organization",
    "openai-project",
    *RATE_LIMIT_HEADERS,
    "retry-after",
    "retry-after-ms",
    "x-should-retry",
)
_ORIGIN_SHAPE = re.compile(r"[a-z][a-z0-9+.-]*://[^/?#\s]+")


def check_origins(origins: Iterable[str]) -> tuple[str, ...]:
    """The configured origins, lower-cased; a ConfigurationError names the first bad one."""
    checked = []
    for origin in origins:
        value = origin.strip().lower()
        if value != ANY_ORIGIN and (
            not _ORIGIN_SHAPE.fullmatch(value) or urlsplit(value).hostname is None
        ):
            raise ConfigurationError(
                f"CORS origin {origin!r} is not an origin. An origin is scheme://host[:port] "
                "with no path and no trailing slash (for example http://localhost:5173 or "
                "https://app.example.com), or * to allow any origin."
            )
        checked.append(value)
    return tuple(checked)


class CORSGate:
    """``CORSMiddleware`` for requests with an ``Origin`` header; for the rest, only the
    ``vary: Origin`` header it would have added (merged into a ``vary`` the app sent)."""

    def __init__(self, app: ASGIApp, **cors: Any) -> None:
        self.app = app
        self.cors = CORSMiddleware(app, **cors)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or any(name == b"origin" for name, _ in scope["headers"]):
            await self.cors(scope, receive, send)
            return

        async def send_with_vary(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": _with_vary_origin(message.get("headers", ()))}
            await send(message)

        await self.app(scope, receive, send_with_vary)


def _with_vary_origin(headers: Iterable[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    # As CORSMiddleware does: one `vary` header, where the first one was, with Origin added.
    out = list(headers)
    found = [i for i, (name, _) in enumerate(out) if name == b"vary"]
    if not found:
        out.append((b"vary", b"Origin"))
        return out
    merged = (b"vary", b", ".join([*(out[i][1] for i in found), b"Origin"]))
    for i in reversed(found[1:]):
        del out[i]
    out[found[0]] = merged
    return out


def cors_middleware(origins: Iterable[str] = ()) -> Middleware:
    return Middleware(CORSGate, **cors_options(origins))


def cors_options(origins: Iterable[str] = ()) -> dict[str, Any]:
    """``CORSMiddleware``'s arguments for these configured origins (checked)."""
    allowed = check_origins(origins)
    return dict(
        allow_origins=[ANY_ORIGIN] if ANY_ORIGIN in allowed else list(allowed),
        allow_origin_regex=LOCAL_ORIGIN_REGEX,
        allow_methods=["*"],
        # The SDKs send authorization, content-type, openai-beta, x-stainless-*, idempotency
        # keys and more; the mock accepts whatever a client sends.
        allow_headers=["*"],
        expose_headers=list(EXPOSED_HEADERS),
        # Chrome asks before a public page may call a server on the loopback interface.
        allow_private_network=True,
    )
