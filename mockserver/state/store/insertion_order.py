"""Keys in the order they were first added, read newest first from any point: the memory store's
index for its bounded views (``Store.newest_*``).

A plain dict keeps insertion order but cannot start reading at a given key; this keeps a list of
keys with holes where keys were removed, and each key's place in it, so adding, removing and
finding where to start are O(1) and reading ``n`` keys costs ``n`` plus the holes passed over. The
list is compacted once half of it is holes (O(keys), so O(1) per removal overall).
"""

from __future__ import annotations

from collections.abc import Iterator

COMPACT_SLACK = 1024  # holes always allowed, so a small index is not compacted on every removal


class InsertionOrder:
    def __init__(self) -> None:
        self._keys: list[str | None] = []
        self._places: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._places)

    def __contains__(self, key: object) -> bool:
        return key in self._places

    def add(self, key: str) -> None:
        """Add ``key`` as the newest; a key already here keeps its place."""
        if key not in self._places:
            self._places[key] = len(self._keys)
            self._keys.append(key)

    def remove(self, key: str) -> None:
        place = self._places.pop(key, None)
        if place is None:
            return
        self._keys[place] = None
        if len(self._keys) > 2 * len(self._places) + COMPACT_SLACK:
            self._keys = [k for k in self._keys if k is not None]
            self._places = {k: n for n, k in enumerate(self._keys)}  # type: ignore[misc]

    def clear(self) -> None:
        self._keys.clear()
        self._places.clear()

    def newest(self, before: str | None = None) -> Iterator[str]:
        """Keys newest first; with ``before``, only those added before it (none if it is not
        here). Do not add or remove while reading: collect, then change."""
        end = len(self._keys) if before is None else self._places.get(before, 0)
        keys = self._keys
        for place in range(end - 1, -1, -1):
            key = keys[place]
            if key is not None:
                yield key
