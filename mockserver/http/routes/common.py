"""Request parsing shared by every handler."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from mockserver.contract.errors import (
    InvalidRequestError,
    RequestTooLargeError,
    invalid_json_body,
    invalid_type,
    invalid_value,
)
from mockserver.contract.json_depth import (
    json_depth_exceeds,
    raw_may_exceed,
    too_deep_error,
)
from mockserver.contract.schemas import load_schema
from mockserver.contract.validation import type_word
from mockserver.state.mock_state import MockState


def mock_state(request: Request) -> MockState:
    return request.app.state.mock


class Endpoint:
    """``handler(request) -> Response`` as a plain ASGI app, for the hot routes.

    Starlette wraps a function endpoint in a per-request exception-handling layer (with its own
    ``send`` wrapper) that repeats what the app's ``ExceptionMiddleware`` does with the same
    handlers; a ``Route`` given an ASGI app instead calls it directly. An ``APIError`` raised by
    ``handler`` reaches that middleware and gets the same answer.
    """

    __slots__ = ("handler",)

    def __init__(self, handler: Callable[[Request], Awaitable[Response]]) -> None:
        self.handler = handler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await self.handler(Request(scope, receive, send))
        await response(scope, receive, send)


async def read_json_object(request: Request) -> dict[str, Any]:
    """The body as a JSON object, or the real API's 400/413."""
    body = parse_json(await read_body(request))
    if not isinstance(body, dict):
        raise invalid_type("body", "an object", type_word(body))
    return body


async def read_body(request: Request) -> bytes:
    """The raw body, or the 413 once it passes ``--max-body-bytes`` (read no further)."""
    limit = mock_state(request).config.max_body_bytes
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(int(declared), limit)
    # The ASGI messages themselves (Request.stream() is the same loop as an async generator).
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _too_large(size, limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def parse_json(raw: bytes) -> Any:
    """A client's JSON body, or the real API's 400 (empty, not JSON, or nested too deeply)."""
    if not raw.strip():
        raise InvalidRequestError(
            "We could not parse the JSON body of your request. (HINT: This likely means you "
            "aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but "
            "what was sent was not valid JSON. If you have trouble figuring out how to fix this, "
            "please contact us through our help center at help.openai.com.)",
        )
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        # orjson itself refuses more than 1024 levels; that is "too deep" too, not "not JSON".
        if exc.msg.startswith("depth limit"):
            raise too_deep_error() from None
        raise invalid_json_body() from None
    if raw_may_exceed(raw) and json_depth_exceeds(body):
        raise too_deep_error()
    return body



def _too_large(size: int, limit: int) -> RequestTooLargeError:
    return RequestTooLargeError(
        f"Request body too large: {size} bytes exceeds the limit of {limit} bytes. "
        "Send a smaller input, or raise the mock's limit with --max-body-bytes.",
        code="request_too_large",
    )


def query_list(request: Request, name: str) -> list[str]:
    """A list query parameter, in either of the spellings clients use (`a[]=x` or `a=x`)."""
    return request.query_params.getlist(f"{name}[]") + request.query_params.getlist(name)


def query_int(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    # Digits only, with an optional minus: int() would also take " +5", "1_0", non-ASCII digits.
    digits = raw[1:] if raw.startswith("-") else raw
    if not (digits.isascii() and digits.isdigit()):
        raise invalid_type(name, "an integer", "a string")
    try:
        return int(raw)
    except ValueError:  # more digits than Python converts (4300)
        raise invalid_type(name, "an integer", "a string") from None


def query_bool(request: Request, name: str) -> bool | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    if raw.lower() in ("true", "1"):
        return True
    if raw.lower() in ("false", "0"):
        return False
    raise invalid_type(name, "a boolean", "a string")


def check_include(values: list[str]) -> None:
    allowed = _includable()
    for value in values:
        if value not in allowed:
            raise invalid_value("include", value, sorted(allowed))


@functools.cache
def _includable() -> frozenset[str]:
    prop = load_schema("ResponseCreateParams")["properties"]["include"]
    for option in prop.get("anyOf", [prop]):
        enum = option.get("items", {}).get("enum")
        if enum:
            return frozenset(enum)
    return frozenset()

