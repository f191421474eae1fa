"""RedisStore: what is particular to it (what every backend does is in test_store_contract.py):
the sorted-set indexes behind the bounded views never keep members whose key is gone."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import replace

import pytest

from mockserver.state.lifecycle import BackgroundJob
from mockserver.state.store import Retention, StoredConversation, StoredResponse, StoreTotals
from mockserver.state.store.redis_store import RedisStore

JOB = BackgroundJob(created_at=1.0, started_at=1.0, done_at=1.0, outcome="completed")


@pytest.fixture
def store(redis_url: str) -> Iterator[RedisStore]:
    opened = RedisStore(
        f"{redis_url}?prefix=test{uuid.uuid4().hex[:12]}",
        retention=Retention(response_seconds=60.0, background_seconds=0.3),
    )
    yield opened
    opened.clear()
    opened.close()


def response(n: int) -> StoredResponse:
    return StoredResponse({"id": f"resp_{n}", "object": "response", "output": []}, [])


def members(store: RedisStore, index: str) -> list[str]:
    return [m.decode() for m in store.client.zrange(store._index(index), 0, -1)]


def test_expired_members_are_dropped_by_score(store: RedisStore) -> None:
    store.put_response(response(0))
    for n in (1, 2):
        store.put_response(replace(response(n), job=JOB))
    assert members(store, "background") == ["resp_1", "resp_2"]
    time.sleep(1.0)
    assert store.totals() == StoreTotals(responses=1)  # pruned before counting
    for index in ("responses", "expiry"):
        assert members(store, index) == ["resp_0"]
    assert members(store, "background") == []


def test_a_write_drops_expired_members_too(store: RedisStore) -> None:
    store.put_response(replace(response(1), job=JOB))
    time.sleep(1.0)
    store.put_response(response(2))
    assert members(store, "responses") == ["resp_2"] and members(store, "background") == []


def test_members_whose_key_vanished_are_dropped_when_met(store: RedisStore) -> None:
    """A key can go without us (evicted under maxmemory, deleted by hand): a view skips its
    member, still fills its limit from older ones, and forgets the member."""
    for n in range(4):
        store.put_response(response(n))
        store.put_conversation(StoredConversation({"id": f"conv_{n}", "object": "conversation"}))
    store.client.delete(store._response_key("resp_3"), store._response_key("resp_2"))
    store.client.delete(store._conversation_keys("conv_3")[0])
    assert [s.id for s in store.newest_responses(2)] == ["resp_1", "resp_0"]
    assert members(store, "responses") == ["resp_0", "resp_1"]
    assert [c.id for c in store.newest_conversations(9)] == ["conv_2", "conv_1", "conv_0"]
    assert store.totals() == StoreTotals(responses=2, conversations=3)


def test_a_member_stored_again_meanwhile_is_kept(store: RedisStore) -> None:
    """Between a view reading a member and finding its key gone, the id may be stored again:
    only members whose key is still gone are dropped."""
    store.put_response(response(1))
    indexes = [*store._response_indexes, store._index("conversations")]
    store._forget(keys=[*indexes, store._response_key("resp_1")], args=["resp_1"])
    assert members(store, "responses") == ["resp_1"]


def test_seeding_an_existing_id_does_not_touch_the_indexes(store: RedisStore) -> None:
    store.put_response(response(1))
    store.put_response(response(2))
    assert not store.add_response(replace(response(1), job=JOB))
    assert members(store, "responses") == ["resp_1", "resp_2"]
    assert members(store, "background") == []


def held(store: RedisStore, key: str) -> set[str]:
    return {m.decode() for m in store.client.smembers(key)}


def test_item_sets_live_as_long_as_their_longest_lived_record(store: RedisStore) -> None:
    body = {"id": "resp_1", "object": "response", "output": [{"id": "msg_out"}]}
    store.put_response(StoredResponse(body, [{"id": "msg_in"}], context_base="resp_0"))
    item_key, continuation_key = store._item_key("msg_out"), store._continuations_key("resp_0")
    record_expiry = store.client.pexpiretime(store._response_key("resp_1"))
    assert store.client.pexpiretime(item_key) == record_expiry > 0
    assert store.client.pexpiretime(continuation_key) == record_expiry
    assert held(store, continuation_key) == {"resp_1"}
    store.put_conversation(StoredConversation({"id": "conv_1"}, [{"id": "msg_out"}]))
    assert held(store, item_key) == {"r:resp_1", "c:conv_1"}
    assert store.client.pexpiretime(item_key) == -1  # a conversation's: kept while it is
    store.put_response(replace(response(2), input_items=[{"id": "msg_out"}]))
    assert store.client.pexpiretime(item_key) == -1
    store.delete_conversation("conv_1")
    assert held(store, item_key) == {"r:resp_1", "r:resp_2"}


def test_members_whose_record_vanished_are_released_when_met(store: RedisStore) -> None:
    store.put_response(StoredResponse({"id": "resp_1", "output": [{"id": "msg_1"}]}, []))
    store.put_response(replace(response(2), context_base="resp_1"))
    store.client.delete(store._response_key("resp_1"), store._response_key("resp_2"))  # evicted
    assert store.find_item("msg_1") is None and store.continuations_of("resp_1") == []
    assert not store.client.exists(store._item_key("msg_1"), store._continuations_key("resp_1"))


def test_an_item_removed_from_a_conversation_leaves_its_set(store: RedisStore) -> None:
    store.put_conversation(StoredConversation({"id": "conv_1"}, [{"id": "a"}, {"id": "b"}]))
    store.update_conversation("conv_1", lambda c: setattr(c, "items", c.items[1:]))
    assert not store.client.exists(store._item_key("a"))
    assert held(store, store._item_key("b")) == {"c:conv_1"}
