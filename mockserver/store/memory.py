"""The default store: dictionaries behind a lock (handlers may run on several threads)."""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable

from .base import StoredConversation, StoredResponse


class MemoryStore:
    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._responses: dict[str, StoredResponse] = {}
        self._conversations: dict[str, StoredConversation] = {}

    def put_response(self, stored: StoredResponse) -> None:
        with self._lock:
            self._responses[stored.id] = stored

    def get_response(self, response_id: str) -> StoredResponse | None:
        with self._lock:
            return self._responses.get(response_id)

    def delete_response(self, response_id: str) -> bool:
        with self._lock:
            return self._responses.pop(response_id, None) is not None

    def list_responses(self) -> list[StoredResponse]:
        with self._lock:
            return list(self._responses.values())

    def update_response(
        self, response_id: str, change: Callable[[StoredResponse], StoredResponse]
    ) -> StoredResponse | None:
        with self._lock:
            current = self._responses.get(response_id)
            if current is None:
                return None
            updated = change(current)
            self._responses[response_id] = updated
            return updated

    def put_conversation(self, stored: StoredConversation) -> None:
        with self._lock:
            self._conversations[stored.id] = copy.deepcopy(stored)

    def get_conversation(self, conversation_id: str) -> StoredConversation | None:
        with self._lock:
            stored = self._conversations.get(conversation_id)
            return _snapshot(stored) if stored is not None else None

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
    return StoredConversation(dict(stored.conversation), list(stored.items), list(stored.pending))
