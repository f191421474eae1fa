"""The default store: one process's memory, bounded, behind a lock (handlers may run on several
threads).

Each response is one ``codec`` blob (compact orjson, zlib-compressed when large) prefixed by its
expiry time, in a plain dict used as an LRU list (reading a record moves it to the end; the
oldest-read go first). Bytes are invisible to the garbage collector, so a full store does not
make its pauses longer, and a stored response costs well under 2 KB.

A conversation is kept as the blob of everything but its items plus a list of its items, one
blob each (``_StoredItems``), like the SQLite and Redis stores keep them: a turn appends its
own items and reads the last few (``conversation_tail``), so it costs the same at turn 400 as
at turn 10.

Bounds (``memory://?max_responses=N&max_mb=M``): at most ``max_responses`` responses and
conversations each, and ``max_mb`` MiB of records in all; past either, the least recently used
go. Responses also expire by ``Retention`` (checked on reading, and swept once a minute: a heap
of expiry times pops only what is due). The inspector's newest-first views walk a second,
insertion-ordered index from its end, so they cost O(limit), not O(records). Item references
and deletes read through ``OwnerIndex``es (item id -> records holding the item, response id ->
responses continuing it), kept as records are stored and checked against them on reading.
"""

from __future__ import annotations

import heapq
import struct
import threading
import time
from collections.abc import Callable
from typing import Any

from mockserver.scenarios.stubs.registry import LocalTally
from mockserver.state.store.base import (
    ConversationTail,
    Retention,
    StoredConversation,
    StoredResponse,
    StoreTotals,
    item_ids,
    item_with_id,
)
from mockserver.state.store.codec import (
    conversation_head,
    decode_conversation,
    decode_response,
    encode_conversation,
    encode_response,
    pack,
    unpack,
)
from mockserver.state.store.insertion_order import InsertionOrder
from mockserver.state.store.owner_index import OwnerIndex

DEFAULT_MAX_RESPONSES = 100_000
DEFAULT_MAX_MB = 512
SWEEP_SECONDS = 60.0
_EXPIRY = struct.Struct("<d")
_NEVER = float("inf")


class _Bounded:
    """id -> blob with an expiry prefix, least recently used first, within a count and a share
    of a byte budget."""

    def __init__(self, max_count: int, budget: list[int]) -> None:
        self.records: dict[str, bytes] = {}
        self.max_count = max_count
        self.budget = budget  # [bytes used, bytes allowed], shared by responses and conversations
        # For the newest-first views (``newest``): keys in the order first stored (a rewrite keeps
        # its place), and the flagged ones (background jobs) likewise.
        self.stored_order = InsertionOrder()
        self.flagged = InsertionOrder()
        # (expiry, key) of records that expire, soonest first: ``sweep`` pops only what is due
        # (entries of records since rewritten or dropped are skipped, and compacted away).
        self.expiries: list[tuple[float, str]] = []

    def get(self, key: str, now: float) -> bytes | None:
        record = self.records.get(key)
        if record is None:
            return None
        if _EXPIRY.unpack_from(record)[0] <= now:
            self.pop(key)
            return None
        self.records[key] = self.records.pop(key)  # to the end: most recently used
        return record[_EXPIRY.size :]

    def put(self, key: str, blob: bytes, expires_at: float, flagged: bool = False) -> None:
        old = self.records.pop(key, None)
        if old is None:
            self.stored_order.add(key)
        else:
            self.budget[0] -= len(old)
        if flagged:
            self.flagged.add(key)
        else:
            self.flagged.remove(key)
        record = _EXPIRY.pack(expires_at) + blob
        self.records[key] = record
        self.budget[0] += len(record)
        if expires_at != _NEVER:
            heapq.heappush(self.expiries, (expires_at, key))
            if len(self.expiries) > 2 * len(self.records) + 1024:
                self._compact_expiries()
        while self.records and (
            len(self.records) > self.max_count or self.budget[0] > self.budget[1]
        ):
            self.pop(next(iter(self.records)))

    def pop(self, key: str) -> bool:
        record = self.records.pop(key, None)
        if record is None:
            return False
        self.budget[0] -= len(record)
        self.stored_order.remove(key)
        self.flagged.remove(key)
        return True

    def _compact_expiries(self) -> None:
        self.expiries = [
            (expires_at, key)
            for key, record in self.records.items()
            if (expires_at := _EXPIRY.unpack_from(record)[0]) != _NEVER
        ]
        heapq.heapify(self.expiries)

    def sweep(self, now: float) -> None:
        """Drop every record expired by ``now``: O(what expired), not O(records)."""
        while self.expiries and self.expiries[0][0] <= now:
            _, key = heapq.heappop(self.expiries)
            record = self.records.get(key)
            if record is not None and _EXPIRY.unpack_from(record)[0] <= now:
                self.pop(key)

    def newest(
        self, limit: int, now: float, before: str | None = None, flagged: bool = False
    ) -> list[bytes]:
        """The blobs of the newest ``limit`` live records stored before ``before`` (of the flagged
        ones only, if asked)."""
        found: list[bytes] = []
        expired: list[str] = []
        for key in (self.flagged if flagged else self.stored_order).newest(before):
            if len(found) >= limit:
                break
            record = self.records[key]
            if _EXPIRY.unpack_from(record)[0] <= now:
                expired.append(key)
            else:
                found.append(record[_EXPIRY.size :])
        for key in expired:
            self.pop(key)
        return found

    def live(self, now: float) -> list[bytes]:
        return [r[_EXPIRY.size :] for r in self.records.values() if _EXPIRY.unpack_from(r)[0] > now]

    def clear(self) -> None:
        for key in list(self.records):
            self.pop(key)
        self.expiries.clear()
        self.stored_order.clear()
        self.flagged.clear()


class _StoredItems:
    """One conversation: the codec blob of its head (``codec.conversation_head``) and its items,
    each ``codec.pack``-ed on its own. ``items`` is only ever appended to in place; a change to
    what it holds replaces it."""

    __slots__ = ("head", "items", "size")

    def __init__(self, head: bytes, items: list[bytes]) -> None:
        self.head = head
        self.items = items
        self.size = len(head) + sum(map(len, items))

    @classmethod
    def of(cls, stored: StoredConversation) -> _StoredItems:
        return cls(encode_conversation(conversation_head(stored)), [pack(i) for i in stored.items])

    def decode(self, items: list[bytes]) -> StoredConversation:
        stored = decode_conversation(self.head)
        stored.items = [unpack(item) for item in items]
        return stored


class _Conversations:
    """id -> ``_StoredItems``, least recently used first, within a count and the byte budget
    shared with the responses (``_Bounded``); conversations do not expire."""

    def __init__(self, max_count: int, budget: list[int]) -> None:
        self.records: dict[str, _StoredItems] = {}
        self.max_count = max_count
        self.budget = budget
        self.stored_order = InsertionOrder()  # for ``newest``: a rewrite keeps its place

    def get(self, key: str) -> _StoredItems | None:
        record = self.records.pop(key, None)
        if record is not None:
            self.records[key] = record  # to the end: most recently used
        return record

    def put(self, key: str, record: _StoredItems) -> None:
        old = self.records.pop(key, None)
        if old is None:
            self.stored_order.add(key)
        else:
            self.budget[0] -= old.size
        self.records[key] = record
        self.grew(record.size)

    def grew(self, by: int) -> None:
        self.budget[0] += by
        while self.records and (
            len(self.records) > self.max_count or self.budget[0] > self.budget[1]
        ):
            self.pop(next(iter(self.records)))

    def pop(self, key: str) -> bool:
        record = self.records.pop(key, None)
        if record is None:
            return False
        self.budget[0] -= record.size
        self.stored_order.remove(key)
        return True

    def newest(
        self, limit: int, before: str | None = None
    ) -> list[tuple[_StoredItems, list[bytes]]]:
        """The newest ``limit`` records stored before ``before``, each with its items as now."""
        found: list[tuple[_StoredItems, list[bytes]]] = []
        for key in self.stored_order.newest(before):
            if len(found) >= limit:
                break
            record = self.records[key]
            found.append((record, list(record.items)))
        return found

    def clear(self) -> None:
        for key in list(self.records):
            self.pop(key)
        self.stored_order.clear()


class MemoryStore:
    def __init__(
        self,
        *,
        max_responses: int = DEFAULT_MAX_RESPONSES,
        max_mb: float = DEFAULT_MAX_MB,
        retention: Retention | None = None,
    ) -> None:
        if max_responses < 1 or not max_mb > 0:
            raise ValueError(
                f"memory store bounds must be positive: max_responses={max_responses!r}, "
                f"max_mb={max_mb!r}"
            )
        self.retention = retention or Retention()
        self._lock = threading.RLock()
        budget = [0, int(max_mb * 1024 * 1024)]
        self._responses = _Bounded(max_responses, budget)
        self._conversations = _Conversations(max_responses, budget)
        self._budget = budget
        # Which records hold an item id, and which responses continue a response (a stale entry
        # is met only by these lookups, which check the record).
        self._response_items = OwnerIndex(self._responses.records.__contains__)
        self._conversation_items = OwnerIndex(self._conversations.records.__contains__)
        self._continuations = OwnerIndex(self._responses.records.__contains__)
        # Stub counters and scenario states (a Tally): one process's memory, like the rest.
        self._tally = LocalTally()
        self._next_sweep = time.time() + SWEEP_SECONDS

    @property
    def bytes_used(self) -> int:
        """Bytes of stored records (what the ``max_mb`` bound counts)."""
        return self._budget[0]

    def __len__(self) -> int:
        return len(self._responses.records)

    def _expiry(self, stored: StoredResponse) -> float:
        return time.time() + self.retention.seconds(stored)

    def _maybe_sweep(self, now: float) -> None:
        if now >= self._next_sweep:
            self._next_sweep = now + SWEEP_SECONDS
            self._responses.sweep(now)

    def put_response(self, stored: StoredResponse) -> None:
        blob = encode_response(stored)
        expires_at = self._expiry(stored)
        with self._lock:
            self._maybe_sweep(time.time())
            self._responses.put(stored.id, blob, expires_at, stored.job is not None)
            self._index_response(stored.id, stored)

    def _index_response(self, key: str, stored: StoredResponse) -> None:
        """Index what ``stored`` holds; ``key`` is the string that keys its record (shared)."""
        for item_id in item_ids(stored.held_items()):
            self._response_items.add(item_id, key)
        if stored.context_base is not None:
            self._continuations.add(stored.context_base, key)

    def add_response(self, stored: StoredResponse) -> bool:
        with self._lock:
            if self._responses.get(stored.id, time.time()) is not None:
                return False
            self.put_response(stored)
            return True

    def get_response(self, response_id: str) -> StoredResponse | None:
        with self._lock:
            blob = self._responses.get(response_id, time.time())
        return decode_response(blob) if blob is not None else None

    def delete_response(self, response_id: str) -> bool:
        with self._lock:
            return self._responses.pop(response_id)

    def list_responses(self) -> list[StoredResponse]:
        with self._lock:
            blobs = self._responses.live(time.time())
        return [decode_response(blob) for blob in blobs]

    def newest_responses(self, limit: int, before: str | None = None) -> list[StoredResponse]:
        with self._lock:
            blobs = self._responses.newest(limit, time.time(), before)
        return [decode_response(blob) for blob in blobs]

    def newest_background(self, limit: int, before: str | None = None) -> list[StoredResponse]:
        with self._lock:
            blobs = self._responses.newest(limit, time.time(), before, flagged=True)
        return [decode_response(blob) for blob in blobs]

    def totals(self) -> StoreTotals:
        with self._lock:
            self._responses.sweep(time.time())
            return StoreTotals(
                responses=len(self._responses.records),
                conversations=len(self._conversations.records),
                background=len(self._responses.flagged),
            )

    def update_response(
        self, response_id: str, change: Callable[[StoredResponse], StoredResponse]
    ) -> StoredResponse | None:
        with self._lock:
            now = time.time()
            blob = self._responses.get(response_id, now)
            if blob is None:
                return None
            expires_at = _EXPIRY.unpack_from(self._responses.records[response_id])[0]
            updated = change(decode_response(blob))
            self._responses.put(
                response_id, encode_response(updated), expires_at, updated.job is not None
            )
            self._index_response(response_id, updated)
            return updated

    def find_item(self, item_id: str) -> dict[str, Any] | None:
        # Under the lock, so an owner found gone is still gone when it is forgotten. An owner
        # that is there without the item (rewritten since) is only passed over: its entry may be
        # another id's with the same hash.
        with self._lock:
            for owner in self._response_items.owners(item_id):
                stored = self.get_response(owner)
                if stored is None:
                    self._response_items.forget(item_id, owner)
                elif (found := item_with_id(stored.held_items(), item_id)) is not None:
                    return found
            for owner in self._conversation_items.owners(item_id):
                conversation = self.get_conversation(owner)
                if conversation is None:
                    self._conversation_items.forget(item_id, owner)
                elif (found := item_with_id(conversation.items, item_id)) is not None:
                    return found
        return None

    def continuations_of(self, response_id: str) -> list[str]:
        found = []
        with self._lock:
            for owner in self._continuations.owners(response_id):
                stored = self.get_response(owner)
                if stored is None:
                    self._continuations.forget(response_id, owner)
                elif stored.context_base == response_id:
                    found.append(owner)
        return found

    def _index_conversation(self, key: str, items: list[dict[str, Any]]) -> None:
        for item_id in item_ids(items):
            self._conversation_items.add(item_id, key)

    def put_conversation(self, stored: StoredConversation) -> None:
        record = _StoredItems.of(stored)
        with self._lock:
            self._conversations.put(stored.id, record)
            self._index_conversation(stored.id, stored.items)

    def add_conversation(self, stored: StoredConversation) -> bool:
        with self._lock:
            if self._conversations.get(stored.id) is not None:
                return False
            self.put_conversation(stored)
            return True

    def get_conversation(self, conversation_id: str) -> StoredConversation | None:
        with self._lock:
            record = self._conversations.get(conversation_id)
            items = list(record.items) if record is not None else []
        return record.decode(items) if record is not None else None

    def list_conversations(self) -> list[StoredConversation]:
        with self._lock:
            found = [(r, list(r.items)) for r in self._conversations.records.values()]
        return [record.decode(items) for record, items in found]

    def newest_conversations(
        self, limit: int, before: str | None = None
    ) -> list[StoredConversation]:
        with self._lock:
            found = self._conversations.newest(limit, before)
        return [record.decode(items) for record, items in found]

    def delete_conversation(self, conversation_id: str) -> bool:
        with self._lock:
            return self._conversations.pop(conversation_id)

    def update_conversation(
        self, conversation_id: str, change: Callable[[StoredConversation], None]
    ) -> StoredConversation | None:
        with self._lock:
            record = self._conversations.get(conversation_id)
            if record is None:
                return None
            stored = record.decode(record.items)
            change(stored)
            self._conversations.put(conversation_id, _StoredItems.of(stored))
            self._index_conversation(conversation_id, stored.items)
            return stored

    def append_items(
        self,
        conversation_id: str,
        items: list[dict[str, Any]],
        *,
        after: int | None = None,
        tally: list[Any] | None = None,
        last_response: str | None = None,
    ) -> bool:
        blobs = [pack(item) for item in items]
        with self._lock:
            record = self._conversations.get(conversation_id)
            if record is None:
                return False
            grown = sum(map(len, blobs))
            if after is not None:
                head = decode_conversation(record.head)
                current = len(record.items) == after
                head.tally = tally if current else None
                head.last_response = last_response if current else None
                blob = encode_conversation(head)
                grown += len(blob) - len(record.head)
                record.head = blob
            record.items.extend(blobs)
            record.size += grown
            self._conversations.grew(grown)
            self._index_conversation(conversation_id, items)
            return True

    def conversation_tail(self, conversation_id: str, count: int) -> ConversationTail | None:
        with self._lock:
            record = self._conversations.get(conversation_id)
            if record is None:
                return None
            head_blob, length = record.head, len(record.items)
            tail = record.items[max(0, length - count) :]
        head = decode_conversation(head_blob)
        return ConversationTail(
            head.conversation,
            head.pending,
            head.tally,
            head.last_response,
            length,
            [unpack(item) for item in tail],
        )

    def conversation_items(
        self, conversation_id: str, start: int = 0, stop: int | None = None
    ) -> list[dict[str, Any]]:
        with self._lock:
            record = self._conversations.get(conversation_id)
            blobs = record.items[start:stop] if record is not None else []
        return [unpack(item) for item in blobs]

    def count(self, name: str, by: int = 1) -> int:
        return self._tally.count(name, by)

    def counters(self) -> dict[str, int]:
        return self._tally.counters()

    def set_value(self, name: str, value: str) -> None:
        self._tally.set_value(name, value)

    def values(self) -> dict[str, str]:
        return self._tally.values()

    def clear_counters(self) -> None:
        self._tally.clear_counters()

    def clear(self) -> None:
        with self._lock:
            self._responses.clear()
            self._conversations.clear()
            for index in (self._response_items, self._conversation_items, self._continuations):
                index.clear()
            self.clear_counters()

    def close(self) -> None:
        pass
