"""The default store: dictionaries behind a lock (handlers may run on several threads).

Responses are kept serialized (orjson bytes), not as nested dicts: a busy server stores thousands
of them, and as live Python objects every one would be scanned by each full garbage collection,
whose pauses then grow with the store (measured: p99 latency in the hundreds of milliseconds under
load). Bytes are invisible to the collector. Readers get fresh copies they may keep or change.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from typing import Any, NamedTuple

import orjson

from mockserver.state.store.base import StoredConversation, StoredResponse


class _Packed(NamedTuple):
    data: bytes  # response, input_items, context, events, tally
    job: Any
    conversation_id: str | None
    context_base: str | None


def _pack(stored: StoredResponse) -> _Packed:
    data = orjson.dumps(
        [stored.response, stored.input_items, stored.context, stored.events, stored.tally]
    )
    return _Packed(data, stored.job, stored.conversation_id, stored.context_base)


def _unpack(packed: _Packed) -> StoredResponse:
    response, input_items, context, events, tally = orjson.loads(packed.data)
    return StoredResponse(
        response,
        input_items,
        context,
        events,
        packed.job,
        packed.conversation_id,
        packed.context_base,
        tally,
    )


class MemoryStore:
    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._responses: dict[str, _Packed] = {}
        self._conversations: dict[str, StoredConversation] = {}

    def put_response(self, stored: StoredResponse) -> None:
        packed = _pack(stored)
        with self._lock:
            self._responses[stored.id] = packed

    def get_response(self, response_id: str) -> StoredResponse | None:
        with self._lock:
            packed = self._responses.get(response_id)
        return _unpack(packed) if packed is not None else None

    def delete_response(self, response_id: str) -> bool:
        with self._lock:
            return self._responses.pop(response_id, None) is not None

    def list_responses(self) -> list[StoredResponse]:
        with self._lock:
            packed = list(self._responses.values())
        return [_unpack(entry) for entry in packed]

    def update_response(
        self, response_id: str, change: Callable[[StoredResponse], StoredResponse]
    ) -> StoredResponse | None:
        with self._lock:
            current = self._responses.get(response_id)
            if current is None:
                return None
            updated = change(_unpack(current))
            self._responses[response_id] = _pack(updated)
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
        dict(stored.conversation), list(stored.items), list(stored.pending), stored.tally
    )
