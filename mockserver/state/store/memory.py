"""The default store: dictionaries behind a lock (handlers may run on several threads).

Responses are kept serialized (orjson bytes), not as nested dicts: a busy server stores thousands
of them, and as live Python objects every one would be scanned by each full garbage collection,
whose pauses then grow with the store (measured: p99 latency in the hundreds of milliseconds under
load). Bytes are invisible to the collector. Readers get fresh copies they may keep or change.
A response's keys are kept once per key order (``_Layouts``), not in every blob.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from typing import Any, NamedTuple

import orjson

from mockserver.state.store.base import StoredConversation, StoredResponse


class _WithJob(NamedTuple):
    data: bytes
    job: Any  # a background response's `lifecycle.BackgroundJob` (not JSON)


# How many distinct key orders of responses are kept as layouts (`_Layouts`); a response with
# another key order is stored with its keys.
MAX_LAYOUTS = 256


class _Layouts:
    """The key orders of stored responses, each stored once: a response is packed as its layout's
    number and its values. Nearly every response has one of a handful of key orders (the API's
    own), and its keys are a third of its bytes."""

    def __init__(self) -> None:
        self._orders: list[tuple[str, ...]] = []
        self._numbers: dict[tuple[str, ...], int] = {}
        self._lock = threading.Lock()

    def pack(self, response: dict[str, Any]) -> Any:
        keys = tuple(response)
        number = self._numbers.get(keys)
        if number is None:
            with self._lock:
                number = self._numbers.get(keys)
                if number is None and len(self._orders) < MAX_LAYOUTS:
                    number = len(self._orders)
                    self._orders.append(keys)
                    self._numbers[keys] = number
        if number is None:
            return response
        return [number, list(response.values())]

    def unpack(self, packed: Any) -> dict[str, Any]:
        if isinstance(packed, dict):
            return packed
        number, values = packed
        return dict(zip(self._orders[number], values, strict=True))


def _pack(stored: StoredResponse, layouts: _Layouts) -> bytes | _WithJob:
    data = orjson.dumps(
        [
            layouts.pack(stored.response),
            stored.input_items,
            stored.context,
            stored.events,
            stored.tally,
            stored.conversation_id,
            stored.context_base,
            stored.context_derived,
        ]
    )
    # An exact-size copy: the bytes orjson returns keep the capacity its buffer grew to, which
    # the allocator does not give back (measured: RSS 8.3 KB per 1.6 KB blob kept, 1.8 KB copied).
    data = bytes(memoryview(data))
    return data if stored.job is None else _WithJob(data, stored.job)


def _unpack(packed: bytes | _WithJob, layouts: _Layouts) -> StoredResponse:
    data, job = (packed, None) if isinstance(packed, bytes) else packed
    response, input_items, context, events, tally, conversation_id, base, derived = orjson.loads(
        data
    )
    return StoredResponse(
        layouts.unpack(response),
        input_items,
        context,
        events,
        job,
        conversation_id,
        base,
        tally,
        derived,
    )


class MemoryStore:
    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._responses: dict[str, bytes | _WithJob] = {}
        self._layouts = _Layouts()
        self._conversations: dict[str, StoredConversation] = {}

    def put_response(self, stored: StoredResponse) -> None:
        packed = _pack(stored, self._layouts)
        with self._lock:
            self._responses[stored.id] = packed

    def get_response(self, response_id: str) -> StoredResponse | None:
        with self._lock:
            packed = self._responses.get(response_id)
        return _unpack(packed, self._layouts) if packed is not None else None

    def delete_response(self, response_id: str) -> bool:
        with self._lock:
            return self._responses.pop(response_id, None) is not None

    def list_responses(self) -> list[StoredResponse]:
        with self._lock:
            packed = list(self._responses.values())
        return [_unpack(entry, self._layouts) for entry in packed]

    def update_response(
        self, response_id: str, change: Callable[[StoredResponse], StoredResponse]
    ) -> StoredResponse | None:
        with self._lock:
            current = self._responses.get(response_id)
            if current is None:
                return None
            updated = change(_unpack(current, self._layouts))
            self._responses[response_id] = _pack(updated, self._layouts)
            return updated

    def put_conversation(self, stored: StoredConversation) -> None:
        with self._lock:
            self._conversations[stored.id] = copy.deepcopy(stored)

    def get_conversation(self, conversation_id: str) -> StoredConversation | None:
        with self._lock:
            stored = self._conversations.get(conversation_id)
            return _snapshot(stored) if stored is not None else None

    def list_conversations(self) -> list[StoredConversation]:
        with self._lock:
            return [_snapshot(stored) for stored in self._conversations.values()]

    def delete_conversation(self, conversation_id: str) -> bool:
        with self._lock:
            return self._conversations.pop(conversation_id, None) is not None

    def update_conversation(
        self, conversation_id: str, change: Callable[[StoredConversation], None]
    ) -> StoredConversation | None:
        with self._lock:
            stored = self._conversations.get(conversation_id)
            if stored is None:
                return None
            change(stored)
            return _snapshot(stored)

    def clear(self) -> None:
        with self._lock:
            self._responses.clear()
            self._conversations.clear()


def _snapshot(stored: StoredConversation) -> StoredConversation:
    # Items are never mutated in place once stored, so sharing them is safe; the lists are not.
    return StoredConversation(
        dict(stored.conversation),
        list(stored.items),
        list(stored.pending),
        stored.tally,
        stored.last_response,
    )
