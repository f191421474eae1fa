"""Redis store (``redis://host:port/db``; Redis 7+ or Valkey): for replicas on many machines.

Keys (``prefix`` defaults to ``mockserver``; ``?prefix=NAME`` in the URL sets it, so several mock
services can share one Redis):

==============================  ===========================================================
``{prefix}:response:{id}``      a ``codec`` record; expires by ``Retention`` (PX)
``{prefix}:conversation:{id}``  the conversation object, its pending background jobs and tally
``{prefix}:items:{id}``         its items, a list (oldest first): an append is one RPUSH, a
                                turn reads the last few (LRANGE -n -1)
``{prefix}:counters``           hash: the stubs' call counters (HINCRBY)
``{prefix}:values``             hash: scenario states
==============================  ===========================================================

Atomicity: appends and seeding are Lua scripts (one step on the server); a read-modify-write
(``update_response``, e.g. a cancel, ``update_conversation``, and an append that also stores the
conversation's tally) is an optimistic transaction
(WATCH, read, change, MULTI/EXEC, retried when another client wrote the key meanwhile), so two
replicas can never both decide one job's fate.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import redis

from mockserver.contract.errors import ConfigurationError
from mockserver.state.store.base import (
    ConversationTail,
    Retention,
    StoredConversation,
    StoredResponse,
)
from mockserver.state.store.codec import (
    conversation_head,
    decode_conversation,
    decode_item,
    decode_response,
    encode_conversation,
    encode_item,
    encode_response,
)

DEFAULT_PREFIX = "mockserver"
SCAN_BATCH = 500
_APPEND = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('RPUSH', KEYS[2], unpack(ARGV))
return 1
"""
_ADD_CONVERSATION = """
if not redis.call('SET', KEYS[1], ARGV[1], 'NX') then return 0 end
redis.call('DEL', KEYS[2])
for i = 2, #ARGV do redis.call('RPUSH', KEYS[2], ARGV[i]) end
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
        self._add_conversation = self.client.register_script(_ADD_CONVERSATION)

    def _response_key(self, response_id: str) -> str:
        return f"{self.prefix}:response:{response_id}"

    def _conversation_keys(self, conversation_id: str) -> tuple[str, str]:
        return (
            f"{self.prefix}:conversation:{conversation_id}",
            f"{self.prefix}:items:{conversation_id}",
        )

    def _ttl_ms(self, stored: StoredResponse) -> int:
        return max(1, int(self.retention.seconds(stored) * 1000))

    # Responses.

    def put_response(self, stored: StoredResponse) -> None:
        self.client.set(
            self._response_key(stored.id), encode_response(stored), px=self._ttl_ms(stored)
        )

    def add_response(self, stored: StoredResponse) -> bool:
        return bool(
            self.client.set(
                self._response_key(stored.id),
                encode_response(stored),
                px=self._ttl_ms(stored),
                nx=True,
            )
        )

    def get_response(self, response_id: str) -> StoredResponse | None:
        blob = self.client.get(self._response_key(response_id))
        return decode_response(blob) if blob is not None else None

    def delete_response(self, response_id: str) -> bool:
        return self.client.delete(self._response_key(response_id)) == 1

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
            pipe.multi()
            pipe.set(key, encode_response(updated), keepttl=True)
            return updated

        return self.client.transaction(attempt, key, value_from_callable=True)

    # Conversations.

    def put_conversation(self, stored: StoredConversation) -> None:
        head_key, items_key = self._conversation_keys(stored.id)
        with self.client.pipeline(transaction=True) as pipe:
            self._queue_write(pipe, head_key, items_key, stored)
            pipe.execute()

    @staticmethod
    def _queue_write(pipe: Any, head_key: str, items_key: str, stored: StoredConversation) -> None:
        pipe.set(head_key, encode_conversation(conversation_head(stored)))
        pipe.delete(items_key)
        if stored.items:
            pipe.rpush(items_key, *[encode_item(item) for item in stored.items])

    def add_conversation(self, stored: StoredConversation) -> bool:
        head = encode_conversation(conversation_head(stored))
        args = [head, *[encode_item(item) for item in stored.items]]
        return bool(self._add_conversation(keys=self._conversation_keys(stored.id), args=args))

    @staticmethod
    def _assemble(head: bytes | None, items: list[bytes]) -> StoredConversation | None:
        if head is None:
            return None
        stored = decode_conversation(head)
        stored.items = [decode_item(item) for item in items]
        return stored

    def get_conversation(self, conversation_id: str) -> StoredConversation | None:
        head_key, items_key = self._conversation_keys(conversation_id)
        with self.client.pipeline(transaction=True) as pipe:
            head, items = pipe.get(head_key).lrange(items_key, 0, -1).execute()
        return self._assemble(head, items)

    def list_conversations(self) -> list[StoredConversation]:
        found = [self.get_conversation(i) for i in self._scan("conversation")]
        conversations = [stored for stored in found if stored is not None]
        return sorted(conversations, key=lambda s: s.conversation.get("created_at") or 0)

    def delete_conversation(self, conversation_id: str) -> bool:
        head_key, items_key = self._conversation_keys(conversation_id)
        with self.client.pipeline(transaction=True) as pipe:
            deleted, _ = pipe.delete(head_key).delete(items_key).execute()
        return deleted == 1

    def update_conversation(
        self, conversation_id: str, change: Callable[[StoredConversation], None]
    ) -> StoredConversation | None:
        head_key, items_key = self._conversation_keys(conversation_id)

        def attempt(pipe: Any) -> StoredConversation | None:
            before = pipe.lrange(items_key, 0, -1)
            stored = self._assemble(pipe.get(head_key), before)
            if stored is None:
                return None
            change(stored)
            after = [encode_item(item) for item in stored.items]
            pipe.multi()
            if after[: len(before)] == before:  # unchanged, or only appended to
                pipe.set(head_key, encode_conversation(conversation_head(stored)))
                if len(after) > len(before):
                    pipe.rpush(items_key, *after[len(before) :])
            else:
                self._queue_write(pipe, head_key, items_key, stored)
            return stored

        return self.client.transaction(attempt, head_key, items_key, value_from_callable=True)

    def append_items(
        self,
        conversation_id: str,
        items: list[dict[str, Any]],
        *,
        after: int | None = None,
        tally: list[Any] | None = None,
        last_response: str | None = None,
    ) -> bool:
        head_key, items_key = self._conversation_keys(conversation_id)
        args = [encode_item(item) for item in items]
        if after is None:
            if not args:
                return bool(self.client.exists(head_key))
            return bool(self._append(keys=[head_key, items_key], args=args))

        def attempt(pipe: Any) -> bool:
            blob = pipe.get(head_key)
            if blob is None:
                return False
            head = decode_conversation(blob)
            current = pipe.llen(items_key) == after
            head.tally = tally if current else None
            head.last_response = last_response if current else None
            pipe.multi()
            pipe.set(head_key, encode_conversation(head))
            if args:
                pipe.rpush(items_key, *args)
            return True

        return self.client.transaction(attempt, head_key, items_key, value_from_callable=True)

    def conversation_tail(self, conversation_id: str, count: int) -> ConversationTail | None:
        head_key, items_key = self._conversation_keys(conversation_id)
        with self.client.pipeline(transaction=True) as pipe:
            pipe.get(head_key).llen(items_key)
            if count > 0:
                pipe.lrange(items_key, -count, -1)
            head, length, *tail = pipe.execute()
        if head is None:
            return None
        stored = decode_conversation(head)
        items = [decode_item(item) for item in (tail[0] if tail else [])]
        return ConversationTail(
            stored.conversation, stored.pending, stored.tally, stored.last_response, length, items
        )

    def conversation_items(
        self, conversation_id: str, start: int = 0, stop: int | None = None
    ) -> list[dict[str, Any]]:
        if stop is not None and stop <= start:
            return []
        _, items_key = self._conversation_keys(conversation_id)
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
