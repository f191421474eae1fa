"""Ids are shaped like the real API's (MANIFEST.md quirks 16-17) and reproducible when seeded."""

from __future__ import annotations

import re
import threading

from hypothesis import given
from hypothesis import strategies as st

from mockserver.contract.ids import IdFactory

RESPONSE_ID = re.compile(r"^resp_(?P<shard>[0-9a-f]{16})00(?P<time>[0-9a-f]{8})[0-9a-f]{24}$")
ITEM_ID = re.compile(
    r"^(?P<prefix>[a-z]+)_(?P<shard>[0-9a-f]{16})00(?P<time>[0-9a-f]{8})[0-9a-f]{24}$"
)
CONVERSATION_ID = re.compile(r"^conv_(?P<time>[0-9a-f]{8})[0-9a-f]{24}(?P<shard>[0-9a-f]{16})$")

seeds = st.integers(min_value=0, max_value=2**64)
# Unix times from 2025 up to the last second an 8-hex-digit field holds.
times = st.integers(min_value=1_735_689_600, max_value=0xFFFFFFFF)


@given(seeds, times)
def test_response_id_layout(seed: int, created_at: int) -> None:
    ids = IdFactory(seed)
    shard = ids.new_shard()
    response_id = ids.response_id(shard, created_at)
    match = RESPONSE_ID.match(response_id)
    assert match, response_id
    assert len(response_id) == len("resp_") + 50
    assert match["shard"] == shard
    assert int(match["time"], 16) == created_at


@given(seeds, times, st.sampled_from(["msg", "fc", "rs", "fco", "ws", "mcpl"]))
def test_item_ids_share_the_response_shard(seed: int, created_at: int, prefix: str) -> None:
    ids = IdFactory(seed)
    shard = ids.new_shard()
    response = RESPONSE_ID.match(ids.response_id(shard, created_at))
    item = ITEM_ID.match(ids.item_id(prefix, shard, created_at))
    assert response and item
    assert item["prefix"] == prefix
    assert item["shard"] == response["shard"]
    assert item["time"] == response["time"]


@given(seeds, times)
def test_conversation_ids_are_time_first_with_the_shard_last(seed: int, created_at: int) -> None:
    ids = IdFactory(seed)
    shard = ids.new_shard()
    match = CONVERSATION_ID.match(ids.conversation_id(shard, created_at))
    assert match
    assert (int(match["time"], 16), match["shard"]) == (created_at, shard)
    item = ids.conversation_item_id("msg", shard, created_at)
    assert re.fullmatch(rf"msg_{created_at:08x}[0-9a-f]{{24}}{shard}", item)


@given(seeds)
def test_request_and_call_ids(seed: int) -> None:
    ids = IdFactory(seed)
    assert re.fullmatch(r"req_[0-9a-f]{32}", ids.request_id())
    assert re.fullmatch(r"call_[0-9a-f]{24}", ids.call_id())


def _sequence(ids: IdFactory) -> list[str]:
    shard = ids.new_shard()
    return [
        shard,
        ids.response_id(shard, 1_767_225_600),
        ids.item_id("msg", shard, 1_767_225_600),
        ids.request_id(),
        ids.call_id(),
        ids.conversation_id(shard, 1_767_225_600),
    ]


@given(seeds)
def test_seeded_factories_reproduce_the_same_ids(seed: int) -> None:
    assert _sequence(IdFactory(seed)) == _sequence(IdFactory(seed))


def test_different_seeds_and_unseeded_factories_differ() -> None:
    assert _sequence(IdFactory(1)) != _sequence(IdFactory(2))
    assert _sequence(IdFactory()) != _sequence(IdFactory())


def test_ids_stay_unique_across_threads() -> None:
    ids = IdFactory(7)
    made: list[str] = []
    lock = threading.Lock()

    def work() -> None:
        mine = [ids.request_id() for _ in range(500)]
        with lock:
            made.extend(mine)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(made) == len(set(made)) == 2000
