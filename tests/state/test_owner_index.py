"""OwnerIndex: the memory store's index of which records hold a key (its use by the store is
tested in test_store_memory.py and test_store_contract.py)."""

from __future__ import annotations

from mockserver.state.store.owner_index import OwnerIndex


def test_owner_index_keeps_several_owners_and_forgets_only_the_gone() -> None:
    alive = {"a", "b", "c"}
    index = OwnerIndex(alive.__contains__)
    for owner in ("a", "b", "a", "c"):
        index.add("item", owner)
    assert index.owners("item") == ["a", "b", "c"] and len(index) == 3
    index.forget("item", "b")
    index.forget("item", "zzz")
    assert index.owners("item") == ["a", "c"] and len(index) == 2
    alive.discard("a")
    index.compact()
    assert index.owners("item") == ["c"] and len(index) == 1
    index.forget("item", "c")
    assert index.owners("item") == [] and len(index) == 0
