"""Per-schema memo: checking a schema, compiling its validator and building its Hypothesis
strategy are done once per distinct schema, however many requests send it.

Keys are the schema's canonical JSON (sorted keys), so two requests that spell the same schema
with a different key order share an entry. Bounded (least recently used entries go first) and
thread-safe: the server answers from several threads.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

import orjson

T = TypeVar("T")

DEFAULT_CAPACITY = 512


def schema_key(schema: Any) -> bytes:
    try:
        return orjson.dumps(schema, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
    except TypeError:  # integers beyond 64 bits (never from a parsed body; possible from code)
        return json.dumps(schema, sort_keys=True, default=repr).encode()


class SchemaCache:
    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[tuple[str, bytes, Any], Any] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, kind: str, schema: Any, compute: Callable[[], T], extra: Any = None) -> T:
        """The value ``compute()`` gives for (``kind``, ``schema``, ``extra``), computed once."""
        key = (kind, schema_key(schema), extra)
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                self.hits += 1
                return self._entries[key]
            self.misses += 1
        value = compute()
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.hits = self.misses = 0


# One cache for the process: schemas are immutable values, so sharing is safe.
CACHE = SchemaCache()
