"""InsertionOrder: the memory store's newest-first index (add, remove, read from a key)."""

from __future__ import annotations

from mockserver.state.store.insertion_order import COMPACT_SLACK, InsertionOrder


def test_newest_first_from_anywhere() -> None:
    order = InsertionOrder()
    for key in "abcde":
        order.add(key)
    order.add("b")  # already here: keeps its place
    order.remove("c")
    order.remove("zz")  # not here: nothing happens
    assert list(order.newest()) == ["e", "d", "b", "a"]
    assert list(order.newest(before="d")) == ["b", "a"]
    assert list(order.newest(before="a")) == []
    assert list(order.newest(before="c")) == []  # removed: not a place to read from
    assert len(order) == 4 and "b" in order and "c" not in order


def test_removal_compacts_so_holes_stay_bounded() -> None:
    order = InsertionOrder()
    total = 4 * COMPACT_SLACK
    for n in range(total):
        order.add(f"k{n}")
    for n in range(total - 10):
        order.remove(f"k{n}")
    assert len(order._keys) <= 2 * len(order) + COMPACT_SLACK
    assert list(order.newest()) == [f"k{n}" for n in range(total - 1, total - 11, -1)]
    assert list(order.newest(before=f"k{total - 2}")) == [
        f"k{n}" for n in range(total - 3, total - 11, -1)
    ]
    order.clear()
    assert list(order.newest()) == [] and len(order) == 0
