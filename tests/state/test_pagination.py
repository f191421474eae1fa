"""Cursor pagination: pages partition the list, in order, for any limit and order."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockserver.contract.errors import InvalidRequestError
from mockserver.state.pagination import DEFAULT_LIMIT, MAX_LIMIT, check_page_params, paginate


def walk(items: list[dict], limit: int, order: str) -> list[list[dict]]:
    pages = []
    after = None
    while True:
        page = paginate(items, limit=limit, order=order, after=after)
        assert page["object"] == "list"
        assert len(page["data"]) <= limit
        pages.append(page)
        if not page["has_more"]:
            return pages
        assert page["data"], "has_more with an empty page would loop forever"
        after = page["last_id"]


@given(
    st.integers(min_value=0, max_value=40),
    st.integers(1, MAX_LIMIT),
    st.sampled_from(["asc", "desc"]),
)
def test_pages_partition_the_list_in_order(count: int, limit: int, order: str) -> None:
    items = [{"id": f"msg_{i:03d}", "n": i} for i in range(count)]
    pages = walk(items, limit, order)
    seen = [item for page in pages for item in page["data"]]
    assert seen == (items if order == "asc" else items[::-1])
    for page in pages:
        data = page["data"]
        assert page["first_id"] == (data[0]["id"] if data else None)
        assert page["last_id"] == (data[-1]["id"] if data else None)
    assert all(len(page["data"]) == limit for page in pages[:-1])


def test_unknown_after_is_a_clear_400() -> None:
    with pytest.raises(InvalidRequestError) as caught:
        paginate([{"id": "a"}], limit=5, order="asc", after="nope")
    assert caught.value.param == "after"
    assert "'nope'" in caught.value.message


def test_page_params_defaults_and_bounds() -> None:
    assert check_page_params(None, None) == (DEFAULT_LIMIT, "desc")
    assert check_page_params(1, "asc") == (1, "asc")
    assert check_page_params(MAX_LIMIT, "") == (MAX_LIMIT, "desc")
    with pytest.raises(InvalidRequestError) as high:
        check_page_params(1000, None)
    # Verbatim from recorded traffic (agent-framework error_invalid_limit).
    assert high.value.message == (
        "Invalid 'limit': integer above maximum value. Expected a value <= 100, but got 1000 "
        "instead."
    )
    assert high.value.code == "integer_above_max_value"
    with pytest.raises(InvalidRequestError) as low:
        check_page_params(0, None)
    assert low.value.code == "integer_below_min_value"
    with pytest.raises(InvalidRequestError) as order:
        check_page_params(None, "sideways")
    assert order.value.message == (
        "Invalid value: 'sideways'. Supported values are: 'asc' and 'desc'."
    )
