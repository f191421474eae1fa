"""Default structured answers: valid for every strict schema, and deterministic."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import jsonschema
import jsonschema_rs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockserver.model.structured import dumps, json_answer
from mockserver.model.structured.edge import pattern_example
from mockserver.model.structured.json_answers import default_answer, is_multiple, validator
from mockserver.testing import strategies


def check(schema: dict[str, Any], value: Any) -> None:
    """Valid for two independent validators (the second without format checks)."""
    rs = jsonschema_rs.validator_for(schema, validate_formats=True)
    assert rs.is_valid(value), (schema, value)
    jsonschema.Draft202012Validator(schema).validate(value)


def answer(schema: dict[str, Any], seed: int = 1) -> Any:
    return default_answer(schema, seed, pattern_example)


@given(strategies.strict_schemas(), st.integers(0, 2**32 - 1))
def test_every_strict_schema_gets_a_valid_answer(schema: dict[str, Any], seed: int) -> None:
    value = answer(schema, seed)
    check(schema, value)
    assert json.loads(dumps(value)) == value


@given(strategies.strict_schemas())
def test_same_seed_same_answer(schema: dict[str, Any]) -> None:
    assert answer(schema, 7) == answer(schema, 7)


def test_answers_follow_the_schema_key_order() -> None:
    ordered = {
        "type": "object",
        "properties": {k: {"type": "string"} for k in ("zeta", "alpha", "mid")},
        "required": ["zeta", "alpha", "mid"],
        "additionalProperties": False,
    }
    assert list(answer(ordered)) == ["zeta", "alpha", "mid"]


def test_answers_are_the_same_in_another_process() -> None:
    schema = {
        "type": "object",
        "properties": {
            "code": {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{2}$"},
            "when": {"type": "string", "format": "date-time"},
            "n": {"type": "number", "minimum": 0, "maximum": 5, "multipleOf": 0.25},
            "tags": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["code", "when", "n", "tags"],
        "additionalProperties": False,
    }
    script = (
        "import json, sys\n"
        "from mockserver.model.structured import json_answer\n"
        "print(json.dumps(json_answer(json.loads(sys.argv[1]), seed=99, edge=False)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, json.dumps(schema)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(result.stdout) == json_answer(schema, seed=99, edge=False)


def test_seeds_vary_the_answer() -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"type": "string"}, "n": {"type": "integer"}},
        "required": ["a", "n"],
        "additionalProperties": False,
    }
    assert len({json.dumps(answer(schema, seed)) for seed in range(20)}) > 5


NUMBERS = [
    {"type": "number", "multipleOf": 0.01, "minimum": 0.05, "maximum": 0.07},
    {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 0.001},
    {"type": "integer", "exclusiveMinimum": -3, "exclusiveMaximum": -1},
    {"type": "integer", "minimum": 10**12, "multipleOf": 7},
    {"type": "number", "maximum": -1e6},
    {"type": "integer", "multipleOf": 5, "maximum": -7},
]


@pytest.mark.parametrize("node", NUMBERS)
def test_number_bounds_and_steps(node: dict[str, Any]) -> None:
    for seed in range(10):
        check(node, answer(node, seed))


def test_recursion_stops() -> None:
    linked = {
        "type": "object",
        "properties": {
            "v": {"type": "string"},
            "next": {"anyOf": [{"$ref": "#"}, {"type": "null"}]},
        },
        "required": ["v", "next"],
        "additionalProperties": False,
    }
    value = answer(linked)
    check(linked, value)
    depth = 0
    while value is not None:
        value, depth = value["next"], depth + 1
    assert 1 <= depth <= 4


NON_STRICT = [
    {"type": "object", "properties": {"a": {"type": "string", "minLength": 30, "maxLength": 31}}},
    {
        "type": "array",
        "items": {"type": "integer", "minimum": 0, "maximum": 3},
        "uniqueItems": True,
    },
    {"type": "object", "required": ["x", "y"], "additionalProperties": {"type": "integer"}},
    {"allOf": [{"properties": {"a": {"type": "integer"}}}, {"required": ["a"]}]},
    {"oneOf": [{"type": "string"}, {"type": "integer"}]},
    {"type": "object", "properties": {"u": {"type": "string", "format": "uri"}}},
]


@pytest.mark.parametrize("schema", NON_STRICT)
def test_non_strict_schemas_get_a_best_effort_that_usually_validates(
    schema: dict[str, Any],
) -> None:
    rs = jsonschema_rs.validator_for(schema)
    assert rs.is_valid(answer(schema))


def test_validator_is_cached_and_survives_unusable_schemas() -> None:
    schema = {"type": "object", "properties": {}}
    assert validator(schema) is validator(dict(schema))
    assert validator({"$ref": "https://example.com/elsewhere.json"}) is None


@given(st.integers(-(10**6), 10**6), st.sampled_from([1, 3, 0.5, 0.25, 0.1, 0.01, 0.3]))
def test_our_multiple_check_is_at_least_as_strict_as_validators(k: int, step: float) -> None:
    # Python's jsonschema rejects 0.07 for multipleOf 0.01 (float quotient); jsonschema_rs
    # accepts it. Answers pass `is_multiple`, so both validators accept them.
    value = round(k * step, 6) if isinstance(step, float) else k * step
    if is_multiple(value, step):
        check({"multipleOf": step}, value)
    assert is_multiple(10, 5) and not is_multiple(11, 5)
