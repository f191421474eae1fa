"""The public strategies produce what they promise."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from openai.lib._pydantic import to_strict_json_schema

from mockserver.contract.strict_rules import strict_violation
from mockserver.contract.tool_rules import check_tools
from mockserver.model.structured import dumps, json_answer
from mockserver.testing import strategies


@given(strategies.pydantic_models(), st.integers(0, 2**32 - 1), st.booleans())
def test_pydantic_models_are_accepted_and_parse_our_answers(
    model: type[Any], seed: int, edge: bool
) -> None:
    schema = to_strict_json_schema(model)
    assert strict_violation(schema) is None
    # What `responses.parse` does with the output text: it must give a model instance.
    instance = model.model_validate_json(dumps(json_answer(schema, seed=seed, edge=edge)))
    assert isinstance(instance, model)


@given(strategies.function_tools())
def test_function_tools_pass_the_request_checks(tool: dict[str, Any]) -> None:
    check_tools({"tools": [tool], "tool_choice": {"type": "function", "name": tool["name"]}})


@given(strategies.format_names())
def test_format_names(name: str) -> None:
    assert re.fullmatch(r"[a-zA-Z0-9_-]{1,64}", name)


@given(strategies.strict_schemas())
def test_schema_values_is_the_edge_strategy(schema: dict[str, Any]) -> None:
    assert strategies.schema_values(schema) is strategies.schema_values(schema)
