"""The inspector page: what it shows, as plain data (the page's files live next to this module).

The edge that serves it is ``routes/inspector.py``. Everything here is pure: journal exchanges
and store contents in, JSON-ready dicts out.
"""

from __future__ import annotations

import contextlib
import dataclasses
from typing import Any

import orjson

from mockserver.contract.errors import NotFoundError
from mockserver.scenarios.journal import Exchange
from mockserver.state.lifecycle import phase, view
from mockserver.state.store import Store, StoredConversation, StoredResponse

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
# The lists the state view is made of, each of which can be paged on its own (``store_page``).
KINDS = ("responses", "conversations", "background")


def _response_entry(stored: StoredResponse, now: float) -> dict[str, Any]:
    return {"response": _current(stored, now), "input_items": stored.input_items}


def _conversation_entry(stored: StoredConversation) -> dict[str, Any]:
    return {"conversation": stored.conversation, "items": stored.items}


def _newest(
    store: Store, kind: str, now: float, limit: int, before: str | None = None
) -> list[tuple[str, dict[str, Any]]]:
    """(id, entry) of the newest ``limit`` of one kind, stored before ``before``."""
    if kind == "responses":
        return [(s.id, _response_entry(s, now)) for s in store.newest_responses(limit, before)]
    if kind == "conversations":
        found = store.newest_conversations(limit, before)
        return [(c.id, _conversation_entry(c)) for c in found]
    jobs = store.newest_background(limit, before)
    return [(s.id, job) for s in jobs if (job := _background(s, now)) is not None]


def store_view(store: Store, now: float, limit: int = DEFAULT_LIMIT) -> dict[str, Any]:
    """The newest ``limit`` stored responses (with their input items), conversations (with their
    items) and background jobs, newest first (in the order they were stored), and how many there
    are of each.

    Every read is bounded: the store's ``newest_*`` read at most ``limit`` records each and
    ``totals`` reads counts it keeps, so the cost is O(limit) whatever the store holds (#16). The
    edge still runs it off the event loop (a shared store is a network or disk away) and shares
    one result between callers (``routes/inspector.py``).
    """
    view: dict[str, Any] = {"now": now, "limit": limit}
    for kind in KINDS:
        view[kind] = [entry for _, entry in _newest(store, kind, now, limit)]
    view["totals"] = dataclasses.asdict(store.totals())
    return view


def store_page(
    store: Store, kind: str, now: float, limit: int = DEFAULT_LIMIT, before: str | None = None
) -> dict[str, Any]:
    """One page of one list of the state view, newest first: the ``limit`` entries stored before
    ``before`` (from the newest without it), as the API pages its lists (``has_more``,
    ``first_id``, ``last_id``: pass ``last_id`` as ``before`` for the next page). O(limit)."""
    if kind not in KINDS:
        raise NotFoundError(
            f"Unknown inspector list {kind!r}; the lists are {', '.join(KINDS)} "
            f"({PREFIX}/state/responses, ...).",
        )
    found = _newest(store, kind, now, limit + 1, before)
    if not found and before is not None and not _is_stored(store, kind, before):
        what = "conversation" if kind == "conversations" else "response"
        raise NotFoundError(
            f"No stored {what} with id '{before}' to page from: it was deleted, expired or "
            "evicted, or never stored. Page again from the newest (leave out 'before').",
            param="before",
        )
    page = found[:limit]
    return {
        "object": "list",
        "data": [entry for _, entry in page],
        "first_id": page[0][0] if page else None,
        "last_id": page[-1][0] if page else None,
        "has_more": len(found) > limit,
        "total": getattr(store.totals(), kind),
    }


def _is_stored(store: Store, kind: str, record_id: str) -> bool:
    if kind == "conversations":
        return store.get_conversation(record_id) is not None
    return store.get_response(record_id) is not None
