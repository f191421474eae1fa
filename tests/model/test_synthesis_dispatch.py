"""``synthesize`` picks the answer: refusal, tool calls, JSON for ``text.format``, or prose."""

from __future__ import annotations

import json
import re
from typing import Any

import jsonschema_rs
from hypothesis import given
from hypothesis import strategies as st

from mockserver.contract.models import resolve_model
from mockserver.model.synthesis import synthesize
from mockserver.scenarios.directives import Directives
from mockserver.testing import strategies

MODEL = resolve_model("gpt-4o-mini")
SCHEMA = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "score": {"type": "number", "minimum": 0, "maximum": 1},
    },
    "required": ["name", "tags", "score"],
    "additionalProperties": False,
}


def ids(prefix: str) -> str:
    return f"{prefix}_1"


def user(text: str) -> dict[str, Any]:
    return {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}


def json_schema(schema: dict[str, Any]) -> dict[str, Any]:
    return {"text": {"format": {"type": "json_schema", "name": "out", "schema": schema}}}


def text_of(answer: Any) -> str:
    [item] = answer.items
    return item["content"][0]["text"]


@given(strategies.strict_schemas(), st.text(max_size=30))
def test_json_schema_answers_validate_and_repeat(schema: dict[str, Any], prompt: str) -> None:
    params = json_schema(schema)
    first = synthesize(params, MODEL, [user(prompt)], ids)
    value = json.loads(text_of(first))
    assert jsonschema_rs.validator_for(schema, validate_formats=True).is_valid(value)
    assert text_of(synthesize(params, MODEL, [user(prompt)], ids)) == text_of(first)


def test_edge_mode_depends_on_the_seed() -> None:
    params = json_schema(SCHEMA)
    texts = {
        text_of(synthesize(params, MODEL, [user("x")], ids, Directives(True, seed)))
        for seed in range(10)
    }
    assert len(texts) > 3
    again = synthesize(params, MODEL, [user("x")], ids, Directives(True, 3))
    assert text_of(again) == text_of(
        synthesize(params, MODEL, [user("x")], ids, Directives(True, 3))
    )


def test_json_object_mode() -> None:
    params = {"text": {"format": {"type": "json_object"}}}
    value = json.loads(text_of(synthesize(params, MODEL, [user("json please")], ids)))
    assert list(value) == ["reply"] and value["reply"].startswith('Mock reply to "json please".')
    edge = json.loads(text_of(synthesize(params, MODEL, [user("json")], ids, Directives(True, 1))))
    assert isinstance(edge, dict)


def test_refusal_wins() -> None:
    answer = synthesize(json_schema(SCHEMA), MODEL, [user("x")], ids, Directives(refusal="No."))
    [item] = answer.items
    assert item["content"] == [{"type": "refusal", "refusal": "No."}]
    assert item["status"] == "completed" and answer.incomplete_reason is None


def test_function_calls_carry_valid_arguments() -> None:
    tools = [
        {"type": "function", "name": "score_it", "parameters": SCHEMA, "strict": True},
        {"type": "function", "name": "no_params"},
    ]
    calls = iter(["call_a", "call_b"])
    answer = synthesize(
        {"tools": tools},
        MODEL,
        [user("score_it and no_params")],
        ids,
        new_call_id=lambda: next(calls),
    )
    first, second = answer.items
    assert (first["name"], first["call_id"], second["call_id"]) == ("score_it", "call_a", "call_b")
    assert jsonschema_rs.validator_for(SCHEMA).is_valid(json.loads(first["arguments"]))
    assert second["arguments"] == "{}"
    assert answer.output_tokens > 0


def test_custom_tool_input_follows_a_regex_grammar() -> None:
    tool = {
        "type": "custom",
        "name": "ticket",
        "format": {"type": "grammar", "syntax": "regex", "definition": r"^[A-Z]{3}-\d{4}$"},
    }
    for directives in (Directives(), Directives(True, 5), Directives(True, 6)):
        answer = synthesize({"tools": [tool]}, MODEL, [user("open a ticket")], ids, directives)
        [item] = answer.items
        assert item["type"] == "custom_tool_call"
        assert re.fullmatch(r"[A-Z]{3}-[0-9]{4}", item["input"])
    plain = synthesize({"tools": [{"type": "custom", "name": "sh"}]}, MODEL, [user("sh")], ids)
    assert plain.items[0]["input"] == "Mock input for sh."


def test_max_output_tokens_cuts_json_and_calls() -> None:
    long_schema = {
        **SCHEMA,
        "properties": {
            **SCHEMA["properties"],
            "tags": {"type": "array", "items": {"type": "string"}, "minItems": 30},
        },
    }
    cut = synthesize({**json_schema(long_schema), "max_output_tokens": 16}, MODEL, [user("x")], ids)
    assert cut.incomplete_reason == "max_output_tokens"
    assert cut.items[0]["status"] == "incomplete"
    tool = {"type": "function", "name": "f", "parameters": long_schema, "strict": True}
    calls = synthesize({"tools": [tool], "max_output_tokens": 16}, MODEL, [user("f")], ids)
    assert calls.incomplete_reason == "max_output_tokens"
    assert calls.items[0]["status"] == "incomplete" and calls.output_tokens <= 16


def test_after_outputs_the_reply_quotes_them() -> None:
    context = [
        user("weather and time"),
        {"type": "function_call", "call_id": "a", "name": "w", "arguments": "{}"},
        {"type": "function_call", "call_id": "b", "name": "t", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "a", "output": "sunny"},
        {"type": "function_call_output", "call_id": "b", "output": "noon"},
    ]
    tools = [{"type": "function", "name": "w"}, {"type": "function", "name": "t"}]
    text = text_of(synthesize({"tools": tools}, MODEL, context, ids))
    assert text.startswith('Mock reply using the tool results "sunny"; "noon".')
