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

