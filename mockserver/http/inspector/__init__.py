"""The inspector page: what it shows, as plain data (the page's files live next to this module).

The edge that serves it is ``routes/inspector.py``. Everything here is pure: journal exchanges
and store contents in, JSON-ready dicts out.
"""

from __future__ import annotations

import contextlib
import dataclasses
from typing import Any

import orjson

from mockserver.scenarios.journal import Exchange
from mockserver.state.lifecycle import phase, view
from mockserver.state.store import Store, StoredResponse

PREFIX = "/__mockserver/inspector"
# The page's files: name -> content type. Nothing else is served, and nothing is fetched from
# anywhere else (no CDN): the page works offline.
ASSETS = {
    "index.html": "text/html; charset=utf-8",
    "inspector.js": "text/javascript; charset=utf-8",
    "inspector.css": "text/css; charset=utf-8",
}
FRAME_END = b"\n\n"


def asset(name: str) -> bytes:
    from importlib import resources  # on first use: it costs start-up time

    return resources.files(__name__).joinpath(name).read_bytes()


def parse_frames(body: bytes | bytearray, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """The SSE events in ``body`` after ``offset`` that are complete, and the offset after them.

    A frame still being written (no blank line yet) is left for the next call.
    """
    end = body.rfind(FRAME_END, offset)
    if end < 0:
        return [], offset
    events = []
    for frame in bytes(body[offset:end]).split(FRAME_END):
        for line in frame.split(b"\n"):
            if line.startswith(b"data: "):
                with contextlib.suppress(orjson.JSONDecodeError):
                    events.append(orjson.loads(line[6:]))
    return events, end + len(FRAME_END)


def exchange_view(exchange: Exchange) -> tuple[dict[str, Any], int]:
    """An exchange as the page shows it, and (for a stream) the body offset its events cover."""
    view = exchange.to_dict()
    offset = 0
    if exchange.streamed:
        view["events"], offset = parse_frames(exchange.response_body)
    return view, offset


def _background(stored: StoredResponse, now: float) -> dict[str, Any] | None:
    if stored.job is None:
        return None
    return {
        "id": stored.id,
        "status": phase(stored.job, now),
        "model": stored.response.get("model"),
        **dataclasses.asdict(stored.job),
    }


def _current(stored: StoredResponse, now: float) -> dict[str, Any]:
    """The response as a client retrieving it now would see it (background jobs change)."""
    if stored.job is not None:
        return view(stored.response, stored.job, now)
    return stored.response


DEFAULT_LIMIT = 50
MAX_LIMIT = 500


def store_view(store: Store, now: float, limit: int = DEFAULT_LIMIT) -> dict[str, Any]:
    """The newest ``limit`` stored responses (with their input items), conversations (with their
    items) and background jobs, newest first, and how many there are of each.

    Reading the list costs what the store's ``list_*`` cost (the whole store for ``MemoryStore``),
    so the edge runs this off the event loop and shares one result between callers
    (``routes/inspector.py``); what it *returns* is bounded by ``limit``.
    """
    stored = store.list_responses()
    stored.reverse()  # ties (same second) newest first too
    stored.sort(key=lambda s: s.response.get("created_at", 0), reverse=True)
    jobs = [s for s in stored if s.job is not None]
    responses = [
        {"response": _current(s, now), "input_items": s.input_items} for s in stored[:limit]
    ]
    background = [job for job in (_background(s, now) for s in jobs[:limit]) if job is not None]
    found = store.list_conversations()
    found.sort(key=lambda c: c.conversation.get("created_at", 0), reverse=True)
    conversations = [
        {"conversation": c.conversation, "items": c.items} for c in found[:limit]
    ]
    return {
        "now": now,
        "limit": limit,
        "responses": responses,
        "conversations": conversations,
        "background": background,
        "totals": {
            "responses": len(stored),
            "conversations": len(found),
            "background": len(jobs),
        },
    }
