"""MemoryStore: its bounds (count and bytes, least recently used first) and its compactness.

What every backend does is in test_store_contract.py."""

from __future__ import annotations

import dataclasses
import time

from mockserver.state.lifecycle import BackgroundJob
from mockserver.state.store import (
    MemoryStore,
    Retention,
    StoredConversation,
    StoredResponse,
    StoreTotals,
    open_store,
)
from mockserver.state.store.codec import decode_response, encode_response

JOB = BackgroundJob(created_at=1.0, started_at=1.0, done_at=2.0, outcome="completed")


def response(n: int, text: str = "hello") -> StoredResponse:
    body = {"id": f"resp_{n}", "object": "response", "output": [{"type": "message", "t": text}]}
    return StoredResponse(body, [{"id": f"msg_{n}"}], [{"id": f"msg_{n}"}, *body["output"]])


def test_count_bound_evicts_the_least_recently_used() -> None:
    store = MemoryStore(max_responses=3)
    for n in range(3):
        store.put_response(response(n))
    assert store.get_response("resp_0") is not None  # now the most recently used
    store.put_response(response(3))
    assert store.get_response("resp_1") is None
    assert {s.id for s in store.list_responses()} == {"resp_0", "resp_2", "resp_3"}
    assert len(store) == 3


def test_byte_bound_evicts_and_accounts_exactly() -> None:
    store = MemoryStore(max_mb=0.05)  # 52,428 bytes
    noise = "".join(chr(0x4E00 + (n * 7919) % 20000) for n in range(2000))  # compresses poorly
    for n in range(40):
        store.put_response(response(n, noise))
    assert 0 < store.bytes_used <= 0.05 * 1024 * 1024
    assert store.get_response("resp_39") is not None and store.get_response("resp_0") is None
    for stored in store.list_responses():
        store.delete_response(stored.id)
    assert store.bytes_used == 0


def test_conversations_share_the_byte_budget() -> None:
    store = MemoryStore(max_responses=2)
    for n in range(3):
        store.put_conversation(
            StoredConversation({"id": f"conv_{n}", "object": "conversation", "metadata": {}})
        )
    assert store.get_conversation("conv_0") is None and len(store.list_conversations()) == 2


def test_options_come_from_the_url() -> None:
    store = open_store("memory://?max_responses=2&max_mb=1")
    assert isinstance(store, MemoryStore)
    for n in range(3):
        store.put_response(response(n))
    assert len(store) == 2


def test_the_usual_context_is_stored_once() -> None:
    stored = response(1, "x" * 50)
    # context == input_items + output: stored as a flag, rebuilt on reading
    assert decode_response(encode_response(stored)) == stored
    different = StoredResponse(stored.response, stored.input_items, [{"id": "other"}])
    assert decode_response(encode_response(different)) == different
    assert len(encode_response(stored)) < len(encode_response(different)) + 60


# ---- the bounded views (Store.newest_*, totals) ----------------------------------------------


def test_evicted_records_leave_the_views_and_the_totals() -> None:
    store = MemoryStore(max_responses=3)
    for n in range(5):
        store.put_response(response(n))
    assert [s.id for s in store.newest_responses(9)] == ["resp_4", "resp_3", "resp_2"]
    assert store.totals().responses == 3
    store.get_response("resp_2")  # used: evicted last, but still stored third-newest
    store.put_response(response(5))
    assert [s.id for s in store.newest_responses(9)] == ["resp_5", "resp_4", "resp_2"]
    for n in range(4):
        store.put_conversation(
            StoredConversation({"id": f"conv_{n}", "object": "conversation", "metadata": {}})
        )
    assert [c.id for c in store.newest_conversations(9)] == ["conv_3", "conv_2", "conv_1"]
    assert store.totals() == StoreTotals(responses=3, conversations=3, background=0)


def test_byte_eviction_of_jobs_leaves_the_background_view() -> None:
    store = MemoryStore(max_mb=0.05)
    noise = "".join(chr(0x4E00 + (n * 7919) % 20000) for n in range(2000))
    for n in range(40):
        store.put_response(dataclasses.replace(response(n, noise), job=JOB))
    kept = store.totals()
    assert 0 < kept.background == kept.responses < 40
    assert [s.id for s in store.newest_background(99)] == [
        f"resp_{n}" for n in range(39, 39 - kept.background, -1)
    ]


def test_expiry_bookkeeping_stays_bounded_under_rewrites() -> None:
    """Every put of an expiring record notes its expiry; rewrites must not grow that without
    bound (it is compacted), and sweeping drops exactly what is due."""
    store = MemoryStore(retention=Retention(response_seconds=3600))
    for n in range(5000):
        store.put_response(response(n % 10))
    assert len(store._responses.expiries) <= 2 * 10 + 1024
    store._responses.sweep(time.time() + 7200)
    assert store.totals().responses == 0 and store.newest_responses(9) == []


def conversation(n: int, items: int = 0, text: str = "x") -> StoredConversation:
    return StoredConversation(
        {"id": f"conv_{n}", "object": "conversation", "metadata": {}},
        [{"id": f"msg_{n}_{i}", "text": text} for i in range(items)],
    )


def record_bytes(store: MemoryStore) -> int:
    """What the store's records hold, counted from scratch."""
    responses = sum(map(len, store._responses.records.values()))
    conversations = sum(
        len(r.head) + sum(map(len, r.items)) for r in store._conversations.records.values()
    )
    return responses + conversations


def test_an_append_keeps_every_stored_item_as_it_is() -> None:
    store = MemoryStore()
    store.put_conversation(conversation(1, items=3))
    record = store._conversations.records["conv_1"]
    kept = list(record.items)
    used = store.bytes_used
    new = [{"id": "a", "text": "y" * 500}, {"id": "b"}]
    assert store.append_items("conv_1", new)
    assert store._conversations.records["conv_1"] is record
    assert all(a is b for a, b in zip(record.items, kept, strict=False))  # not re-encoded
    assert len(record.items) == 5
    assert store.bytes_used - used == sum(map(len, record.items[3:])) == record_bytes(store) - used
    # With a tally only the head is written again besides the new items.
    assert store.append_items("conv_1", [{"id": "c"}], after=5, tally=[6], last_response="r")
    assert all(a is b for a, b in zip(record.items, kept, strict=False))
    assert store.bytes_used == record_bytes(store)
    assert store.conversation_tail("conv_1", 1).tally == [6]  # type: ignore[union-attr]


def test_conversation_bytes_are_accounted_exactly_through_every_change() -> None:
    store = MemoryStore()
    store.put_conversation(conversation(1, items=4))
    store.put_conversation(conversation(2, items=2))
    store.append_items("conv_1", [{"id": "more", "text": "z" * 300}])
    store.update_conversation("conv_2", lambda c: c.items.pop(0))
    store.update_conversation("conv_1", lambda c: c.pending.append("resp_1"))
    store.put_response(response(1))
    assert store.bytes_used == record_bytes(store)
    store.put_conversation(conversation(1))  # replaced: its items' bytes are given back
    assert store.bytes_used == record_bytes(store)
    assert store.delete_conversation("conv_1") and store.delete_conversation("conv_2")
    assert store.delete_response("resp_1")
    assert store.bytes_used == 0


def test_conversations_are_evicted_least_recently_used_first() -> None:
    store = MemoryStore(max_responses=3)
    for n in range(3):
        store.put_conversation(conversation(n, items=2))
    assert store.conversation_tail("conv_0", 1) is not None  # read: now the most recent
    assert store.append_items("conv_1", [{"id": "new"}])  # appended: more recent still
    store.put_conversation(conversation(3))
    assert store.get_conversation("conv_2") is None
    assert [c.id for c in store.list_conversations()] == ["conv_0", "conv_1", "conv_3"]
    assert store.bytes_used == record_bytes(store)


def test_appending_past_the_byte_budget_evicts_other_conversations() -> None:
    store = MemoryStore(max_mb=0.02)  # 20,971 bytes
    noise = "".join(chr(0x4E00 + (n * 7919) % 20000) for n in range(1500))  # compresses poorly
    store.put_conversation(conversation(1, items=1, text=noise))
    store.put_conversation(conversation(2, items=1, text=noise))
    assert store.conversation_tail("conv_1", 0) is not None  # conv_2 is now the oldest
    for n in range(5):  # about 3.3 KB each: 6 items fit the budget, 7 do not
        store.append_items("conv_1", [{"id": f"big_{n}", "text": noise}])
    assert store.get_conversation("conv_2") is None
    assert store.conversation_tail("conv_1", 0).length == 6  # type: ignore[union-attr]
    assert 0 < store.bytes_used == record_bytes(store) <= 0.02 * 1024 * 1024


def test_readers_get_items_of_their_own() -> None:
    store = MemoryStore()
    store.put_conversation(conversation(1, items=3))
    tail = store.conversation_tail("conv_1", 2)
    assert tail is not None
    tail.items[0]["text"] = "changed"
    store.conversation_items("conv_1")[0]["text"] = "changed"
    assert [i["text"] for i in store.conversation_items("conv_1")] == ["x", "x", "x"]


def test_evicted_records_leave_the_item_index_and_it_stays_bounded() -> None:
    from mockserver.state.store.owner_index import COMPACT_SLACK

    store = MemoryStore(max_responses=100)
    for n in range(20 * COMPACT_SLACK // 2):  # far more than the store keeps, 2 items each
        store.put_response(dataclasses.replace(response(n), context_base=f"resp_{n - 1}"))
    last = 20 * COMPACT_SLACK // 2 - 1
    assert store.find_item("msg_0") is None and store.continuations_of("resp_0") == []
    assert store.find_item(f"msg_{last}") == {"id": f"msg_{last}"}
    assert store.continuations_of(f"resp_{last - 1}") == [f"resp_{last}"]
    live = 100  # one indexed item id and one continuation per kept response
    for index in (store._response_items, store._continuations):
        assert len(index) <= 2 * live + COMPACT_SLACK

