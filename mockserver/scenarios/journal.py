"""The request journal: every exchange the server saw, newest last, bounded in entries and bytes.

Kept as raw bytes (parsing happens only when someone reads an entry), so recording costs the hot
path almost nothing. Readers: the admin API and Python API (assert what a client sent) and the
inspector page (live updates through ``subscribe``).

Bounds (docs/stubs-faults-tools.md, "The request journal"): at most ``capacity`` exchanges and
``max_bytes`` of bodies in all, the oldest dropped first; of each body at most ``body_bytes`` are
kept (the rest is dropped and the exchange says so). Secrets never leave it: headers, the path,
the query string and the bodies pass through the shared redaction rules (contract/redaction.py)
whenever an entry is read. They are masked on reading rather than on recording so that the hot
path only keeps references (the store holds the same request unmasked anyway).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import threading
from collections import deque
from collections.abc import Iterator, Mapping
from typing import Any

import orjson

from mockserver.contract import redaction
from mockserver.contract.json_depth import json_depth_exceeds

DEFAULT_CAPACITY = 1000
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
DEFAULT_BODY_BYTES = 1024 * 1024
SECRET_HEADERS = redaction.SECRET_HEADERS


Headers = Mapping[str, str] | list[tuple[bytes, bytes]]


class Exchange:
    """One request and its reply, as seen on the wire.

    Kept as it arrived and masked when read: ``path``, ``query``, the headers and the bodies pass
    through the redaction rules (contract/redaction.py) in their getters, so recording an exchange
    costs the hot path nothing but a few references. Headers are a dict (taken as shown) or the
    ASGI list of byte pairs (masked on first read).
    """

    __slots__ = (
        "_path",
        "_query",
        "_request_body",
        "_request_body_shown",
        "_request_headers",
        "_request_headers_shown",
        "_response_body",
        "_response_body_shown",
        "_response_headers",
        "_response_headers_shown",
        "finished",
        "method",
        "request_body_dropped",
        "request_id",
        "response_body_dropped",
        "seq",
        "size",
        "started_at",
        "status",
        "transport",
    )

    def __init__(
        self,
        seq: int,
        request_id: str,
        started_at: float,
        method: str,
        path: str,
        query: str,
        request_headers: Headers,
        request_body: bytes = b"",
        status: int | None = None,
        response_headers: Headers | None = None,
        response_body: bytes = b"",
        finished: bool = False,
        # "http", or "websocket" for a `response.create` on a socket (journaled as the POST it
        # stands for, its events as the SSE body that POST would have streamed).
        transport: str = "http",
        # Sizes of the bodies as sent, when more than the journal's per-body bound was sent.
        request_body_dropped: int = 0,
        response_body_dropped: int = 0,
    ) -> None:
        self.seq = seq
        self.request_id = request_id
        self.started_at = started_at
        self.method = method
        self._path = path
        self._query = query
        self._request_headers = request_headers
        self._request_headers_shown: dict[str, str] | None = None
        self._request_body = request_body
        self._request_body_shown: tuple[bytes, int, bytes] | None = None
        self.status = status
        self._response_headers: Headers = response_headers or {}
        self._response_headers_shown: dict[str, str] | None = None
        self._response_body = bytearray(response_body)
        self._response_body_shown: tuple[int, bytes] | None = None
        self.finished = finished
        self.transport = transport
        self.request_body_dropped = request_body_dropped
        self.response_body_dropped = response_body_dropped
        # Bytes this exchange holds in the journal's budget.
        self.size = 0

    def __repr__(self) -> str:
        return (
            f"Exchange(seq={self.seq}, request_id={self.request_id!r}, method={self.method!r}, "
            f"path={self.path!r}, status={self.status!r}, finished={self.finished})"
        )

    @property
    def path(self) -> str:
        return redaction.path(self._path)

    @path.setter
    def path(self, value: str) -> None:
        self._path = value

    @property
    def query(self) -> str:
        return redaction.query(self._query)

    @query.setter
    def query(self, value: str) -> None:
        self._query = value

    @property
    def request_headers(self) -> dict[str, str]:
        if self._request_headers_shown is None:
            self._request_headers_shown = _shown_headers(self._request_headers)
        return self._request_headers_shown

    @request_headers.setter
    def request_headers(self, value: Headers) -> None:
        self._request_headers = value
        self._request_headers_shown = None

    @property
    def response_headers(self) -> dict[str, str]:
        if self._response_headers_shown is None:
            self._response_headers_shown = _shown_headers(self._response_headers)
        return self._response_headers_shown

    @response_headers.setter
    def response_headers(self, value: Headers) -> None:
        self._response_headers = value
        self._response_headers_shown = None

    @property
    def request_body(self) -> bytes:
        raw = self._request_body
        shown = self._request_body_shown
        if shown is None or shown[0] is not raw or shown[1] != len(raw):
            shown = self._request_body_shown = (raw, len(raw), redaction.scrub(bytes(raw)))
        return shown[2]

    @request_body.setter
    def request_body(self, value: bytes) -> None:
        self._request_body = value
        self._request_body_shown = None

    @property
    def response_body(self) -> bytes:
        """The reply so far (a stream grows while it is read), masked."""
        raw = self._response_body
        shown = self._response_body_shown
        if shown is None or shown[0] != len(raw):
            shown = self._response_body_shown = (len(raw), redaction.scrub(bytes(raw)))
        return shown[1]

    @response_body.setter
    def response_body(self, value: bytes) -> None:
        self._response_body = bytearray(value)
        self._response_body_shown = None

    @property
    def streamed(self) -> bool:
        return self.response_headers.get("content-type", "").startswith("text/event-stream")

    def request_json(self) -> Any:
        """The request body parsed as JSON (None when it is empty, not JSON, cut short by the
        journal's per-body bound, or nested too deeply to show)."""
        return _shown_json(self.request_body)

    def response_json(self) -> Any:
        if self.streamed:
            return None
        return _shown_json(self.response_body)

    def events(self) -> list[dict[str, Any]]:
        """The SSE events of a streamed reply, parsed."""
        found = []
        for frame in self.response_body.split(b"\n\n"):
            for line in frame.split(b"\n"):
                if line.startswith(b"data: "):
                    with contextlib.suppress(orjson.JSONDecodeError):
                        found.append(orjson.loads(line[6:]))
        return found

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "request_id": self.request_id,
            "started_at": self.started_at,
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "request_headers": self.request_headers,
            "request_body": self.request_json(),
            "status": self.status,
            "response_headers": self.response_headers,
            "response_body": self.response_json(),
            "events": self.events() if self.streamed else None,
            "finished": self.finished,
            "transport": self.transport,
            "request_body_dropped": self.request_body_dropped,
            "response_body_dropped": self.response_body_dropped,
        }


def _shown_headers(headers: Headers) -> dict[str, str]:
    if isinstance(headers, Mapping):
        return dict(headers)
    return redaction.headers(headers)


def _shown_json(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    return None if json_depth_exceeds(value) else value


def redact_headers(raw: list[tuple[bytes, bytes]]) -> dict[str, str]:
    """ASGI headers as the journal keeps them: secrets masked (contract/redaction.py)."""
    return redaction.headers(raw)


class Journal:
    def __init__(
        self,
        capacity: int = DEFAULT_CAPACITY,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        body_bytes: int = DEFAULT_BODY_BYTES,
    ) -> None:
        self.capacity = capacity
        self.max_bytes = max_bytes
        self.body_bytes = body_bytes
        self._entries: deque[Exchange] = deque()
        self._bytes = 0
        self._lock = threading.Lock()
        self._counter = itertools.count(1)
        # Exchanges up to this seq have left the journal: bytes they still receive (a stream
        # that outlives its entry) are not counted.
        self._newest_dropped = 0
        self._subscribers: set[tuple[asyncio.AbstractEventLoop, asyncio.Queue[Exchange]]] = set()

    def start(self, **fields: Any) -> Exchange:
        with self._lock:
            exchange = Exchange(seq=next(self._counter), **fields)
            self._entries.append(exchange)
            if len(self._entries) > self.capacity:
                dropped = self._entries.popleft()
                self._bytes -= dropped.size
                self._newest_dropped = dropped.seq
        self._notify(exchange)
        return exchange

    def add_request_body(self, exchange: Exchange, chunk: bytes, more: bool) -> None:
        """Keep a chunk of the request body (up to the per-body bound); once the last chunk
        is in, count it against the journal's budget. Masked when read (``Exchange``)."""
        body = exchange._request_body
        if not more and not body and len(chunk) <= self.body_bytes:  # the usual: one chunk
            exchange.request_body = chunk
            self._account(exchange, len(chunk))
            return
        if not isinstance(body, bytearray):
            body = bytearray(body)
        room = self.body_bytes - len(body)
        if len(chunk) > room:
            exchange.request_body_dropped += len(chunk) - max(room, 0)
            chunk = chunk[: max(room, 0)]
        body += chunk
        if more:
            exchange._request_body = body
            return
        exchange.request_body = bytes(body)
        self._account(exchange, len(body))

    def set_request_body(self, exchange: Exchange, body: bytes) -> None:
        self.add_request_body(exchange, body, more=False)

    def add_response_body(self, exchange: Exchange, chunk: bytes) -> None:
        """Append a chunk of the reply (whole SSE frames, as the server sends them), up to the
        per-body bound. Masked when read (``Exchange``)."""
        room = self.body_bytes - len(exchange._response_body)
        if len(chunk) > room:
            exchange.response_body_dropped += len(chunk) - max(room, 0)
            if room <= 0:
                return
            chunk = chunk[:room]
        exchange._response_body += chunk
        self._account(exchange, len(chunk))

    def _account(self, exchange: Exchange, added: int) -> None:
        with self._lock:
            exchange.size += added
            if exchange.seq > self._newest_dropped:  # still held
                self._bytes += added
            while self._bytes > self.max_bytes and len(self._entries) > 1:
                dropped = self._entries.popleft()
                self._bytes -= dropped.size
                self._newest_dropped = max(self._newest_dropped, dropped.seq)

    @property
    def newest_seq(self) -> int:
        """The seq of the newest exchange ever started (0 before the first)."""
        with self._lock:
            return self._entries[-1].seq if self._entries else self._newest_dropped

    @property
    def bytes(self) -> int:
        """Body bytes held now (at most ``max_bytes``, plus the newest exchange's)."""
        with self._lock:
            return self._bytes

    def finish(self, exchange: Exchange) -> None:
        exchange.finished = True
        self._notify(exchange)

    def entries(self) -> list[Exchange]:
        with self._lock:
            return list(self._entries)

    def __iter__(self) -> Iterator[Exchange]:
        return iter(self.entries())

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._newest_dropped = max((e.seq for e in self._entries), default=self._newest_dropped)
            self._entries.clear()
            self._bytes = 0

    def subscribe(self) -> asyncio.Queue[Exchange]:
        """A queue that receives every exchange as it starts and again when it finishes."""
        queue: asyncio.Queue[Exchange] = asyncio.Queue(maxsize=1000)
        with self._lock:
            self._subscribers.add((asyncio.get_running_loop(), queue))
        return queue

    def unsubscribe(self, queue: asyncio.Queue[Exchange]) -> None:
        with self._lock:
            self._subscribers = {s for s in self._subscribers if s[1] is not queue}

    def _notify(self, exchange: Exchange) -> None:
        if not self._subscribers:  # the usual case (no inspector open): skip the lock
            return
        with self._lock:
            subscribers = list(self._subscribers)
        for loop, queue in subscribers:
            loop.call_soon_threadsafe(_offer, queue, exchange)


def _offer(queue: asyncio.Queue[Exchange], exchange: Exchange) -> None:
    if not queue.full():
        queue.put_nowait(exchange)
