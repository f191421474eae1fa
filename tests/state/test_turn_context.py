"""A create request's turn around ``create_turn``: compaction, server-side compaction, echo."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.contract.errors import APIError
from mockserver.contract.ids import IdFactory
from mockserver.contract.models import resolve_model
from mockserver.model.tokens import COMPACTION_ITEM_TOKENS
from mockserver.model.turn import create_turn
from mockserver.scenarios.clock import ManualClock
from mockserver.state.compaction import CompactionError, compact, supersedes
from mockserver.state.turn_context import (
    DEFAULT_COMPACT_THRESHOLD,
    PinnedShardIds,
    build_turn,
    check_context_management,
    compact_threshold,
)

KEY = b"s" * 32
MODEL = resolve_model("gpt-4o-mini")
LONG = "alpha beta gamma delta " * 300


def turn(params: dict[str, Any], prior: list[dict[str, Any]] | None = None, **kw: Any) -> Any:
    return build_turn(
        {"model": "gpt-4o-mini", **params},
        model=MODEL,
        prior_context=prior or [],
        ids=IdFactory(7),
        clock=ManualClock(),
        key=KEY,
        **kw,
    )


def text(result: Any) -> str:
    return next(i for i in result.response["output"] if i["type"] == "message")["content"][0][
        "text"
    ]


def test_without_state_it_is_create_turn() -> None:
    params = {"model": "gpt-4o-mini", "input": "Hello"}
    plain = create_turn(
        params, model=MODEL, prior_context=[], ids=IdFactory(7), clock=ManualClock()
    )
    assert turn(params).response == plain.response


def test_a_pinned_shard_is_shared_by_the_response_and_its_items() -> None:
    result = turn({"input": "Hello"}, shard="0123456789abcdef", conversation_id="conv_x")
    assert result.response["id"].startswith("resp_0123456789abcdef00")
    assert result.response["output"][0]["id"].startswith("msg_0123456789abcdef00")
    assert result.input_items[0]["id"].startswith("msg_0123456789abcdef00")
    assert result.response["conversation"] == {"id": "conv_x"}
    ids = PinnedShardIds(IdFactory(1), "ffffffffffffffff")
    assert ids.new_shard() == "ffffffffffffffff" and len(ids.request_id()) == 36


def full_history() -> tuple[list[dict[str, Any]], Any]:
    # Long content in an assistant turn: compaction keeps user messages, so that is what shrinks.
    first = turn(
        {
            "input": [
                {"role": "user", "content": "Remember: my project is called Atlas."},
                {"role": "assistant", "content": LONG},
                {"role": "user", "content": "Thanks."},
            ]
        }
    )
    return first.context, first


def test_a_compacted_window_gets_the_full_windows_answer_for_fewer_tokens() -> None:
    history, _ = full_history()
    question = {"role": "user", "content": "What did I name the project?"}
    full = turn({"input": [*history, question]})
    counter = iter(range(100))
    window = compact(history, key=KEY, now=0, new_id=lambda p: f"{p}_c{next(counter)}")
    compacted = turn({"input": [*window, question]})
    assert text(compacted) == text(full)
    assert compacted.response["usage"]["input_tokens"] < full.response["usage"]["input_tokens"]
    usage = compacted.response["usage"]
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
    # Everything sent is an input item (ids kept), and chaining continues from the window.
    assert [i["id"] for i in compacted.input_items[: len(window)]] == [i["id"] for i in window]
    chained = turn({"input": "Again?"}, prior=compacted.context)
    direct = turn({"input": "Again?"}, prior=full.context)
    assert text(chained) == text(direct)
    assert chained.response["usage"]["input_tokens"] < direct.response["usage"]["input_tokens"]


def test_compaction_items_in_the_prior_context_are_expanded() -> None:
    history, _ = full_history()
    window = compact(history, key=KEY, now=0, new_id=lambda p: f"{p}_w")
    assert text(turn({"input": "Next?"}, prior=window)) == text(
        turn({"input": "Next?"}, prior=history)
    )


def test_unreadable_compaction_content_is_a_400() -> None:
    bad = {"id": "cmp_x", "type": "compaction", "encrypted_content": "gAAAAABnope"}
    with pytest.raises(CompactionError) as caught:
        turn({"input": [bad, {"role": "user", "content": "Hi"}]})
    assert caught.value.status_code == 400
    assert caught.value.code == "invalid_encrypted_content"


def test_server_side_compaction_above_the_threshold() -> None:
    history, _ = full_history()
    result = turn(
        {
            "input": [*history, {"role": "user", "content": "What did I name the project?"}],
            "context_management": [{"type": "compaction", "compact_threshold": 1000}],
        }
    )
    output = result.response["output"]
    assert [item["type"] for item in output] == ["compaction", "message"]
    assert output[0]["id"].startswith("cmp_") and supersedes(KEY, output[0])
    plain = turn({"input": [*history, {"role": "user", "content": "What did I name the project?"}]})
    assert text(result) == text(plain)
    usage, plain_usage = result.response["usage"], plain.response["usage"]
    assert usage["input_tokens"] == plain_usage["input_tokens"] >= 1000
    assert usage["output_tokens"] == plain_usage["output_tokens"] + COMPACTION_ITEM_TOKENS
    # The next turn reads from the compaction item on: far fewer input tokens.
    assert result.context == output
    following = turn({"input": "And now?"}, prior=result.context)
    assert following.response["usage"]["input_tokens"] * 3 < usage["input_tokens"]


def test_below_the_threshold_nothing_is_compacted() -> None:
    result = turn(
        {"input": "Hi", "context_management": [{"type": "compaction", "compact_threshold": 1000}]}
    )
    assert [item["type"] for item in result.response["output"]] == ["message"]
    assert compact_threshold([{"type": "compaction"}]) == DEFAULT_COMPACT_THRESHOLD
    assert compact_threshold(None) is None


@pytest.mark.parametrize(
    ("value", "param", "code", "message"),
    [
        (
            [{"type": "foo"}],
            "context_management",
            None,
            "Unsupported context_management type: 'foo'.",
        ),
        (
            [{"type": "compaction", "compact_threshold": 999}],
            "context_management[0].compact_threshold",
            "integer_below_min_value",
            "Invalid 'context_management[0].compact_threshold': integer below minimum value. "
            "Expected a value >= 1000, but got 999 instead.",
        ),
        (
            [],
            "context_management",
            "empty_array",
            "Invalid 'context_management': empty array. Expected an array with minimum length 1, "
            "but got an empty array instead.",
        ),
        (
            [{"type": "compaction", "compact_threshold": 1000.0}],
            "context_management[0].compact_threshold",
            "invalid_type",
            "Invalid type for 'context_management[0].compact_threshold': expected an integer, but "
            "got a decimal number instead.",
        ),
        (
            [{"type": "compaction", "foo": 1}],
            "context_management[0].foo",
            "unknown_parameter",
            "Unknown parameter: 'context_management[0].foo'.",
        ),
    ],
)
def test_context_management_checks(value: Any, param: str, code: str | None, message: str) -> None:
    with pytest.raises(APIError) as caught:
        check_context_management(value)
    assert caught.value.body()["error"] == {
        "message": message,
        "type": "invalid_request_error",
        "param": param,
        "code": code,
    }


def test_valid_context_management_passes() -> None:
    check_context_management(None)
    check_context_management([{"type": "compaction", "compact_threshold": 1000}])
    check_context_management([{"type": "compaction", "compact_threshold": None}])
