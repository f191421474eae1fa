"""The nesting limit on clients' JSON: counted without recursion, cheap for flat bodies."""

from __future__ import annotations

from typing import Any

from mockserver.contract.json_depth import (
    MAX_JSON_DEPTH,
    json_depth_exceeds,
    raw_may_exceed,
    too_deep_error,
)


def nested(depth: int, leaf: Any = "x") -> Any:
    value = leaf
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


def test_depth_counts_arrays_and_objects_from_the_body_itself() -> None:
    assert not json_depth_exceeds({}, limit=1)
    assert json_depth_exceeds({"a": []}, limit=1)
    assert not json_depth_exceeds(nested(MAX_JSON_DEPTH))
    assert json_depth_exceeds(nested(MAX_JSON_DEPTH + 1))
    assert not json_depth_exceeds("scalar") and not json_depth_exceeds(None)


def test_depth_far_past_the_recursion_limit_is_no_problem() -> None:
    assert json_depth_exceeds(nested(100_000))


def test_the_bracket_count_rules_out_flat_bodies_without_parsing() -> None:
    assert not raw_may_exceed(b'{"model": "m", "input": [{"a": 1}]}')
    assert raw_may_exceed(b"[" * (MAX_JSON_DEPTH + 1))


def test_the_error_is_the_api_shape_and_names_the_limit() -> None:
    error = too_deep_error()
    assert error.status_code == 400 and error.code == "invalid_json"
    assert str(MAX_JSON_DEPTH) in error.message
