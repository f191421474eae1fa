"""The strict Structured Outputs rules: what passes, and the real message for what does not."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from openai.lib._pydantic import to_strict_json_schema
from pydantic import BaseModel

from mockserver.contract.strict_rules import (
    MAX_ENUM_VALUES,
    MAX_NESTING_DEPTH,
    MAX_OBJECT_PROPERTIES,
    SchemaViolation,
    is_strict_compatible,
    strict_violation,
)
from mockserver.testing import strategies

SHARED = Path(__file__).resolve().parents[2].parent / "shared"


def obj(**properties: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def message(schema: Any) -> str:
    problem = strict_violation(schema)
    assert problem is not None, schema
    return problem.message("response_format", "fmt")


def nested(levels: int) -> dict[str, Any]:
    node: dict[str, Any] = {"type": "string"}
    for _ in range(levels):
        node = obj(x=node)
    return node


REJECTED = [
    (
        {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
        "In context=(), 'additionalProperties' is required to be supplied and to be false.",
    ),
    (
        obj(tags={"type": "array", "items": {"type": "string"}, "uniqueItems": True}),
        "In context=('properties', 'tags'), 'uniqueItems' is not permitted.",
    ),
    (
        obj(name={"type": "string", "minProperties": 1}),
        "In context=('properties', 'name'), 'minProperties' is not permitted.",
    ),
    (
        {**obj(a={"type": "string"}, b={"type": "string"}), "required": ["a"]},
        "In context=(), 'required' is required to be supplied and to be an array including every "
        "key in properties. Missing 'b'.",
    ),
    (
        {**obj(a={"type": "string"}), "required": ["a", "zz"]},
        "In context=(), Extra required key 'zz' supplied.",
    ),
    (
        obj(url={"type": "string", "format": 7}),
        "In context=('properties', 'url'), '7' is not a valid format.",
    ),
    (obj(xs={"type": "array"}), "In context=('properties', 'xs'), array schema missing items."),
    (
        obj(o={"type": "object", "additionalProperties": False}),
        "In context=('properties', 'o'), object schema missing properties.",
    ),
    (obj(u={"description": "?"}), "In context=('properties', 'u'), schema must have a 'type' key."),
    (
        obj(
            items={"type": "array", "items": {"anyOf": [{"type": "string"}, obj(a={"type": "x"})]}}
        ),
        "In context=('properties', 'items', 'items', 'anyOf', '1', 'properties', 'a'), "
        "type 'x' is not supported.",
    ),
    (
        obj(g={"type": "null", "enum": ["javascript"]}),
        "In context=('properties', 'g'), enum value javascript does not validate against "
        "{'type': 'null'}.",
    ),
    (
        {**obj(a={"type": "string"}), "allOf": [{"type": "object"}]},
        "In context=(), 'allOf' is not permitted.",
    ),
    (
        {"type": "array", "items": {"type": "string"}},
        """schema must be a JSON Schema of 'type: "object"', got 'type: "array"'.""",
    ),
    (
        {"$ref": "#/$defs/a", "$defs": {"a": obj(x={"type": "string"})}},
        """schema must be a JSON Schema of 'type: "object"', got 'type: "None"'.""",
    ),
    ({"anyOf": [obj(a={"type": "string"})]}, "In context=(), schema must have a 'type' key."),
    (
        {**obj(a={"type": "string"}), "oneOf": [obj(a={"type": "string"})]},
        "schema must have type 'object' and not have 'oneOf'/'anyOf'/'allOf'/'enum'/'not' at the "
        "top level. Found 'oneOf'.",
    ),
    (
        obj(a={"$ref": "#/$defs/missing"}),
        "In context=('properties', 'a'), reference '#/$defs/missing' could not be resolved.",
    ),
    (
        {**obj(a={"$ref": "#/$defs/s", "description": "d"}), "$defs": {"s": {"type": "string"}}},
        "In context=('properties', 'a'), '$ref' cannot be combined with other keywords; found "
        "['description'].",
    ),
    (
        {**obj(a={"type": "string"}), "$defs": {"bad": {"type": "object", "properties": {}}}},
        "In context=('$defs', 'bad'), 'additionalProperties' is required to be supplied and to be "
        "false.",
    ),
]


@pytest.mark.parametrize(("schema", "detail"), REJECTED)
def test_rejected_schemas_get_the_real_message(schema: dict[str, Any], detail: str) -> None:
    assert message(schema) == f"Invalid schema for response_format 'fmt': {detail}"


def test_function_messages_name_the_function() -> None:
    problem = strict_violation({"type": "object", "properties": {}})
    assert isinstance(problem, SchemaViolation)
    assert problem.message("function", "get_weather") == (
        "Invalid schema for function 'get_weather': In context=(), 'additionalProperties' is "
        "required to be supplied and to be false."
    )


class Address(BaseModel):
    street: str
    city: str


class Person(BaseModel):
    name: str
    age: int | None
    tags: list[str]
    home: Address
    previous: list[Address]


class Tree(BaseModel):
    value: str
    children: list[Tree]


ACCEPTED = [
    obj(),
    obj(a={"type": ["string", "null"]}, b={"anyOf": [{"type": "integer"}, {"type": "null"}]}),
    obj(
        n={"type": "number", "minimum": 0, "exclusiveMaximum": 1, "multipleOf": 0.01},
        s={"type": "string", "pattern": "^[a-z]+$", "format": "email"},
        xs={"type": "array", "items": {"type": "integer"}, "minItems": 1, "maxItems": 3},
        # Supported since 2026 (issue #12); real strict schemas used `uint8`/`int64` formats.
        m={"type": "string", "minLength": 1, "maxLength": 9, "format": "uri"},
        u={"type": "integer", "format": "uint8", "minimum": 0, "maximum": 255},
        e={"type": "string", "enum": ["a", "b"], "description": "d", "title": "t", "default": "a"},
        c={"type": "string", "const": "x"},
    ),
    {**obj(value={"type": "string"}, next={"anyOf": [{"$ref": "#"}, {"type": "null"}]})},
    to_strict_json_schema(Person),
    to_strict_json_schema(Tree),
    nested(MAX_NESTING_DEPTH),
]


@pytest.mark.parametrize("schema", ACCEPTED)
def test_schemas_the_real_api_takes_pass(schema: dict[str, Any]) -> None:
    assert strict_violation(schema) is None
    assert is_strict_compatible(schema)


def test_recorded_structured_output_schemas_pass() -> None:
    traces = SHARED / "wire" / "agent-framework"
    if not traces.is_dir():
        pytest.skip(f"recordings not available at {traces}")
    requests = list(traces.rglob("json_output*/request.json"))
    assert requests
    for path in requests:
        fmt = json.loads(path.read_text())["text"]["format"]
        assert strict_violation(fmt["schema"]) is None, path


def test_nesting_limit() -> None:
    assert strict_violation(nested(MAX_NESTING_DEPTH)) is None  # the root and 9 levels below
    problem = strict_violation(nested(MAX_NESTING_DEPTH + 1))
    assert problem is not None
    assert "nests objects 11 levels deep; at most 10 levels" in problem.detail


def test_property_and_enum_limits() -> None:
    def wide(objects: int) -> dict[str, Any]:
        inner = obj(**{f"p{j}": {"type": "boolean"} for j in range(49)})
        return obj(**{f"o{i}": inner for i in range(objects)})

    assert strict_violation(wide(100)) is None  # 100 * 49 + 100 = 5000 properties
    problem = strict_violation(wide(101))  # 5050
    assert (
        problem is not None and f"at most {MAX_OBJECT_PROPERTIES} are supported" in problem.detail
    )
    values = [f"v{i}" for i in range(MAX_ENUM_VALUES)]
    assert strict_violation(obj(e={"type": "string", "enum": values})) is None
    problem = strict_violation(obj(e={"type": "string", "enum": [*values, "one more"]}))
    assert problem is not None and "1001 enum values" in problem.detail


def test_large_string_enums_and_total_length() -> None:
    long_values = [f"{i:03d}" + "x" * 60 for i in range(251)]  # 251 values, 15813 characters
    problem = strict_violation(obj(e={"type": "string", "enum": long_values}))
    assert problem is not None and "more than 250 values" in problem.detail
    short = obj(e={"type": "string", "enum": long_values[:250]})
    assert strict_violation(short) is None
    names = {f"{'k' * 990}{i:03d}": {"type": "boolean"} for i in range(125)}
    problem = strict_violation(obj(**names))
    assert problem is not None and "total string length" in problem.detail


@given(strategies._object(strategies._nodes()))
def test_the_schema_generator_follows_the_rules_without_filtering(schema: dict[str, Any]) -> None:
    assert strict_violation(schema) is None


@given(strategies.strict_schemas())
def test_any_required_property_dropped_is_named(schema: dict[str, Any]) -> None:
    broken = copy.deepcopy(schema)
    first = next(iter(broken["properties"]))
    broken["required"] = broken["required"][1:]
    assert message(broken).endswith(f"Missing '{first}'.")


@given(strategies.rejected_schemas())
def test_rejected_schemas_are_rejected_with_the_real_prefix(schema: dict[str, Any]) -> None:
    assert message(schema).startswith("Invalid schema for response_format 'fmt': ")
