"""Request ``input`` -> stored input items."""

from __future__ import annotations

import itertools

from mockserver.contract.inputs import ITEM_ID_PREFIXES, normalize_input


def _ids():
    counter = itertools.count()
    return lambda prefix: f"{prefix}_{next(counter)}"


def test_none_is_no_items() -> None:
    assert normalize_input(None, _ids()) == []


def test_a_string_is_one_user_message() -> None:
    assert normalize_input("Hello", _ids()) == [
        {
            "id": "msg_0",
            "type": "message",
            "status": "completed",
            "content": [{"type": "input_text", "text": "Hello"}],
            "role": "user",
        }
    ]


def test_string_content_becomes_parts_by_role() -> None:
    items = normalize_input(
        [
            {"role": "developer", "content": "Be brief."},
            {"role": "assistant", "content": "Earlier answer"},
        ],
        _ids(),
    )
    assert items[0]["content"] == [{"type": "input_text", "text": "Be brief."}]
    assert items[1]["content"] == [
        {"type": "output_text", "text": "Earlier answer", "annotations": []}
    ]
    assert [item["role"] for item in items] == ["developer", "assistant"]
    # The stored item keys come in the real API's order.
    assert list(items[0]) == ["id", "type", "status", "content", "role"]


def test_image_parts_get_the_default_detail() -> None:
    content = [
        {"type": "input_text", "text": "What is this?"},
        {"type": "input_image", "image_url": "https://example.com/a.png"},
        {"type": "input_image", "image_url": "https://example.com/b.png", "detail": "low"},
    ]
    [item] = normalize_input([{"role": "user", "content": content}], _ids())
    assert [part.get("detail") for part in item["content"]] == [None, "auto", "low"]


def test_items_keep_their_own_ids_and_fields() -> None:
    items = normalize_input(
        [
            {"type": "message", "id": "msg_mine", "role": "user", "content": "x", "status": None},
            {"type": "function_call", "call_id": "call_1", "name": "f", "arguments": "{}"},
            {"type": "function_call_output", "call_id": "call_1", "output": "42"},
            {"type": "reasoning", "id": "rs_given", "summary": []},
            {"type": "brand_new_thing", "x": 1},
        ],
        _ids(),
    )
    assert [item["id"] for item in items] == ["msg_mine", "fc_0", "fc_1", "rs_given", "item_2"]
    assert items[0]["status"] == "completed"
    assert items[1] == {
        "id": "fc_0",
        "type": "function_call",
        "call_id": "call_1",
        "name": "f",
        "arguments": "{}",
        "status": "completed",
    }
    assert items[2]["status"] == "completed"
    assert "status" not in items[3]
    assert items[4] == {"id": "item_2", "type": "brand_new_thing", "x": 1}


def test_prefixes_are_the_real_ones() -> None:
    assert ITEM_ID_PREFIXES["message"] == "msg"
    assert ITEM_ID_PREFIXES["function_call"] == "fc"
    assert ITEM_ID_PREFIXES["reasoning"] == "rs"
    assert ITEM_ID_PREFIXES["compaction"] == "cmp"


def test_function_call_output_is_stored_as_the_real_input_items_list_shows_it() -> None:
    # openai-dotnet FunctionCallWorks.json: {"id": "fc_…", "type", "status", "call_id", "output"}
    (item,) = normalize_input(
        [{"type": "function_call_output", "call_id": "call_1", "output": "22 celcius"}], _ids()
    )
    assert list(item) == ["id", "type", "status", "call_id", "output"]
    assert item["id"].startswith("fc_") and item["status"] == "completed"
