"""Redis store (``redis://host:port/db``; Redis 7+ or Valkey): for replicas on many machines.

Keys (``prefix`` defaults to ``mockserver``; ``?prefix=NAME`` in the URL sets it, so several mock
services can share one Redis):

==============================  ===========================================================
``{prefix}:response:{id}``      a ``codec`` record; expires by ``Retention`` (PX)
``{prefix}:conversation:{id}``  the conversation object and its pending background jobs
``{prefix}:items:{id}``         its items, a list (oldest first): an append is one RPUSH, a
                                turn reads the last few (LRANGE -n -1)
``{prefix}:tally:{id}``         the conversation's running tally and last response (JSON),
                                set by the script that appends a turn's items
``{prefix}:counters``           hash: the stubs' call counters (HINCRBY)
``{prefix}:values``             hash: scenario states
``{prefix}:index:responses``    sorted set: response ids by the order first stored
``{prefix}:index:background``   the same, of those with a background job
``{prefix}:index:conversations``  sorted set: conversation ids by the order first stored
``{prefix}:index:expiry``       sorted set: response ids by when their key expires (ms)
``{prefix}:index:seq``          the counter that numbers that order
``{prefix}:item:{item_id}``     set: the records holding that item (``r:{response id}``,
                                ``c:{conversation id}``); lives as long as the longest-lived
``{prefix}:continuations:{id}`` set: the responses whose ``context_base`` is ``id``; expires
                                with the last of them
==============================  ===========================================================

The indexes make the inspector's views (``newest_*``, ``totals``) O(limit) instead of a SCAN of
every key. They change with the records in one step (Lua scripts, transactions). A response key
expires by itself (``PXAT``, the same instant as its ``index:expiry`` score), so its members are
dropped by score: a few on every write and all that are due before a view is read; members whose
key vanished otherwise (evicted under ``maxmemory``) are dropped when a view meets them.

The item and continuation sets (``find_item``, ``continuations_of``: O(the records found), not a
SCAN) are written by the same script or transaction as their record, and expire with the
longest-lived record they name (``hold``); a member whose record is gone (deleted, evicted) is
dropped when a lookup meets it, one whose record was rewritten without the item is passed over.

Atomicity: appends (a turn's with its tally) and seeding are Lua scripts (one step on the
server); a read-modify-write (``update_response``, e.g. a cancel, and ``update_conversation``) is
an optimistic transaction
(WATCH, read, change, MULTI/EXEC, retried when another client wrote the key meanwhile), so two
replicas can never both decide one job's fate.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import orjson
import redis

from mockserver.contract.errors import ConfigurationError
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
    decode_conversation,
    decode_item,
    decode_response,
    encode_conversation,
    encode_item,
    encode_response,
)

DEFAULT_PREFIX = "mockserver"
# A conversation's keys: its head record, its items, its tally.
_Keys = tuple[str, str, str]
SCAN_BATCH = 500
# Add a member to an index set (``{prefix}:item:*``, ``{prefix}:continuations:*``), which then
# lives as long as the longest-lived record it names: ``at`` is when the member's record expires
# (ms since the epoch, as a string), '' for never (a conversation).
_HOLD_BODY = """
local function hold(key, member, at)
    redis.call('SADD', key, member)
    if at == '' then
        redis.call('PERSIST', key)
        return
    end
    local expires = redis.call('PEXPIRETIME', key)
    if expires == -1 and redis.call('SCARD', key) > 1 then return end  -- a conversation's
    if expires < tonumber(at) then redis.call('PEXPIREAT', key, at) end
end
-- A response's item keys are KEYS[first .. first + n - 1], then its continuation key if any.
local function index_response(first, id, n, at)
    for i = first, first + n - 1 do hold(KEYS[i], 'r:' .. id, at) end
    if #KEYS >= first + n then hold(KEYS[first + n], id, at) end
end
"""
# KEYS: head, items, each appended item's index key; ARGV: index member, the items.
_APPEND = _HOLD_BODY + """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('RPUSH', KEYS[2], unpack(ARGV, 2))
for i = 3, #KEYS do hold(KEYS[i], ARGV[1], '') end
return 1
"""
# KEYS: head, items, tally, each appended item's index key; ARGV: how many items the writer saw,
# the tally record, the index member, the items. The tally is kept only when nobody changed the
# items meanwhile.
_APPEND_TALLIED = _HOLD_BODY + """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('LLEN', KEYS[2]) == tonumber(ARGV[1]) then
  redis.call('SET', KEYS[3], ARGV[2])
else
  redis.call('DEL', KEYS[3])
end
if #ARGV > 3 then redis.call('RPUSH', KEYS[2], unpack(ARGV, 4)) end
for i = 4, #KEYS do hold(KEYS[i], ARGV[3], '') end
return 1
"""
# After a rewrite (in its transaction). KEYS: response, item keys, continuation key if any;
# ARGV: id, how many item keys. The sets live as long as the record (PEXPIRETIME).
_INDEX_RESPONSE = _HOLD_BODY + """
local at = redis.call('PEXPIRETIME', KEYS[1])
if at == -2 then return 0 end
index_response(2, ARGV[1], tonumber(ARGV[2]), at == -1 and '' or string.format('%d', at))
return 1
"""
# Drop members whose record is (still) gone. KEYS: the set, then each member's record key;
# ARGV: the members, in the same order.
_RELEASE = """
for i, member in ipairs(ARGV) do
    if redis.call('EXISTS', KEYS[1 + i]) == 0 then redis.call('SREM', KEYS[1], member) end
end
return 1
"""
# KEYS: head, items, tally, index:conversations, index:seq, the items' index keys; ARGV: head
# record, tally record ('' for none), id, items...
_ADD_CONVERSATION = _HOLD_BODY + """
if not redis.call('SET', KEYS[1], ARGV[1], 'NX') then return 0 end
redis.call('DEL', KEYS[2], KEYS[3])
if ARGV[2] ~= '' then redis.call('SET', KEYS[3], ARGV[2]) end
for i = 4, #ARGV do redis.call('RPUSH', KEYS[2], ARGV[i]) end
if not redis.call('ZSCORE', KEYS[4], ARGV[3]) then
    redis.call('ZADD', KEYS[4], redis.call('INCR', KEYS[5]), ARGV[3])
end
for i = 6, #KEYS do hold(KEYS[i], 'c:' .. ARGV[3], '') end
return 1
"""
# KEYS: index:conversations, index:seq, the items' index keys; ARGV: id. A new member goes last;
# one there stays put.
_INDEX_CONVERSATION = _HOLD_BODY + """
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then
    redis.call('ZADD', KEYS[1], redis.call('INCR', KEYS[2]), ARGV[1])
end
for i = 3, #KEYS do hold(KEYS[i], 'c:' .. ARGV[1], '') end
return 1
"""
# Drop index members whose response key has expired (by the server's clock: the key's PXAT is
# its score), at most ``most`` of them (0: all that are due); returns how many went.
_PRUNE_BODY = """
local function prune(responses, background, expiry, most)
    local t = redis.call('TIME')
    local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
    local dropped = 0
    while true do
        local batch = 500
        if most > 0 then batch = math.min(batch, most - dropped) end
        if batch <= 0 then return dropped end
        local due = redis.call('ZRANGEBYSCORE', expiry, '-inf', '(' .. string.format('%d', now),
            'LIMIT', 0, batch)
        if #due == 0 then return dropped end
        redis.call('ZREM', responses, unpack(due))
        redis.call('ZREM', background, unpack(due))
        redis.call('ZREM', expiry, unpack(due))
        dropped = dropped + #due
    end
end
"""
# Drop members whose record key is (still) gone: one stored again meanwhile keeps its member.
# KEYS: index:responses, index:background, index:expiry, index:conversations, then each member's
# record key; ARGV: the members, in the same order.
_FORGET = """
for i, member in ipairs(ARGV) do
    if redis.call('EXISTS', KEYS[4 + i]) == 0 then
        for index = 1, 4 do redis.call('ZREM', KEYS[index], member) end
    end
end
return 1
"""
# KEYS: index:responses, index:background, index:expiry; ARGV: most.
_PRUNE = _PRUNE_BODY + "return prune(KEYS[1], KEYS[2], KEYS[3], tonumber(ARGV[1]))\n"
# Store a response and index it. KEYS: response, index:responses, index:background,
# index:expiry, index:seq, its item keys, its continuation key if any; ARGV: id, record, ttl ms,
# "1" if a background job, "1" for NX (seeding), how many item keys.
_PUT_RESPONSE = _PRUNE_BODY + _HOLD_BODY + """
prune(KEYS[2], KEYS[3], KEYS[4], 100)
local t = redis.call('TIME')
local expires = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[3])
local at = string.format('%d', expires)
if ARGV[5] == '1' then
    if not redis.call('SET', KEYS[1], ARGV[2], 'PXAT', at, 'NX') then return 0 end
else
    redis.call('SET', KEYS[1], ARGV[2], 'PXAT', at)
end
local place = redis.call('ZSCORE', KEYS[2], ARGV[1])
if not place then
    place = redis.call('INCR', KEYS[5])
    redis.call('ZADD', KEYS[2], place, ARGV[1])
end
redis.call('ZADD', KEYS[4], at, ARGV[1])
if ARGV[4] == '1' then
    redis.call('ZADD', KEYS[3], 'NX', place, ARGV[1])
else
    redis.call('ZREM', KEYS[3], ARGV[1])
end
index_response(6, ARGV[1], tonumber(ARGV[6]), at)
return 1
"""


def _split_url(url: str) -> tuple[str, str]:
    """The URL without our own ``prefix`` parameter, and the prefix."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query)
    prefix = next((value for key, value in query if key == "prefix"), DEFAULT_PREFIX)
    rest = urlencode([(key, value) for key, value in query if key != "prefix"])
    return urlunsplit(parts._replace(query=rest)), prefix


class RedisStore:
    def __init__(self, url: str, *, retention: Retention | None = None) -> None:
        client_url, self.prefix = _split_url(url)
        self.retention = retention or Retention()
        self.client = redis.Redis.from_url(client_url, socket_timeout=30)
        try:
            version = str(self.client.info("server").get("redis_version", "0"))
        except redis.RedisError as exc:
            raise ConfigurationError(
                f"cannot reach Redis at {client_url}: {exc}; start redis-server (7 or later) or "
                "valkey-server there, or pass another --store URL"
            ) from None
        if int(version.split(".")[0]) < 7:
            raise ConfigurationError(
                f"Redis at {client_url} is version {version}; the redis store needs Redis 7 or "
                "later (or Valkey)"
            )
        self._append = self.client.register_script(_APPEND)
        self._append_tallied = self.client.register_script(_APPEND_TALLIED)
        self._add_conversation = self.client.register_script(_ADD_CONVERSATION)
        self._index_conversation = self.client.register_script(_INDEX_CONVERSATION)
        self._prune = self.client.register_script(_PRUNE)
        self._forget = self.client.register_script(_FORGET)
        self._put_response = self.client.register_script(_PUT_RESPONSE)
        self._index_response = self.client.register_script(_INDEX_RESPONSE)
        self._release = self.client.register_script(_RELEASE)

    def _index(self, name: str) -> str:
        return f"{self.prefix}:index:{name}"

    @property
    def _response_indexes(self) -> list[str]:
        return [self._index("responses"), self._index("background"), self._index("expiry")]

    def _response_key(self, response_id: str) -> str:
        return f"{self.prefix}:response:{response_id}"

    def _item_key(self, item_id: str) -> str:
        return f"{self.prefix}:item:{item_id}"

    def _continuations_key(self, response_id: str) -> str:
        return f"{self.prefix}:continuations:{response_id}"

    def _index_keys(self, stored: StoredResponse) -> tuple[list[str], int]:
        """Its item keys then its continuation key if any (``index_response``), and how many
        item keys."""
        keys = [self._item_key(item_id) for item_id in item_ids(stored.held_items())]
        count = len(keys)
        if stored.context_base is not None:
            keys.append(self._continuations_key(stored.context_base))
        return keys, count

    def _conversation_keys(self, conversation_id: str) -> _Keys:
        return (
            f"{self.prefix}:conversation:{conversation_id}",
            f"{self.prefix}:items:{conversation_id}",
            f"{self.prefix}:tally:{conversation_id}",
        )

    def _ttl_ms(self, stored: StoredResponse) -> int:
        return max(1, int(self.retention.seconds(stored) * 1000))

    # Responses.

    def _store_response(self, stored: StoredResponse, only_new: bool) -> bool:
        index_keys, items = self._index_keys(stored)
        keys = [
            self._response_key(stored.id),
            *self._response_indexes,
            self._index("seq"),
            *index_keys,
        ]
        args = [
            stored.id,
            encode_response(stored),
            self._ttl_ms(stored),
            "1" if stored.job is not None else "0",
            "1" if only_new else "0",
            items,
        ]
        return bool(self._put_response(keys=keys, args=args))

    def put_response(self, stored: StoredResponse) -> None:
        self._store_response(stored, only_new=False)

    def add_response(self, stored: StoredResponse) -> bool:
        return self._store_response(stored, only_new=True)

    def get_response(self, response_id: str) -> StoredResponse | None:
        blob = self.client.get(self._response_key(response_id))
        return decode_response(blob) if blob is not None else None

    def delete_response(self, response_id: str) -> bool:
        with self.client.pipeline(transaction=True) as pipe:
            pipe.delete(self._response_key(response_id))
            for index in self._response_indexes:
                pipe.zrem(index, response_id)
            pipe.delete(self._continuations_key(response_id))  # handed on (or none were)
            deleted = pipe.execute()[0]
        return deleted == 1

    def _newest(
        self, index: str, limit: int, before: str | None, key: Callable[[str], str]
    ) -> list[tuple[str, bytes]]:
        """(id, record) of the newest ``limit`` members of ``index`` (below ``before``'s place)
        whose key is there; members whose key is gone are dropped from every index on the way."""
        found: list[tuple[str, bytes]] = []
        gone: list[str] = []
        top: str | float = "+inf"
        if before is not None:
            place = self.client.zscore(index, before)
            if place is None:
                return []
            top = f"({int(place)}"
        start = 0
        while len(found) < limit:
            want = limit - len(found)
            members = self.client.zrevrangebyscore(index, top, "-inf", start=start, num=want)
            ids = [member.decode() for member in members]
            if not ids:
                break
            start += len(ids)
            for member, blob in zip(ids, self.client.mget([key(i) for i in ids]), strict=True):
                if blob is None:
                    gone.append(member)
                else:
                    found.append((member, blob))
        if gone:
            indexes = [*self._response_indexes, self._index("conversations")]
            self._forget(keys=[*indexes, *[key(i) for i in gone]], args=gone)
        return found

    def _prune_expired(self) -> None:
        self._prune(keys=self._response_indexes, args=[0])

    def newest_responses(self, limit: int, before: str | None = None) -> list[StoredResponse]:
        self._prune_expired()
        found = self._newest(self._index("responses"), limit, before, self._response_key)
        return [decode_response(blob) for _, blob in found]

    def newest_background(self, limit: int, before: str | None = None) -> list[StoredResponse]:
        self._prune_expired()
        found = self._newest(self._index("background"), limit, before, self._response_key)
        return [decode_response(blob) for _, blob in found]

    def totals(self) -> StoreTotals:
        self._prune_expired()
        with self.client.pipeline(transaction=True) as pipe:
            for name in ("responses", "conversations", "background"):
                pipe.zcard(self._index(name))
            responses, conversations, background = pipe.execute()
        return StoreTotals(responses, conversations, background)

    def _scan(self, kind: str) -> list[str]:
        start = len(f"{self.prefix}:{kind}:")
        return [
            key.decode()[start:]
            for key in self.client.scan_iter(match=f"{self.prefix}:{kind}:*", count=SCAN_BATCH)
        ]

    def list_responses(self) -> list[StoredResponse]:
        ids = self._scan("response")
        if not ids:
            return []
        blobs = self.client.mget([self._response_key(i) for i in ids])
        found = [decode_response(blob) for blob in blobs if blob is not None]
        return sorted(found, key=lambda s: s.response.get("created_at") or 0)

    def update_response(
        self, response_id: str, change: Callable[[StoredResponse], StoredResponse]
    ) -> StoredResponse | None:
        key = self._response_key(response_id)

        def attempt(pipe: Any) -> StoredResponse | None:
            blob = pipe.get(key)
            if blob is None:
                return None
            updated = change(decode_response(blob))
            index_keys, items = self._index_keys(updated)
            pipe.multi()
            pipe.set(key, encode_response(updated), keepttl=True)
            self._index_response(keys=[key, *index_keys], args=[response_id, items], client=pipe)
            return updated

        return self.client.transaction(attempt, key, value_from_callable=True)

    def _members(self, key: str) -> list[str]:
        return sorted(member.decode() for member in self.client.smembers(key))

    def _release_gone(self, key: str, members: list[str], record_keys: list[str]) -> None:
        if members:
            self._release(keys=[key, *record_keys], args=members)

    def find_item(self, item_id: str) -> dict[str, Any] | None:
        key = self._item_key(item_id)
        members = self._members(key)
        responses = [m[2:] for m in members if m.startswith("r:")]
        conversations = [m[2:] for m in members if m.startswith("c:")]
        found = None
        gone: list[str] = []
        record_keys: list[str] = []
        if responses:
            response_keys = [self._response_key(i) for i in responses]
            for response_id, record_key, blob in zip(
                responses, response_keys, self.client.mget(response_keys), strict=True
            ):
                if blob is None:
                    gone.append(f"r:{response_id}")
                    record_keys.append(record_key)
                elif (
                    found := item_with_id(decode_response(blob).held_items(), item_id)
                ) is not None:
                    break
        for conversation_id in conversations if found is None else []:
            stored = self.get_conversation(conversation_id)
            if stored is None:
                gone.append(f"c:{conversation_id}")
                record_keys.append(self._conversation_keys(conversation_id)[0])
            elif (found := item_with_id(stored.items, item_id)) is not None:
                break
        self._release_gone(key, gone, record_keys)
        return found

    def continuations_of(self, response_id: str) -> list[str]:
        key = self._continuations_key(response_id)
        members = self._members(key)
        if not members:
            return []
        record_keys = [self._response_key(m) for m in members]
        found, gone = [], []
        for member, blob in zip(members, self.client.mget(record_keys), strict=True):
            if blob is None:
                gone.append(member)
            elif decode_response(blob).context_base == response_id:
                found.append(member)
        self._release_gone(key, gone, [self._response_key(m) for m in gone])
        return found

    # Conversations.

    @staticmethod
    def _records(stored: StoredConversation) -> tuple[bytes, bytes | None]:
        """The head record (without the tally) and the tally record (None when there is none)."""
        head = replace(stored, items=[], tally=None, last_response=None)
        tally = None
        if stored.tally is not None or stored.last_response is not None:
            tally = orjson.dumps([stored.tally, stored.last_response])
        return encode_conversation(head), tally

    @staticmethod
    def _with_tally(stored: StoredConversation, tally: bytes | None) -> StoredConversation:
        if tally is not None:
            stored.tally, stored.last_response = orjson.loads(tally)
        return stored

    def put_conversation(self, stored: StoredConversation) -> None:
        keys = self._conversation_keys(stored.id)
        with self.client.pipeline(transaction=True) as pipe:
            self._queue_write(pipe, keys, stored)
            self._queue_index_conversation(pipe, stored)
            pipe.execute()

    def _queue_index_conversation(self, pipe: Any, stored: StoredConversation) -> None:
        item_keys = [self._item_key(item_id) for item_id in item_ids(stored.items)]
        self._index_conversation(
            keys=[self._index("conversations"), self._index("seq"), *item_keys],
            args=[stored.id],
            client=pipe,
        )

    def _queue_write(self, pipe: Any, keys: _Keys, stored: StoredConversation) -> None:
        items_key = keys[1]
        self._queue_head(pipe, keys, stored)
        pipe.delete(items_key)
        if stored.items:
            pipe.rpush(items_key, *[encode_item(item) for item in stored.items])

    def _queue_head(self, pipe: Any, keys: _Keys, stored: StoredConversation) -> None:
        head_key, _, tally_key = keys
        head, tally = self._records(stored)
        pipe.set(head_key, head)
        if tally is None:
            pipe.delete(tally_key)
        else:
            pipe.set(tally_key, tally)

    def add_conversation(self, stored: StoredConversation) -> bool:
        head, tally = self._records(stored)
        args = [head, tally or b"", stored.id, *[encode_item(item) for item in stored.items]]
        keys = [
            *self._conversation_keys(stored.id),
            self._index("conversations"),
            self._index("seq"),
            *[self._item_key(item_id) for item_id in item_ids(stored.items)],
        ]
        return bool(self._add_conversation(keys=keys, args=args))

    def _assemble(
        self, head: bytes | None, items: list[bytes], tally: bytes | None
    ) -> StoredConversation | None:
        if head is None:
            return None
        stored = self._with_tally(decode_conversation(head), tally)
        stored.items = [decode_item(item) for item in items]
        return stored

    def get_conversation(self, conversation_id: str) -> StoredConversation | None:
        head_key, items_key, tally_key = self._conversation_keys(conversation_id)
        with self.client.pipeline(transaction=True) as pipe:
            pipe.get(head_key).lrange(items_key, 0, -1).get(tally_key)
            head, items, tally = pipe.execute()
        return self._assemble(head, items, tally)

    def list_conversations(self) -> list[StoredConversation]:
        found = [self.get_conversation(i) for i in self._scan("conversation")]
        conversations = [stored for stored in found if stored is not None]
        return sorted(conversations, key=lambda s: s.conversation.get("created_at") or 0)

    def newest_conversations(
        self, limit: int, before: str | None = None
    ) -> list[StoredConversation]:
        found = self._newest(
            self._index("conversations"), limit, before, lambda i: self._conversation_keys(i)[0]
        )
        with self.client.pipeline(transaction=True) as pipe:  # one snapshot, one round trip
            for conversation_id, _ in found:
                head_key, items_key, tally_key = self._conversation_keys(conversation_id)
                pipe.get(head_key).lrange(items_key, 0, -1).get(tally_key)
            replies = pipe.execute()
        newest = [self._assemble(*replies[n : n + 3]) for n in range(0, len(replies), 3)]
        return [stored for stored in newest if stored is not None]

    def delete_conversation(self, conversation_id: str) -> bool:
        keys = self._conversation_keys(conversation_id)
        # Its items leave the item index too (one appended meanwhile stays, and is dropped
        # when a lookup meets it).
        held = item_ids(decode_item(item) for item in self.client.lrange(keys[1], 0, -1))
        with self.client.pipeline(transaction=True) as pipe:
            pipe.delete(keys[0]).delete(*keys[1:])
            pipe.zrem(self._index("conversations"), conversation_id)
            for item_id in held:
                pipe.srem(self._item_key(item_id), f"c:{conversation_id}")
            deleted = pipe.execute()[0]
        return deleted == 1

    def update_conversation(
        self, conversation_id: str, change: Callable[[StoredConversation], None]
    ) -> StoredConversation | None:
        keys = self._conversation_keys(conversation_id)
        head_key, items_key, tally_key = keys

        def attempt(pipe: Any) -> StoredConversation | None:
            before = pipe.lrange(items_key, 0, -1)
            stored = self._assemble(pipe.get(head_key), before, pipe.get(tally_key))
            if stored is None:
                return None
            held = item_ids(stored.items)
            change(stored)
            after = [encode_item(item) for item in stored.items]
            kept = set(item_ids(stored.items))
            pipe.multi()
            if after[: len(before)] == before:  # unchanged, or only appended to
                self._queue_head(pipe, keys, stored)
                if len(after) > len(before):
                    pipe.rpush(items_key, *after[len(before) :])
            else:
                self._queue_write(pipe, keys, stored)
            self._queue_index_conversation(pipe, stored)
            for item_id in held:
                if item_id not in kept:
                    pipe.srem(self._item_key(item_id), f"c:{conversation_id}")
            return stored

        return self.client.transaction(attempt, *keys, value_from_callable=True)

    def append_items(
        self,
        conversation_id: str,
        items: list[dict[str, Any]],
        *,
        after: int | None = None,
        tally: list[Any] | None = None,
        last_response: str | None = None,
    ) -> bool:
        keys = self._conversation_keys(conversation_id)
        blobs = [encode_item(item) for item in items]
        member = f"c:{conversation_id}"
        item_keys = [self._item_key(item_id) for item_id in item_ids(items)]
        if after is None:
            if not blobs:
                return bool(self.client.exists(keys[0]))
            return bool(self._append(keys=[*keys[:2], *item_keys], args=[member, *blobs]))
        record = orjson.dumps([tally, last_response])
        return bool(
            self._append_tallied(keys=[*keys, *item_keys], args=[after, record, member, *blobs])
        )

    def conversation_tail(self, conversation_id: str, count: int) -> ConversationTail | None:
        head_key, items_key, tally_key = self._conversation_keys(conversation_id)
        with self.client.pipeline(transaction=True) as pipe:
            pipe.get(head_key).get(tally_key).llen(items_key)
            if count > 0:
                pipe.lrange(items_key, -count, -1)
            head, tally, length, *tail = pipe.execute()
        if head is None:
            return None
        stored = self._with_tally(decode_conversation(head), tally)
        items = [decode_item(item) for item in (tail[0] if tail else [])]
        return ConversationTail(
            stored.conversation, stored.pending, stored.tally, stored.last_response, length, items
        )

    def conversation_items(
        self, conversation_id: str, start: int = 0, stop: int | None = None
    ) -> list[dict[str, Any]]:
        if stop is not None and stop <= start:
            return []
        items_key = self._conversation_keys(conversation_id)[1]
        found = self.client.lrange(items_key, start, -1 if stop is None else stop - 1)
        return [decode_item(item) for item in found]

    # Counters and named values.

    def count(self, name: str, by: int = 1) -> int:
        return int(self.client.hincrby(f"{self.prefix}:counters", name, by))

    def counters(self) -> dict[str, int]:
        raw = self.client.hgetall(f"{self.prefix}:counters")
        return {key.decode(): int(value) for key, value in raw.items()}

    def set_value(self, name: str, value: str) -> None:
        self.client.hset(f"{self.prefix}:values", name, value)

    def values(self) -> dict[str, str]:
        raw = self.client.hgetall(f"{self.prefix}:values")
        return {key.decode(): value.decode() for key, value in raw.items()}

    def clear_counters(self) -> None:
        self.client.delete(f"{self.prefix}:counters", f"{self.prefix}:values")

    def clear(self) -> None:
        batch: list[bytes] = []
        for key in self.client.scan_iter(match=f"{self.prefix}:*", count=SCAN_BATCH):
            batch.append(key)
            if len(batch) >= SCAN_BATCH:
                self.client.unlink(*batch)
                batch = []
        if batch:
            self.client.unlink(*batch)

    def close(self) -> None:
        self.client.close()
