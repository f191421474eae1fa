"""The store contract: every backend (memory, SQLite, Redis) passes the same tests.

Redis runs against a real ``redis-server`` started by the ``redis_url`` fixture (skipped, naming
the binary, where there is none).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from store_backends import BACKENDS
from store_backends import store_url as backend_url

from mockserver.state.lifecycle import BackgroundJob, cancel, phase
from mockserver.state.store import (
    Retention,
    Store,
    StoredConversation,
    StoredResponse,
    StoreTotals,
    open_store,
)


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return backend_url(request.param, tmp_path, request)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    opened = open_store(store_url)
    yield opened
    opened.clear()
    opened.close()


def response(response_id: str = "resp_1", **fields: object) -> StoredResponse:
    body = {
        "id": response_id,
        "object": "response",
        "created_at": 1,
        "status": "completed",
        "output": [{"id": "msg_2", "type": "message"}],
    }
    return StoredResponse(
        {**body, **fields},
        [{"id": "msg_1", "type": "message"}],
        [{"id": "msg_1", "type": "message"}, {"id": "msg_2", "type": "message"}],
    )


def conversation(conversation_id: str = "conv_1", items: int = 0) -> StoredConversation:
    return StoredConversation(
        {"id": conversation_id, "object": "conversation", "created_at": 1, "metadata": {}},
        [{"id": f"msg_{n}"} for n in range(items)],
    )


def job(running: float = 5.0) -> BackgroundJob:
    return BackgroundJob(
        created_at=100.0, started_at=100.0, done_at=100.0 + running, outcome="completed"
    )


def test_put_get_delete_response(store: Store) -> None:
    assert store.get_response("resp_1") is None
    store.put_response(response())
    got = store.get_response("resp_1")
    assert got == response()
    assert store.delete_response("resp_1") and not store.delete_response("resp_1")
    assert store.get_response("resp_1") is None


def test_every_field_round_trips(store: Store) -> None:
    events = [{"type": "response.created", "sequence_number": 0, "obfuscation": "abc"}]
    original = StoredResponse(
        {"id": "resp_1", "output": [], "usage": None, "temperature": 0.7, "text": "é✓"},
        [{"id": "msg_1"}],
        [{"id": "other"}],
        events,
        job(),
        "conv_1",
    )
    store.put_response(original)
    assert store.get_response("resp_1") == original


def test_readers_get_copies(store: Store) -> None:
    original = response()
    store.put_response(original)
    original.response["output"].clear()
    read = store.get_response("resp_1")
    assert read is not None and read.response["output"] != []
    read.input_items.clear()
    assert store.get_response("resp_1").input_items != []  # type: ignore[union-attr]


def test_list_responses(store: Store) -> None:
    assert store.list_responses() == []
    for n in range(3):
        store.put_response(response(f"resp_{n}", created_at=n))
    assert sorted(s.id for s in store.list_responses()) == ["resp_0", "resp_1", "resp_2"]


# ---- bounded views (the inspector's; #16: no view reads the whole store) -----------------------


def ids(records: list[StoredResponse] | list[StoredConversation]) -> list[str]:
    return [record.id for record in records]


def test_newest_responses_come_newest_first_within_the_limit(store: Store) -> None:
    assert store.newest_responses(5) == [] and store.totals() == StoreTotals()
    for n in range(5):
        store.put_response(response(f"resp_{n}", created_at=n))
    assert ids(store.newest_responses(3)) == ["resp_4", "resp_3", "resp_2"]
    assert ids(store.newest_responses(50)) == ["resp_4", "resp_3", "resp_2", "resp_1", "resp_0"]
    assert store.newest_responses(0) == []
    assert store.newest_responses(1) == [response("resp_4", created_at=4)]  # whole records


def test_newest_pages_on_from_before(store: Store) -> None:
    for n in range(5):
        store.put_response(response(f"resp_{n}"))
        store.put_conversation(conversation(f"conv_{n}"))
    assert ids(store.newest_responses(2, before="resp_3")) == ["resp_2", "resp_1"]
    assert ids(store.newest_responses(9, before="resp_1")) == ["resp_0"]
    assert store.newest_responses(9, before="resp_0") == []
    assert store.newest_responses(9, before="resp_unknown") == []
    assert ids(store.newest_conversations(2, before="conv_4")) == ["conv_3", "conv_2"]
    assert store.newest_conversations(2, before="conv_unknown") == []


def test_a_rewrite_keeps_its_place_and_a_new_record_goes_first(store: Store) -> None:
    for n in range(3):
        store.put_response(response(f"resp_{n}"))
    store.put_response(response("resp_0", status="failed"))
    store.update_response("resp_1", lambda c: replace(c, response={**c.response, "status": "x"}))
    store.add_response(response("resp_2", status="ignored"))
    newest = store.newest_responses(9)
    assert ids(newest) == ["resp_2", "resp_1", "resp_0"]
    assert [r.response["status"] for r in newest] == ["completed", "x", "failed"]
    store.delete_response("resp_1")
    store.put_response(response("resp_1"))  # stored again: new
    assert ids(store.newest_responses(9)) == ["resp_1", "resp_2", "resp_0"]
    assert store.totals().responses == 3


def test_newest_background_lists_only_jobs(store: Store) -> None:
    store.put_response(response("resp_plain_0"))
    store.put_response(replace(response("resp_job_1"), job=job()))
    store.put_response(response("resp_plain_2"))
    store.add_response(replace(response("resp_job_3"), job=job()))
    assert ids(store.newest_background(9)) == ["resp_job_3", "resp_job_1"]
    assert ids(store.newest_background(1)) == ["resp_job_3"]
    assert ids(store.newest_background(9, before="resp_job_3")) == ["resp_job_1"]
    assert store.totals() == StoreTotals(responses=4, conversations=0, background=2)
    store.delete_response("resp_job_3")
    assert ids(store.newest_background(9)) == ["resp_job_1"]
    assert store.totals() == StoreTotals(responses=3, conversations=0, background=1)


def test_newest_conversations_with_their_items(store: Store) -> None:
    for n in range(3):
        store.put_conversation(conversation(f"conv_{n}", items=n))
    store.append_items("conv_0", [{"id": "later"}])
    store.update_conversation("conv_1", lambda c: c.items.clear())
    store.put_conversation(conversation("conv_2", items=1))
    assert not store.add_conversation(conversation("conv_0"))
    assert store.add_conversation(conversation("conv_3"))
    newest = store.newest_conversations(9)
    assert ids(newest) == ["conv_3", "conv_2", "conv_1", "conv_0"]
    assert [len(c.items) for c in newest] == [0, 1, 0, 1]
    assert ids(store.newest_conversations(2)) == ["conv_3", "conv_2"]
    assert store.totals().conversations == 4
    assert store.delete_conversation("conv_2")
    assert ids(store.newest_conversations(9)) == ["conv_3", "conv_1", "conv_0"]
    assert store.totals().conversations == 3


def test_clear_empties_the_views(store: Store) -> None:
    store.put_response(replace(response(), job=job()))
    store.put_conversation(conversation())
    store.clear()
    assert store.totals() == StoreTotals()
    assert store.newest_responses(9) == store.newest_background(9) == []
    assert store.newest_conversations(9) == []
    store.put_response(response("resp_2"))
    assert ids(store.newest_responses(9)) == ["resp_2"] and store.totals().responses == 1


def test_expired_responses_leave_the_views_and_the_totals(store_url: str) -> None:
    store = open_store(store_url, Retention(response_seconds=30.0, background_seconds=0.3))
    try:
        store.put_response(response("resp_plain"))
        store.put_response(replace(response("resp_job"), job=job(running=0)))
        store.put_conversation(conversation())
        assert store.totals() == StoreTotals(responses=2, conversations=1, background=1)
        assert ids(store.newest_background(9)) == ["resp_job"]
        time.sleep(1.0)
        assert store.totals() == StoreTotals(responses=1, conversations=1, background=0)
        assert ids(store.newest_responses(9)) == ["resp_plain"]
        assert store.newest_background(9) == []
        assert store.newest_responses(9, before="resp_job") == []
    finally:
        store.clear()
        store.close()


def test_add_response_keeps_what_is_there(store: Store) -> None:
    assert store.add_response(response(status="completed"))
    assert not store.add_response(response(status="failed"))
    assert store.get_response("resp_1").response["status"] == "completed"  # type: ignore[union-attr]


def test_update_response(store: Store) -> None:
    store.put_response(response())
    updated = store.update_response(
        "resp_1", lambda current: replace(current, response={**current.response, "status": "x"})
    )
    assert updated is not None and updated.response["status"] == "x"
    assert store.get_response("resp_1").response["status"] == "x"  # type: ignore[union-attr]
    assert store.update_response("resp_2", lambda current: current) is None


def test_cancel_is_decided_once_under_contention(store: Store) -> None:
    """Many concurrent cancels at different times: exactly one sets ``cancelled_at``."""
    store.put_response(replace(response(), job=job()))
    decided: list[float] = []
    lock = threading.Lock()

    def cancel_at(now: float) -> None:
        def change(current: StoredResponse) -> StoredResponse:
            after = cancel(current.job, now)  # type: ignore[arg-type]
            return replace(current, job=after)

        updated = store.update_response("resp_1", change)
        assert updated is not None and updated.job is not None
        if updated.job.cancelled_at == now:
            with lock:
                decided.append(now)

    threads = [threading.Thread(target=cancel_at, args=(102.0 + n / 100,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    final = store.get_response("resp_1")
    assert final is not None and final.job is not None
    assert phase(final.job, 200.0) == "cancelled"
    assert decided == [final.job.cancelled_at]


def test_conversations_put_get_update_delete(store: Store) -> None:
    assert store.get_conversation("conv_1") is None
    store.put_conversation(conversation(items=2))
    got = store.get_conversation("conv_1")
    assert got is not None and got.items == [{"id": "msg_0"}, {"id": "msg_1"}]
    got.items.append({"id": "x"})
    assert len(store.get_conversation("conv_1").items) == 2  # type: ignore[union-attr]

    def change(stored: StoredConversation) -> None:
        stored.items = [item for item in stored.items if item["id"] != "msg_0"]
        stored.pending.append("resp_9")
        stored.conversation = {**stored.conversation, "metadata": {"k": "v"}}

    updated = store.update_conversation("conv_1", change)
    assert updated is not None and updated.items == [{"id": "msg_1"}]
    again = store.get_conversation("conv_1")
    assert again is not None
    assert (again.items, again.pending, again.conversation["metadata"]) == (
        [{"id": "msg_1"}],
        ["resp_9"],
        {"k": "v"},
    )
    assert store.update_conversation("conv_2", lambda c: None) is None
    assert [c.id for c in store.list_conversations()] == ["conv_1"]
    assert store.delete_conversation("conv_1") and not store.delete_conversation("conv_1")
    assert store.get_conversation("conv_1") is None and store.list_conversations() == []


def test_append_items(store: Store) -> None:
    assert not store.append_items("conv_1", [{"id": "a"}])
    store.put_conversation(conversation(items=1))
    assert store.append_items("conv_1", [{"id": "a"}, {"id": "b"}])
    assert store.append_items("conv_1", [])
    assert [i["id"] for i in store.get_conversation("conv_1").items] == ["msg_0", "a", "b"]  # type: ignore[union-attr]


def test_every_conversation_field_round_trips(store: Store) -> None:
    stored = replace(
        conversation(items=2),
        pending=["resp_7"],
        tally=[2, 10, "abc", [], False, False, [], False],
        last_response="resp_6",
    )
    store.put_conversation(stored)
    assert store.get_conversation("conv_1") == stored
    store.update_conversation("conv_1", lambda c: c.pending.clear())
    assert store.get_conversation("conv_1") == replace(stored, pending=[])


def test_conversation_tail_reads_only_the_last_items(store: Store) -> None:
    assert store.conversation_tail("conv_1", 3) is None
    assert store.conversation_items("conv_1") == []
    store.put_conversation(replace(conversation(items=5), pending=["resp_9"], tally=[5]))
    tail = store.conversation_tail("conv_1", 2)
    assert tail is not None and tail.id == "conv_1"
    assert (tail.length, tail.items) == (5, [{"id": "msg_3"}, {"id": "msg_4"}])
    assert (tail.pending, tail.tally, tail.last_response) == (["resp_9"], [5], None)
    assert tail.conversation == conversation().conversation
    assert store.conversation_tail("conv_1", 0).items == []  # type: ignore[union-attr]
    assert len(store.conversation_tail("conv_1", 9).items) == 5  # type: ignore[union-attr]
    ids = [f"msg_{n}" for n in range(5)]
    assert [i["id"] for i in store.conversation_items("conv_1")] == ids
    assert [i["id"] for i in store.conversation_items("conv_1", 1, 3)] == ids[1:3]
    assert [i["id"] for i in store.conversation_items("conv_1", 3)] == ids[3:]
    assert store.conversation_items("conv_1", 3, 3) == []
    assert store.conversation_items("conv_1", 7) == []


def test_append_with_a_tally_keeps_it_only_when_nothing_changed_meanwhile(store: Store) -> None:
    assert not store.append_items("conv_1", [{"id": "a"}], after=0, tally=[1])
    store.put_conversation(conversation(items=2))
    assert store.append_items("conv_1", [{"id": "a"}], after=2, tally=[3], last_response="r_1")
    got = store.conversation_tail("conv_1", 1)
    assert got is not None and (got.length, got.tally, got.last_response) == (3, [3], "r_1")
    # An append without a tally leaves it (it then counts fewer items than there are).
    assert store.append_items("conv_1", [{"id": "b"}])
    assert store.conversation_tail("conv_1", 0).tally == [3]  # type: ignore[union-attr]
    # Someone appended after this writer read 3 items: its tally is not kept, nor the old one.
    assert store.append_items("conv_1", [{"id": "c"}], after=3, tally=[4], last_response="r_2")
    got = store.conversation_tail("conv_1", 4)
    assert got is not None and (got.tally, got.last_response) == (None, None)
    assert (got.length, [i["id"] for i in got.items]) == (5, ["msg_1", "a", "b", "c"])
    assert store.append_items("conv_1", [], after=5, tally=[5])
    assert store.conversation_tail("conv_1", 0).tally == [5]  # type: ignore[union-attr]


def test_concurrent_tallied_appends_lose_nothing_and_keep_no_stale_tally(store: Store) -> None:
    store.put_conversation(conversation())

    def work(worker: int) -> None:
        for n in range(20):
            seen = store.conversation_tail("conv_1", 0)
            assert seen is not None
            store.append_items(
                "conv_1", [{"id": f"{worker}_{n}"}], after=seen.length, tally=[seen.length + 1]
            )

    threads = [threading.Thread(target=work, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    final = store.conversation_tail("conv_1", 0)
    assert final is not None and final.length == 80
    assert final.tally in (None, [80])
    assert len({i["id"] for i in store.conversation_items("conv_1")}) == 80


def test_add_conversation_keeps_what_is_there(store: Store) -> None:
    assert store.add_conversation(conversation(items=1))
    store.append_items("conv_1", [{"id": "later"}])
    assert not store.add_conversation(conversation(items=3))
    assert len(store.get_conversation("conv_1").items) == 2  # type: ignore[union-attr]


def test_concurrent_appends_and_updates_lose_nothing(store: Store) -> None:
    store.put_conversation(conversation())

    def work(worker: int) -> None:
        for n in range(25):
            if n % 5 == 0:  # mix whole-object updates with appends
                store.update_conversation(
                    "conv_1", lambda c, n=n: c.items.append({"id": f"u_{worker}_{n}"})
                )
            else:
                store.append_items("conv_1", [{"id": f"a_{worker}_{n}"}])

    threads = [threading.Thread(target=work, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    items = store.get_conversation("conv_1").items  # type: ignore[union-attr]
    assert len(items) == len({item["id"] for item in items}) == 8 * 25


def test_counters_and_values(store: Store) -> None:
    assert store.counters() == {} and store.values() == {}
    assert store.count("stub_1:calls") == 1
    assert store.count("stub_1:calls") == 2
    assert store.count("stub_1:answered", 3) == 3
    store.set_value("checkout", "paid")
    assert store.counters() == {"stub_1:calls": 2, "stub_1:answered": 3}
    assert store.values() == {"checkout": "paid"}
    store.put_response(response())
    store.clear_counters()
    assert store.counters() == {} and store.values() == {}
    assert store.get_response("resp_1") is not None


def test_concurrent_counts_are_exact(store: Store) -> None:
    def work() -> None:
        for _ in range(50):
            store.count("hits")

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.counters() == {"hits": 200}


def test_clear_forgets_everything(store: Store) -> None:
    store.put_response(response())
    store.put_conversation(conversation(items=2))
    store.count("x")
    store.set_value("s", "v")
    store.clear()
    assert store.get_response("resp_1") is None and store.get_conversation("conv_1") is None
    assert store.list_responses() == [] and store.list_conversations() == []
    assert store.counters() == {} and store.values() == {}


def test_responses_expire_by_retention(store_url: str) -> None:
    # Margins of 0.7 s or more either side of every expiry: sleeps overshoot on a busy machine.
    store = open_store(store_url, Retention(response_seconds=2.0, background_seconds=0.5))
    try:
        store.put_response(response("resp_plain"))
        store.put_response(replace(response("resp_job"), job=job(running=0)))
        # A background job's window opens when it is done: 1.0 s of running + 0.5 s.
        store.put_response(replace(response("resp_long_job"), job=job(running=1.0)))
        store.put_conversation(conversation())
        time.sleep(0.8)
        assert store.get_response("resp_job") is None
        assert store.get_response("resp_plain") is not None
        assert store.get_response("resp_long_job") is not None
        time.sleep(1.5)
        assert store.get_response("resp_plain") is None
        assert store.get_response("resp_long_job") is None
        assert store.list_responses() == []
        assert store.get_conversation("conv_1") is not None  # conversations do not expire
    finally:
        store.clear()
        store.close()


def test_cancel_keeps_the_retention(store_url: str) -> None:
    store = open_store(store_url, Retention(background_seconds=0.3))
    try:
        store.put_response(replace(response(), job=job(running=0)))
        time.sleep(0.15)
        store.update_response("resp_1", lambda c: replace(c, job=cancel(c.job, 102.0)))  # type: ignore[arg-type]
        time.sleep(0.2)
        assert store.get_response("resp_1") is None
    finally:
        store.clear()
        store.close()


def test_a_second_store_on_the_same_url_sees_the_same_state(store_url: str) -> None:
    if store_url.startswith("memory"):
        pytest.skip("memory:// is one process's memory: nothing to share (by design)")
    first, second = open_store(store_url), open_store(store_url)
    try:
        first.put_response(response())
        first.put_conversation(conversation())
        second.append_items("conv_1", [{"id": "from_second"}])
        assert second.get_response("resp_1") == response()
        assert first.get_conversation("conv_1").items == [{"id": "from_second"}]  # type: ignore[union-attr]
        assert second.count("n") == 1 and first.count("n") == 2
    finally:
        first.clear()
        first.close()
        second.close()


# --- the item index and the continuation index (Store.find_item, Store.continuations_of) -------


def test_find_item_in_a_response_and_a_conversation(store: Store) -> None:
    assert store.find_item("msg_1") is None
    store.put_response(response())
    assert store.find_item("msg_1") == {"id": "msg_1", "type": "message"}  # an input item
    assert store.find_item("msg_2") == {"id": "msg_2", "type": "message"}  # an output item
    store.put_conversation(conversation(items=1))
    store.append_items("conv_1", [{"id": "appended", "type": "message", "role": "user"}])
    assert store.find_item("appended") == {"id": "appended", "type": "message", "role": "user"}
    assert store.find_item("msg_0") == {"id": "msg_0"}
    assert store.find_item("nowhere") is None and store.find_item("") is None


def test_find_item_reads_a_response_context_and_prefers_responses(store: Store) -> None:
    held = StoredResponse(
        {"id": "resp_ctx", "output": []}, [], [{"id": "msg_old", "type": "message", "n": 1}]
    )
    store.put_response(held)
    store.put_conversation(
        StoredConversation({"id": "conv_1"}, [{"id": "msg_old", "type": "message", "n": 2}])
    )
    assert store.find_item("msg_old") == {"id": "msg_old", "type": "message", "n": 1}
    store.delete_response("resp_ctx")  # the conversation still holds it
    assert store.find_item("msg_old") == {"id": "msg_old", "type": "message", "n": 2}
    store.delete_conversation("conv_1")
    assert store.find_item("msg_old") is None


def test_an_item_held_by_several_responses_outlives_the_first(store: Store) -> None:
    store.put_response(response("resp_1"))
    store.put_response(response("resp_2"))
    store.delete_response("resp_1")
    assert store.find_item("msg_2") == {"id": "msg_2", "type": "message"}
    store.delete_response("resp_2")
    assert store.find_item("msg_2") is None
    store.put_response(response("resp_1"))  # stored again: found again
    assert store.find_item("msg_2") == {"id": "msg_2", "type": "message"}


def test_find_item_follows_rewrites(store: Store) -> None:
    store.put_response(response())

    def reanswer(current: StoredResponse) -> StoredResponse:
        current.response["output"] = [{"id": "msg_new", "type": "message"}]
        current.context = []
        return current

    store.update_response("resp_1", reanswer)
    assert store.find_item("msg_new") == {"id": "msg_new", "type": "message"}
    assert store.find_item("msg_2") is None  # indexed once, no longer held
    store.put_conversation(conversation(items=2))

    def drop_first(current: StoredConversation) -> None:
        current.items = current.items[1:]

    store.update_conversation("conv_1", drop_first)
    assert store.find_item("msg_0") is None and store.find_item("msg_1") == {
        "id": "msg_1", "type": "message"
    }  # fmt: skip
    store.clear()
    assert store.find_item("msg_new") is None and store.find_item("msg_1") is None


def test_find_item_skips_expired_responses(store_url: str) -> None:
    store = open_store(store_url, Retention(response_seconds=0.3))
    try:
        store.put_response(response())
        assert store.find_item("msg_2") is not None
        time.sleep(0.8)
        assert store.find_item("msg_2") is None
        assert store.continuations_of("resp_0") == []
    finally:
        store.clear()
        store.close()


def test_continuations_of(store: Store) -> None:
    assert store.continuations_of("resp_1") == []
    store.put_response(response("resp_1"))
    store.put_response(replace(response("resp_2"), context_base="resp_1"))
    store.put_response(replace(response("resp_3"), context_base="resp_1"))
    store.put_response(replace(response("resp_4"), context_base="resp_2"))
    assert sorted(store.continuations_of("resp_1")) == ["resp_2", "resp_3"]
    assert store.continuations_of("resp_2") == ["resp_4"]
    assert store.continuations_of("resp_4") == []
    store.delete_response("resp_3")
    assert store.continuations_of("resp_1") == ["resp_2"]
    # Handed on: resp_4 now continues resp_1 (as when resp_2 is deleted).
    store.update_response("resp_4", lambda current: replace(current, context_base="resp_1"))
    assert sorted(store.continuations_of("resp_1")) == ["resp_2", "resp_4"]
    assert store.continuations_of("resp_2") == []
    assert store.add_response(replace(response("resp_5"), context_base="resp_2"))
    assert store.continuations_of("resp_2") == ["resp_5"]


def test_the_indexes_are_shared_by_every_store_on_the_url(store_url: str) -> None:
    if store_url.startswith("memory"):
        pytest.skip("memory:// is one process's memory: nothing to share (by design)")
    first, second = open_store(store_url), open_store(store_url)
    try:
        first.put_response(response("resp_1"))
        first.put_response(replace(response("resp_2"), context_base="resp_1"))
        first.put_conversation(conversation())
        first.append_items("conv_1", [{"id": "from_first"}])
        assert second.find_item("msg_2") == {"id": "msg_2", "type": "message"}
        assert second.find_item("from_first") == {"id": "from_first"}
        assert second.continuations_of("resp_1") == ["resp_2"]
        second.delete_response("resp_2")
        assert first.continuations_of("resp_1") == []
        second.delete_response("resp_1")
        assert first.find_item("msg_2") is None
    finally:
        first.clear()
        first.close()
        second.close()
