"""MemoryStore: its bounds (count and bytes, least recently used first) and its compactness.

What every backend does is in test_store_contract.py."""

from __future__ import annotations

from mockserver.state.store import MemoryStore, StoredConversation, StoredResponse, open_store
from mockserver.state.store.codec import decode_response, encode_response


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
