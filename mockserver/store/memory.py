"""The default store: dictionaries behind a lock (handlers may run on several threads)."""

from __future__ import annotations

import threading

from .base import StoredResponse


class MemoryStore:
    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._responses: dict[str, StoredResponse] = {}

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

    def clear(self) -> None:
        with self._lock:
            self._responses.clear()
