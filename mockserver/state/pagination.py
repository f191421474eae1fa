"""Cursor pagination as the real list endpoints do it: ``limit``, ``order``, ``after``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mockserver.contract.errors import InvalidRequestError, invalid_value, out_of_range

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
ORDERS = ("asc", "desc")


def check_page_params(limit: int | None, order: str | None) -> tuple[int, str]:
    if limit is None:
        limit = DEFAULT_LIMIT
    if limit < 1:
        raise out_of_range("limit", "integer", 1, limit, above=False)
    if limit > MAX_LIMIT:
        raise out_of_range("limit", "integer", MAX_LIMIT, limit, above=True)
    order = order or "desc"
    if order not in ORDERS:
        raise invalid_value("order", order, list(ORDERS))
    return limit, order


def paginate(
    items: Sequence[dict[str, Any]], *, limit: int, order: str, after: str | None
) -> dict[str, Any]:
    """One page of ``items`` (stored oldest first) as a ``{"object": "list", ...}`` body."""
    ordered = list(items) if order == "asc" else list(reversed(items))
    start = 0
    if after is not None:
        ids = [item.get("id") for item in ordered]
        if after not in ids:
            raise InvalidRequestError(
                f"Invalid 'after': no item with id '{after}' in this list. Pass the "
                "'last_id' of a page you received.",
                param="after",
                code="invalid_value",
            )
        start = ids.index(after) + 1
    page = ordered[start : start + limit]
    return {
        "object": "list",
        "data": page,
        "first_id": page[0]["id"] if page else None,
        "last_id": page[-1]["id"] if page else None,
        "has_more": start + limit < len(ordered),
    }
