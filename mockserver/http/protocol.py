"""uvicorn's HTTP protocol with the API's error shape for requests it cannot parse.

A request that never reaches the app (an unknown method such as ``FOO``, which httptools/llhttp
refuses while parsing; a malformed request line or header) gets uvicorn's plain-text 400
``Invalid HTTP request received.``. These subclasses answer the same 400 as the API's JSON error
body instead, so a client sees ``{"error": {...}}`` whatever it sent. Methods the parser knows
but no route serves (``PROPFIND``, ``TRACE``, ...) do reach the app and get the real API's 404
``Invalid URL (METHOD /path)``.

Requires uvicorn's ``send_400_response`` hook (present in the h11 and httptools protocols since
0.14); ``serving.py`` and ``server.py`` pass :func:`protocol_class` as uvicorn's ``http``.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

import orjson

from mockserver.contract.errors import InvalidRequestError

UNPARSABLE = InvalidRequestError(
    "Invalid HTTP request received: the request line or a header could not be parsed (an "
    "unknown HTTP method, for one). Use GET, POST or DELETE as the API reference says.",
    code="invalid_http_request",
)


def unparsable_response() -> bytes:
    """The whole HTTP/1.1 response uvicorn sends for a request it cannot parse."""
    body = orjson.dumps(UNPARSABLE.body(), option=orjson.OPT_INDENT_2)
    head = (
        b"HTTP/1.1 400 Bad Request\r\n"
        b"content-type: application/json\r\n"
        b"content-length: " + str(len(body)).encode() + b"\r\n"
        b"connection: close\r\n\r\n"
    )
    return head + body


def _h11_protocol() -> type[asyncio.Protocol]:
    # Imported only where it is used: h11 costs start-up time a server on httptools never needs.
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class APIErrorH11Protocol(H11Protocol):
        def send_400_response(self, msg: str) -> None:
            self.transport.write(unparsable_response())
            self.transport.close()

    return _module_level(APIErrorH11Protocol)


def _httptools_protocol() -> type[asyncio.Protocol]:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class APIErrorHttpToolsProtocol(HttpToolsProtocol):
        def send_400_response(self, msg: str) -> None:
            self.transport.write(unparsable_response())
            self.transport.close()

    return _module_level(APIErrorHttpToolsProtocol)


def _module_level(cls: type[asyncio.Protocol]) -> type[asyncio.Protocol]:
    """Make a class made on first use findable by name here, as pickle needs: ``serve
    --workers N`` spawns its workers with uvicorn's config, which holds the class."""
    cls.__qualname__ = cls.__name__
    globals()[cls.__name__] = cls
    return cls


_FACTORIES = {
    "APIErrorHttpToolsProtocol": _httptools_protocol,
    "APIErrorH11Protocol": _h11_protocol,
}


def __getattr__(name: str) -> Any:
    # A spawned worker unpickling the config imports this module afresh and looks the class up.
    if name in _FACTORIES:
        return _FACTORIES[name]()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@functools.cache
def protocol_class() -> type[asyncio.Protocol]:
    """httptools when installed (uvicorn's own "auto" choice), else h11; with the API's 400."""
    try:
        return _httptools_protocol()
    except ImportError:  # httptools is optional: uvicorn then uses h11
        return _h11_protocol()
