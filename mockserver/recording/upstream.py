"""Where record mode forwards requests: a real HTTP upstream (httpx), or the mock itself.

The only module that makes outgoing HTTP calls. Replies stream: ``chunks()`` yields the body as
it arrives, so a proxied stream reaches the client event by event.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message

from mockserver.contract.errors import ConfigurationError, MockServerError
from mockserver.recording.modes import DEFAULT_UPSTREAM

if TYPE_CHECKING:
    # Imported where a real upstream is used (record mode): a server that only mocks does not
    # pay for importing httpx at start-up (cold start).
    import httpx

# Never forwarded: they describe this hop, not the request. The body is sent uncompressed so
# that what is recorded is what the client gets.
HOP_BY_HOP = frozenset(
    {
        "host",
        "content-length",
        "connection",
        "keep-alive",
        "transfer-encoding",
        "te",
        "trailer",
        "upgrade",
        "proxy-authorization",
        "proxy-connection",
        "accept-encoding",
        "content-encoding",
    }
)


# Reply headers this server makes itself (uvicorn: date, server; CORS: vary, access-control-*):
# passing the upstream's on as well would send them twice.
OWN_REPLY_HEADERS = HOP_BY_HOP | {"date", "server", "vary"}


def passed_on(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The upstream's reply headers that go back to the client."""
    return [
        (k, v)
        for k, v in headers
        if k.lower() not in OWN_REPLY_HEADERS and not k.lower().startswith("access-control-")
    ]


class UpstreamError(MockServerError):
    """The upstream could not be reached, or broke off its reply."""


@dataclass(frozen=True)
class UpstreamRequest:
    method: str
    path: str  # "/v1/responses"
    query: str
    headers: list[tuple[str, str]]
    body: bytes
    # The ASGI scope of the client's request, when there is one (the mock as upstream needs it).
    scope: dict[str, Any] | None = None


@dataclass
class UpstreamReply:
    status: int
    headers: list[tuple[str, str]]
    # Milliseconds from sending the request to receiving the headers.
    elapsed_ms: float
    _chunks: AsyncIterator[bytes]

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None

    async def chunks(self) -> AsyncIterator[bytes]:
        async for chunk in self._chunks:
            if chunk:
                yield chunk


class Upstream(Protocol):
    url: str  # what recordings name as their upstream
    default_source: str

    def open(
        self, request: UpstreamRequest
    ) -> contextlib.AbstractAsyncContextManager[UpstreamReply]: ...

    async def aclose(self) -> None: ...


def check_upstream_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(
            f"upstream {url!r} is not an http(s) URL; pass the API base URL, like "
            f"{DEFAULT_UPSTREAM} or http://127.0.0.1:8000/v1"
        )
    return url.rstrip("/")


class HTTPUpstream:
    """A real API (or anything that speaks it) at ``base_url`` (the SDK's base URL, ``.../v1``).

    ``/v1/X`` is forwarded to ``{base_url}/X``. The client's ``Authorization`` header is
    forwarded; a request without one gets ``OPENAI_API_KEY`` (or ``api_key``).
    """

    def __init__(
        self, base_url: str = DEFAULT_UPSTREAM, *, api_key: str | None = None, timeout: float = 600
    ) -> None:
        self.url = check_upstream_url(base_url)
        self.api_key = api_key if api_key is not None else os.environ.get("OPENAI_API_KEY")
        import httpx

        self.timeout = httpx.Timeout(timeout, connect=10.0)
        host = urlsplit(self.url).hostname or ""
        self.default_source = "live" if host == "api.openai.com" else "unverified"
        self._client: httpx.AsyncClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def target(self, path: str, query: str) -> str:
        tail = path.removeprefix("/v1") if path.startswith("/v1/") else path
        return f"{self.url}{tail}{'?' + query if query else ''}"

    def forward_headers(self, headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
        forwarded = [(k, v) for k, v in headers if k.lower() not in HOP_BY_HOP]
        has_key = any(
            k.lower() == "authorization" and v.partition(" ")[2].strip() for k, v in forwarded
        )
        if not has_key and self.api_key:
            forwarded = [(k, v) for k, v in forwarded if k.lower() != "authorization"]
            forwarded.append(("authorization", f"Bearer {self.api_key}"))
        forwarded.append(("accept-encoding", "identity"))
        return forwarded

    def _http(self) -> httpx.AsyncClient:
        import httpx

        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            self._client = httpx.AsyncClient(timeout=self.timeout, follow_redirects=False)
            self._loop = loop
        return self._client

    @contextlib.asynccontextmanager
    async def open(self, request: UpstreamRequest) -> AsyncIterator[UpstreamReply]:
        import httpx

        client = self._http()
        outgoing = client.build_request(
            request.method,
            self.target(request.path, request.query),
            headers=self.forward_headers(request.headers),
            content=request.body,
        )
        started = time.perf_counter()
        try:
            response = await client.send(outgoing, stream=True)
        except httpx.HTTPError as exc:
            raise UpstreamError(
                f"could not reach the upstream {self.url}: {type(exc).__name__}: {exc}"
            ) from exc
        elapsed = (time.perf_counter() - started) * 1000
        try:
            yield UpstreamReply(
                status=response.status_code,
                headers=list(response.headers.multi_items()),
                elapsed_ms=elapsed,
                _chunks=_guarded(response.aiter_bytes(), self.url),
            )
        finally:
            await response.aclose()

    async def aclose(self) -> None:
        if self._client is not None:
            client, self._client = self._client, None
            await client.aclose()


async def _guarded(chunks: AsyncIterator[bytes], url: str) -> AsyncIterator[bytes]:
    import httpx

    try:
        async for chunk in chunks:
            yield chunk
    except httpx.HTTPError as exc:
        raise UpstreamError(f"the upstream {url} broke off its reply: {exc}") from exc


class ASGIUpstream:
    """The mock itself as upstream: new interactions are generated, and labelled so."""

    default_source = "generated"

    def __init__(self, app: ASGIApp, url: str = "mockserver") -> None:
        self.app = app
        self.url = url

    @contextlib.asynccontextmanager
    async def open(self, request: UpstreamRequest) -> AsyncIterator[UpstreamReply]:
        messages: asyncio.Queue[Message | None] = asyncio.Queue()
        finished = asyncio.Event()
        body_sent = False

        async def receive() -> Message:
            nonlocal body_sent
            if not body_sent:
                body_sent = True
                return {"type": "http.request", "body": request.body, "more_body": False}
            await finished.wait()
            return {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            await messages.put(message)

        async def run() -> None:
            try:
                scope = dict(request.scope) if request.scope is not None else _scope(request)
                await self.app(scope, receive, send)
            finally:
                await messages.put(None)

        started = time.perf_counter()
        task = asyncio.create_task(run())
        try:
            start = await messages.get()
            if start is None or start["type"] != "http.response.start":
                await task  # re-raises what went wrong inside the app
                raise UpstreamError("the mock ended its reply without starting it")
            yield UpstreamReply(
                status=start["status"],
                headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in start["headers"]],
                elapsed_ms=(time.perf_counter() - started) * 1000,
                _chunks=_bodies(messages),
            )
        finally:
            finished.set()
            if not task.done():
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def aclose(self) -> None:
        return None


async def _bodies(messages: asyncio.Queue[Message | None]) -> AsyncIterator[bytes]:
    while True:
        message = await messages.get()
        if message is None:
            return
        if message["type"] == "http.response.body":
            yield message.get("body", b"")
            if not message.get("more_body", False):
                return


def _scope(request: UpstreamRequest) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": request.method,
        "scheme": "http",
        "path": request.path,
        "raw_path": request.path.encode(),
        "query_string": request.query.encode("latin-1"),
        "root_path": "",
        "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in request.headers],
        "client": ("127.0.0.1", 0),
        "server": ("127.0.0.1", 0),
        "state": {},
    }
