"""Item references in ``input``: ``{"type": "item_reference", "id"}`` and bare ``{"id"}`` items.

The real API reads a referenced item from what it stored (``@ai-sdk/openai`` sends tool calls
back as references when ``store`` is on: shared/wire-2026, braintrust-sdk-javascript ``ai-sdk-*``
cassettes, answered 200). A reference to nothing stored gets the real 404,
``Item with id '…' not found.`` (docs/real-errors.md §9). Lookup order: the context this turn
continues (previous response chain or conversation), then the store's item index
(``Store.find_item``: the stored responses holding an item with that id, their input items,
output and context, then the conversations holding one). A reference costs O(the records that
hold the item), whatever the store's size; an unknown id reads nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from mockserver.contract.errors import item_not_found
from mockserver.state.store import Store


def is_reference(item: Any) -> bool:
    if not isinstance(item, dict) or not isinstance(item.get("id"), str):
        return False
    if item.get("type") == "item_reference":
        return True
    return "type" not in item and set(item) == {"id"}


def has_references(raw: Any) -> bool:
    return isinstance(raw, list) and any(is_reference(item) for item in raw)


def _find(item_id: str, places: Iterable[dict[str, Any]]) -> dict[str, Any] | None:
    for item in places:
        if isinstance(item, dict) and item.get("id") == item_id and not is_reference(item):
            return item
    return None


def _stored(store: Store, item_id: str) -> list[dict[str, Any]]:
    found = store.find_item(item_id)
    return [found] if found is not None else []


def resolve_references(
    raw: list[Any], prior: Sequence[dict[str, Any]], store: Store, *, stored: bool = True
) -> list[Any]:
    """``raw`` with each reference replaced by the stored item it names; raises the real 404."""
    resolved = []
    for item in raw:
        if not is_reference(item):
            resolved.append(item)
            continue
        found = _find(item["id"], prior) or _find(item["id"], _stored(store, item["id"]))
        if found is None:
            raise item_not_found(item["id"], store=stored)
        resolved.append(dict(found))
    return resolved
