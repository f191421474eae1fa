"""The request journal: every exchange the server saw, newest last, bounded.

Kept as raw bytes (parsing happens only when someone reads an entry), so recording costs the hot
path almost nothing. Readers: the admin API and Python API (assert what a client sent) and the
inspector page (live updates through ``subscribe``).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson

DEFAULT_CAPACITY = 1000
SECRET_HEADERS = frozenset({"authorization", "cookie", "openai-organization", "openai-project"})


@dataclass
class Exchange:
    """One request and its reply, as seen on the wire."""

    seq: int
    request_id: str
    started_at: float
    method: str
    path: str
    query: str
    request_headers: dict[str, str]
    request_body: bytes = b""
    status: int | None = None
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: bytearray = field(default_factory=bytearray)
    finished: bool = False
    # "http", or "websocket" for a `response.create` on a socket (journaled as the POST it
    # stands for, its events as the SSE body that POST would have streamed).
    transport: str = "http"

    @property
    def streamed(self) -> bool:
        return self.response_headers.get("content-type", "").startswith("text/event-stream")

    def request_json(self) -> Any:
        """The request body parsed as JSON (None when it is empty or not JSON)."""
        try:
            return orjson.loads(self.request_body) if self.request_body else None
        except orjson.JSONDecodeError:
            return None

    def response_json(self) -> Any:
        if self.streamed:
            return None
        try:
            return orjson.loads(bytes(self.response_body)) if self.response_body else None
        except orjson.JSONDecodeError:
            return None

    def events(self) -> list[dict[str, Any]]:
        """The SSE events of a streamed reply, parsed."""
        found = []
        for frame in bytes(self.response_body).split(b"\n\n"):
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
        }


def redact_headers(raw: list[tuple[bytes, bytes]]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in raw:
        key = name.decode("latin-1").lower()
        headers[key] = "[redacted]" if key in SECRET_HEADERS else value.decode("latin-1")
    return headers


class Journal:
    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self._entries: deque[Exchange] = deque(maxlen=capacity)
        self._lock = threading.Lock()
        self._counter = itertools.count(1)
        self._subscribers: set[tuple[asyncio.AbstractEventLoop, asyncio.Queue[Exchange]]] = set()

    def start(self, **fields: Any) -> Exchange:
        with self._lock:
            exchange = Exchange(seq=next(self._counter), **fields)
            self._entries.append(exchange)
        self._notify(exchange)
        return exchange

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
            self._entries.clear()

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
