"""MemoryStore: conversations and atomic updates, under many threads."""

from __future__ import annotations

import threading
from dataclasses import replace

from mockserver.state.store import MemoryStore, StoredConversation, StoredResponse


def conversation(conversation_id: str = "conv_1") -> StoredConversation:
    return StoredConversation(
        {"id": conversation_id, "object": "conversation", "created_at": 1, "metadata": {}}
    )


def test_conversations_put_get_update_delete() -> None:
    store = MemoryStore()
    assert store.get_conversation("conv_1") is None
    store.put_conversation(conversation())
    got = store.get_conversation("conv_1")
    assert got is not None and got.items == []
    # Readers get copies: changing one does not change the store.
    got.items.append({"id": "x"})
    assert store.get_conversation("conv_1").items == []  # type: ignore[union-attr]
    updated = store.update_conversation("conv_1", lambda c: c.items.append({"id": "msg_1"}))
    assert updated is not None and updated.items == [{"id": "msg_1"}]
    assert store.update_conversation("conv_2", lambda c: None) is None
    assert store.delete_conversation("conv_1") and not store.delete_conversation("conv_1")
    store.put_conversation(conversation())
    store.clear()
    assert store.get_conversation("conv_1") is None


def test_concurrent_appends_lose_nothing() -> None:
    store = MemoryStore()
    store.put_conversation(conversation())

    def append(worker: int) -> None:
        for n in range(200):
            store.update_conversation(
                "conv_1", lambda c, n=n: c.items.append({"id": f"msg_{worker}_{n}"})
            )

    threads = [threading.Thread(target=append, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    items = store.get_conversation("conv_1").items  # type: ignore[union-attr]
    assert len(items) == len({item["id"] for item in items}) == 8 * 200


def test_update_response_replaces_atomically() -> None:
    store = MemoryStore()
    stored = StoredResponse({"id": "resp_1", "status": "queued"}, [])
    store.put_response(stored)
    result = store.update_response(
        "resp_1", lambda current: replace(current, response={**current.response, "status": "x"})
    )
    assert result is not None and store.get_response("resp_1").response["status"] == "x"  # type: ignore[union-attr]
    assert store.update_response("resp_2", lambda current: current) is None


def test_responses_are_stored_as_snapshots_readers_cannot_change() -> None:
    store = MemoryStore()
    job = object()
    original = StoredResponse(
        {"id": "resp_1", "output": [{"type": "message"}]},
        [{"id": "msg_1"}],
        [{"id": "msg_1"}, {"type": "message"}],
        [{"type": "response.created", "sequence_number": 0}],
        job,
        "conv_1",
    )
    store.put_response(original)
    original.response["output"].clear()  # the caller's objects are not the stored ones
    read = store.get_response("resp_1")
    assert read is not None
    assert read.response["output"] == [{"type": "message"}]
    read.input_items.append({"id": "msg_2"})  # nor are a reader's
    again = store.get_response("resp_1")
    assert again is not None and again.input_items == [{"id": "msg_1"}]
    assert (again.context, again.events) == (read.context, read.events)
    assert again.job is job and again.conversation_id == "conv_1"
    assert [s.id for s in store.list_responses()] == ["resp_1"]
    assert store.delete_response("resp_1") and not store.delete_response("resp_1")
    assert store.get_response("resp_1") is None


def test_list_conversations_returns_copies() -> None:
    store = MemoryStore()
    store.put_conversation(conversation("conv_a"))
    (listed,) = store.list_conversations()
    listed.items.append({"id": "msg_x"})
    assert store.get_conversation("conv_a").items == []  # type: ignore[union-attr]


def test_responses_come_back_with_their_key_order_and_every_field() -> None:
    store = MemoryStore()
    first = StoredResponse(
        {"id": "resp_1", "object": "response", "status": "completed", "output": []},
        [{"id": "msg_1"}],
        [],
        [],
        context_base="resp_0",
        tally=[1, 2, "d", [], False, False, [], False],
        context_derived=True,
        conversation_id="conv_1",
    )
    # Same keys in another order: its own layout, and its order is kept.
    second = StoredResponse({"status": "completed", "id": "resp_2", "object": "response"}, [])
    store.put_response(first)
    store.put_response(second)
    assert store.get_response("resp_1") == first
    got = store.get_response("resp_2")
    assert got == second and list(got.response) == ["status", "id", "object"]  # type: ignore[union-attr]
