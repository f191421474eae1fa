"""Conversation objects, request checks and errors (the pure core)."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.contract.errors import APIError, InvalidRequestError
from mockserver.state.conversations import (
    MAX_ITEMS_PER_REQUEST,
    check_create_body,
    check_exclusive,
    check_items_body,
    check_update_body,
    conversation_not_found,
    conversation_object,
    conversation_ref,
    deleted_object,
    find_item,
    item_not_found,
    new_items,
    shard_of,
    with_conversation,
)

USER = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Hi"}]}


def error(check: Any, *args: Any) -> dict[str, Any]:
    with pytest.raises(APIError) as caught:
        check(*args)
    return caught.value.body()["error"]


def test_objects_have_the_recorded_shapes() -> None:
    assert list(conversation_object("conv_1", 5, None)) == [
        "id",
        "object",
        "created_at",
        "metadata",
    ]
    assert conversation_object("conv_1", 5, {"a": "b"})["metadata"] == {"a": "b"}
    assert deleted_object("conv_1") == {
        "id": "conv_1",
        "object": "conversation.deleted",
        "deleted": True,
    }


def test_not_found_errors_are_verbatim() -> None:
    assert conversation_not_found("conv_nonexistent123").body() == {
        "error": {
            "message": "Conversation with id 'conv_nonexistent123' not found.",
            "type": "invalid_request_error",
            "param": None,
            "code": None,
        }
    }
    assert conversation_not_found("x").status_code == item_not_found("x").status_code == 404
    assert item_not_found("msg_x").message == "Item with id 'msg_x' not found in conversation."
    with pytest.raises(APIError, match="Item with id 'msg_2' not found"):
        find_item([{"id": "msg_1"}], "msg_2")
    assert find_item([{"id": "msg_1"}, {"id": "msg_2", "n": 2}], "msg_2") == {"id": "msg_2", "n": 2}


def test_conversation_and_previous_response_id_are_mutually_exclusive() -> None:
    body = {"conversation": "conv_1", "previous_response_id": "resp_1"}
    assert error(check_exclusive, body) == {
        "message": "Mutually exclusive parameters: ''. Ensure you are only providing one of: "
        "'pre..._id' or 'conversation'.",
        "type": "invalid_request_error",
        "param": None,
        "code": "mutually_exclusive_parameters",
    }
    check_exclusive({"conversation": "conv_1", "previous_response_id": None})
    check_exclusive({"previous_response_id": "resp_1"})


def test_create_accepts_up_to_twenty_items_and_real_metadata() -> None:
    check_create_body({})
    check_create_body({"items": [USER] * MAX_ITEMS_PER_REQUEST, "metadata": {"k": "v"}})
    check_create_body({"items": []})
    too_many = error(check_create_body, {"items": [USER] * 21})
    assert too_many == {
        "message": "Invalid 'items': array too long. Expected an array with maximum length 20, "
        "but got an array with length 21 instead.",
        "type": "invalid_request_error",
        "param": "items",
        "code": "array_above_max_length",
    }
    metadata = {f"k{i}": "v" for i in range(17)}
    assert error(check_create_body, {"metadata": metadata})["code"] == "object_above_max_properties"
    assert error(check_create_body, {"metadata": {"k": "v" * 513}})["code"] == (
        "string_above_max_length"
    )
    assert error(check_create_body, {"bogus": 1})["message"] == "Unknown parameter: 'bogus'."
    assert error(check_create_body, {"items": "hi"})["code"] == "invalid_type"


def test_update_needs_metadata_and_nothing_else() -> None:
    check_update_body({"metadata": {"topic": "x"}})
    check_update_body({"metadata": None})
    assert error(check_update_body, {})["message"] == "Missing required parameter: 'metadata'."
    assert error(check_update_body, {"metadata": {}, "items": []})["param"] == "items"
    wrong = error(check_update_body, {"metadata": "x"})
    assert wrong["message"] == (
        "Invalid type for 'metadata': expected a metadata object, but got a string instead."
    )
    assert error(check_update_body, {"metadata": {"k": 1}})["code"] == "invalid_type"
    assert error(check_update_body, {"metadata": {"k" * 65: "v"}})["code"] == (
        "property_name_above_max_length"
    )


def test_adding_items_needs_one_to_twenty() -> None:
    check_items_body({"items": [USER]})
    assert error(check_items_body, {})["message"] == "Missing required parameter: 'items'."
    assert error(check_items_body, {"items": []}) == {
        "message": "Invalid 'items': empty array. Expected an array with minimum length 1, but "
        "got an empty array instead.",
        "type": "invalid_request_error",
        "param": "items",
        "code": "empty_array",
    }
    assert error(check_items_body, {"items": [USER] * 21})["code"] == "array_above_max_length"


def test_new_items_get_ids_unless_they_bring_one() -> None:
    items = new_items([USER, {**USER, "id": "msg_mine"}], lambda prefix: f"{prefix}_new")
    assert [item["id"] for item in items] == ["msg_new", "msg_mine"]
    assert items[0] == {
        "id": "msg_new",
        "type": "message",
        "status": "completed",
        "content": USER["content"],
        "role": "user",
    }
    assert new_items(None, lambda prefix: prefix) == []


def test_conversation_refs_and_shards() -> None:
    assert conversation_ref("conv_1") == "conv_1"
    assert conversation_ref({"id": "conv_2"}) == "conv_2"
    assert conversation_ref(None) is None
    real = "conv_6a3f193a23f08197a8aaeee38622750f0903dc172c433d83"
    assert shard_of(real) == "0903dc172c433d83"
    assert shard_of("conv_demo") is None


def test_the_echo_sits_where_the_real_api_puts_it() -> None:
    response = {"id": "r", "billing": {}, "completed_at": 1, "error": None, "metadata": {}}
    echoed = with_conversation(response, "conv_1")
    assert list(echoed) == ["id", "billing", "completed_at", "conversation", "error", "metadata"]
    assert echoed["conversation"] == {"id": "conv_1"}
    assert list(with_conversation({"billing": {}, "error": None}, "c")) == [
        "billing",
        "conversation",
        "error",
    ]
    assert list(with_conversation({"id": "r"}, "c")) == ["id", "conversation"]
    assert with_conversation(echoed, "conv_2")["conversation"] == {"id": "conv_2"}


def test_errors_are_invalid_request_errors() -> None:
    with pytest.raises(InvalidRequestError):
        check_items_body({"items": []})
