"""``/v1/conversations``: create, retrieve, update, delete; items: add, list, retrieve, delete.

Also what ``POST /responses`` needs of a conversation: its items as context, and appending a
turn's items to it afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mockserver.http.render import json_response
from mockserver.http.routes.background import settle_conversation
from mockserver.http.routes.common import (
    check_include,
    mock_state,
    query_int,
    query_list,
    read_json_object,
)
from mockserver.model.turn import Turn
from mockserver.state.context_chain import (
    CONVERSATION_TAIL,
    anchors_conversation,
    appended_tally,
)
from mockserver.state.conversations import (
    check_create_body,
    check_items_body,
    check_update_body,
    conversation_not_found,
    conversation_object,
    conversation_ref,
    deleted_object,
    find_item,
    new_items,
    shard_of,
)
from mockserver.state.mock_state import MockState
from mockserver.state.pagination import check_page_params, paginate
from mockserver.state.store import ConversationTail, StoredConversation


def _check_include(request: Request) -> None:
    check_include(query_list(request, "include"))


def _load(state: MockState, conversation_id: str) -> StoredConversation:
    settle_conversation(state, conversation_id)
    stored = state.store.get_conversation(conversation_id)
    if stored is None:
        raise conversation_not_found(conversation_id)
    return stored


def _load_tail(state: MockState, conversation_id: str, count: int) -> ConversationTail:
    """``_load`` without reading more than the last ``count`` items."""
    found = state.store.conversation_tail(conversation_id, count)
    if found is not None and found.pending and settle_conversation(state, conversation_id):
        found = state.store.conversation_tail(conversation_id, count)
    if found is None:
        raise conversation_not_found(conversation_id)
    return found


def _item_ids(state: MockState, conversation_id: str) -> Any:
    created_at = int(state.clock.now())
    shard = shard_of(conversation_id) or state.ids.new_shard()
    return lambda prefix: state.ids.conversation_item_id(prefix, shard, created_at)


async def create(request: Request) -> Response:
    state = mock_state(request)
    body = await read_json_object(request)
    check_create_body(body)
    created_at = int(state.clock.now())
    shard = state.ids.new_shard()
    conversation_id = state.ids.conversation_id(shard, created_at)
    items = new_items(
        body.get("items"),
        lambda prefix: state.ids.conversation_item_id(prefix, shard, created_at),
    )
    conversation = conversation_object(conversation_id, created_at, body.get("metadata"))
    state.store.put_conversation(StoredConversation(conversation, items))
    return json_response(conversation)


async def retrieve(request: Request) -> Response:
    state = mock_state(request)
    return json_response(_load_tail(state, request.path_params["conversation_id"], 0).conversation)


async def update(request: Request) -> Response:
    state = mock_state(request)
    conversation_id = request.path_params["conversation_id"]
    body = await read_json_object(request)
    check_update_body(body)
    metadata = dict(body["metadata"] or {})

    def change(stored: StoredConversation) -> None:
        stored.conversation = {**stored.conversation, "metadata": metadata}

    updated = state.store.update_conversation(conversation_id, change)
    if updated is None:
        raise conversation_not_found(conversation_id)
    return json_response(updated.conversation)


async def delete(request: Request) -> Response:
    state = mock_state(request)
    conversation_id = request.path_params["conversation_id"]
    if not state.store.delete_conversation(conversation_id):
        raise conversation_not_found(conversation_id)
    return json_response(deleted_object(conversation_id))


async def create_items(request: Request) -> Response:
    state = mock_state(request)
    conversation_id = request.path_params["conversation_id"]
    body = await read_json_object(request)
    check_items_body(body)
    _check_include(request)
    _load_tail(state, conversation_id, 0)
    items = new_items(body["items"], _item_ids(state, conversation_id))
    if not state.store.append_items(conversation_id, items):
        raise conversation_not_found(conversation_id)
    return json_response(
        {
            "object": "list",
            "data": items,
            "first_id": items[0]["id"] if items else None,
            "has_more": False,
            "last_id": items[-1]["id"] if items else None,
        }
    )


async def list_items(request: Request) -> Response:
    state = mock_state(request)
    stored = _load(state, request.path_params["conversation_id"])
    _check_include(request)
    limit, order = check_page_params(query_int(request, "limit"), request.query_params.get("order"))
    page = paginate(stored.items, limit=limit, order=order, after=request.query_params.get("after"))
    return json_response(page)


async def retrieve_item(request: Request) -> Response:
    state = mock_state(request)
    stored = _load(state, request.path_params["conversation_id"])
    _check_include(request)
    return json_response(find_item(stored.items, request.path_params["item_id"]))


async def delete_item(request: Request) -> Response:
    """Removes the item and returns the Conversation (as the SDK and the API reference say)."""
    state = mock_state(request)
    conversation_id = request.path_params["conversation_id"]
    item_id = request.path_params["item_id"]
    find_item(_load(state, conversation_id).items, item_id)

    def change(stored: StoredConversation) -> None:
        stored.items = [item for item in stored.items if item.get("id") != item_id]
        stored.tally = None  # counted again by the next turn
        stored.last_response = None

    updated = state.store.update_conversation(conversation_id, change)
    if updated is None:
        raise conversation_not_found(conversation_id)
    return json_response(updated.conversation)


def open_conversation(state: MockState, value: Any) -> ConversationTail | None:
    """The conversation named by ``POST /responses``'s ``conversation`` (None when absent), with
    its finished background responses settled, read without its earlier items
    (``Store.conversation_tail``); the real 404 when there is none."""
    conversation_id = conversation_ref(value)
    if conversation_id is None:
        return None
    return _load_tail(state, conversation_id, CONVERSATION_TAIL)


def append_turn(
    state: MockState, conversation_id: str, turn: Turn, prior: Sequence[Any] = ()
) -> None:
    """After a response: its input items, then its output items, join the conversation (one
    atomic append in every store, O(the new items)). ``prior`` is the context the turn read; its
    tally, carried over the new items, is kept with them unless another writer changed the
    conversation in between."""
    items = [*turn.input_items, *turn.response["output"]]
    tally = appended_tally(prior, items)
    if tally is None:
        state.store.append_items(conversation_id, items)
        return
    anchor = turn.response["id"] if anchors_conversation(turn) else None
    state.store.append_items(
        conversation_id, items, after=len(prior), tally=tally, last_response=anchor
    )


routes = [
    Route("/v1/conversations", create, methods=["POST"]),
    Route("/v1/conversations/{conversation_id}", retrieve, methods=["GET"]),
    Route("/v1/conversations/{conversation_id}", update, methods=["POST"]),
    Route("/v1/conversations/{conversation_id}", delete, methods=["DELETE"]),
    Route("/v1/conversations/{conversation_id}/items", create_items, methods=["POST"]),
    Route("/v1/conversations/{conversation_id}/items", list_items, methods=["GET"]),
    Route("/v1/conversations/{conversation_id}/items/{item_id}", retrieve_item, methods=["GET"]),
    Route("/v1/conversations/{conversation_id}/items/{item_id}", delete_item, methods=["DELETE"]),
]
