"""Ids shaped like the real API's.

Since Sep 2025 a response id is ``resp_`` + a 16-hex shard + ``00`` + 8-hex unix time + 24 hex
(50 hex digits), and every item id of that response shares the shard. Conversation ids stay
48-hex and time-first, with the shard as suffix. Clients must treat ids as opaque; only prefix and
length matter for realism. Fixtures may use any id string (``resp_my_fixture``).
"""

from __future__ import annotations

import random
import threading


class IdFactory:
    """Makes ids; seeded, so a seeded server gives the same ids on every run."""

    def __init__(self, seed: int | None = None) -> None:
        self._random = random.Random(seed)
        self._lock = threading.Lock()

    def _hex(self, digits: int) -> str:
        with self._lock:
            return f"{self._random.getrandbits(digits * 4):0{digits}x}"

    def new_shard(self) -> str:
        return self._hex(16)

    def response_id(self, shard: str, created_at: float) -> str:
        return f"resp_{shard}00{int(created_at):08x}{self._hex(24)}"

    def item_id(self, prefix: str, shard: str, created_at: float) -> str:
        """An output or input item id (``msg``, ``fc``, ``rs`` ...) sharing its response's shard."""
        return f"{prefix}_{shard}00{int(created_at):08x}{self._hex(24)}"

    def conversation_id(self, shard: str, created_at: float) -> str:
        return f"conv_{int(created_at):08x}{self._hex(24)}{shard}"

    def conversation_item_id(self, prefix: str, shard: str, created_at: float) -> str:
        return f"{prefix}_{int(created_at):08x}{self._hex(24)}{shard}"

    def request_id(self) -> str:
        return f"req_{self._hex(32)}"

    def call_id(self) -> str:
        return f"call_{self._hex(24)}"
