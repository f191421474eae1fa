"""CORS, so that a page in a browser can call the server directly (e.g. the JS SDK with
``dangerouslyAllowBrowser``).

Local origins (``http(s)://localhost``, ``127.0.0.1``, ``[::1]``, ``*.localhost``; any port) are
always allowed; ``ServerConfig.cors_origins`` (``--cors-origin``) adds more, ``*`` allows any.
Deliberate difference: the real API answers every origin with ``access-control-allow-origin: *``;
the mock only grants local origins unless told otherwise, so that a web page you happen to visit
cannot read what your tests stored.

Starlette's ``CORSMiddleware`` does the work. It sits outermost, so a preflight is answered before
authentication (a browser never sends credentials on a preflight) and never enters the journal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

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


def cors_middleware(origins: Iterable[str] = ()) -> Middleware:
    allowed = check_origins(origins)
    return Middleware(
        CORSMiddleware,
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
