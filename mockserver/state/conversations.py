"""Conversations: the objects, request checks and errors of ``/v1/conversations`` (pure core).

A conversation is ``{"id": "conv_…", "object": "conversation", "created_at", "metadata"}`` plus an
ordered list of items. Items created through ``/conversations`` get ids shaped like the
conversation's (time first, the conversation's shard as suffix); items a response appends keep
that response's ids, and a response in a conversation shares the conversation's shard, as in the
recorded traffic (``openai-dotnet`` ``ResponseUsingConversations.json``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from mockserver.contract.errors import (
    InvalidRequestError,
    NotFoundError,
    invalid_type,
    missing_parameter,
    unknown_parameter,
)
from mockserver.contract.inputs import normalize_input
from mockserver.contract.validation import check_metadata, check_schema, elide, type_word

# "You may add up to 20 items at a time" (SDK docs of `items` on create and on items create).
MAX_ITEMS_PER_REQUEST = 20
_SHARD_SUFFIX = re.compile(r"^conv_[0-9a-f]{32}(?P<shard>[0-9a-f]{16})$")


def conversation_not_found(conversation_id: str) -> NotFoundError:
    return NotFoundError(f"Conversation with id '{conversation_id}' not found.")


def item_not_found(item_id: str) -> NotFoundError:
    return NotFoundError(f"Item with id '{item_id}' not found in conversation.")


def mutually_exclusive(first: str, second: str) -> InvalidRequestError:
    # Verbatim from recorded traffic, including the empty '' and the elided first name.
    return InvalidRequestError(
        f"Mutually exclusive parameters: ''. Ensure you are only providing one of: "
        f"'{elide(first)}' or '{elide(second)}'.",
        code="mutually_exclusive_parameters",
    )


def array_too_long(param: str, length: int, maximum: int) -> InvalidRequestError:
    return InvalidRequestError(
        f"Invalid '{param}': array too long. Expected an array with maximum length {maximum}, "
        f"but got an array with length {length} instead.",
        param=param,
        code="array_above_max_length",
    )


def empty_array(param: str) -> InvalidRequestError:
    return InvalidRequestError(
        f"Invalid '{param}': empty array. Expected an array with minimum length 1, but got an "
        "empty array instead.",
        param=param,
        code="empty_array",
    )


def conversation_object(
    conversation_id: str, created_at: int, metadata: dict[str, Any] | None
) -> dict[str, Any]:
    return {
        "id": conversation_id,
        "object": "conversation",
        "created_at": created_at,
        "metadata": dict(metadata or {}),
    }


def deleted_object(conversation_id: str) -> dict[str, Any]:
    return {"id": conversation_id, "object": "conversation.deleted", "deleted": True}


def shard_of(conversation_id: str) -> str | None:
    """The 16-hex shard a real-shaped conversation id ends with (None for readable ids)."""
    match = _SHARD_SUFFIX.match(conversation_id)
    return match["shard"] if match else None


def _check_item_count(items: Any, *, allow_empty: bool) -> None:
    if not isinstance(items, list):
        return
    if len(items) > MAX_ITEMS_PER_REQUEST:
        raise array_too_long("items", len(items), MAX_ITEMS_PER_REQUEST)
    if not items and not allow_empty:
        raise empty_array("items")


def check_create_body(body: dict[str, Any]) -> None:
    """``POST /conversations``: optional ``items`` (at most 20) and ``metadata``."""
    check_schema("ConversationCreateParams", body)
    _check_item_count(body.get("items"), allow_empty=True)
    check_metadata(body.get("metadata"))


def check_update_body(body: dict[str, Any]) -> None:
    """``POST /conversations/{id}``: ``metadata`` is required (null clears it)."""
    for key in body:
        if key != "metadata":
            raise unknown_parameter(key)
    if "metadata" not in body:
        raise missing_parameter("metadata")
    metadata = body["metadata"]
    if metadata is not None and not isinstance(metadata, dict):
        raise invalid_type("metadata", "a metadata object", type_word(metadata))
    # The create schema types `metadata` exactly as update does; it also rejects unknown keys.
    check_schema("ConversationCreateParams", body)
    check_metadata(metadata)


def check_items_body(body: dict[str, Any]) -> None:
    """``POST /conversations/{id}/items``: ``items`` required, 1 to 20 of them."""
    if "items" not in body:
        raise missing_parameter("items")
    check_schema("ItemCreateParams", body)
    _check_item_count(body["items"], allow_empty=False)


def new_items(
    raw: list[dict[str, Any]] | None, new_id: Callable[[str], str]
) -> list[dict[str, Any]]:
    """Request items -> stored conversation items (ids from ``new_id`` unless they bring one)."""
    return normalize_input(raw or [], new_id)


def conversation_ref(value: Any) -> str | None:
    """The id in the ``conversation`` parameter of ``POST /responses``: a string or ``{"id"}``."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return value["id"]
    return None


def check_exclusive(body: dict[str, Any]) -> None:
    if body.get("conversation") is not None and body.get("previous_response_id") is not None:
        raise mutually_exclusive("previous_response_id", "conversation")


def with_conversation(response: dict[str, Any], conversation_id: str) -> dict[str, Any]:
    """``response`` with ``"conversation": {"id": …}`` where the real API puts it (right after
    ``completed_at``, i.e. in alphabetical place among the leading keys)."""
    echoed: dict[str, Any] = {}
    anchor = "completed_at" if "completed_at" in response else "billing"
    placed = False
    for key, value in response.items():
        if key == "conversation":
            continue
        echoed[key] = value
        if key == anchor:
            echoed["conversation"] = {"id": conversation_id}
            placed = True
    if not placed:
        echoed["conversation"] = {"id": conversation_id}
    return echoed


def find_item(items: list[dict[str, Any]], item_id: str) -> dict[str, Any]:
    for item in items:
        if item.get("id") == item_id:
            return item
    raise item_not_found(item_id)
