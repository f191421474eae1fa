"""Structured Outputs: ``text.format`` (text, json_object, json_schema), ``responses.parse``,
schema rules with their 400s, edge-case answers and refusals.

Schemas and Pydantic models come from ``mockserver.strategies`` (plain Hypothesis strategies,
no server involved); requests go through the SDK only. The ``x-mockserver-*`` headers ask the
mock for edge cases or a refusal; the real API ignores them, so every assertion that is not
marked ``mock_only`` holds on both targets.
"""

from __future__ import annotations

import json
from typing import Any

import jsonschema_rs
import openai
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openai.lib._pydantic import to_strict_json_schema
from pydantic import BaseModel

from contract_tests.helpers import assert_api_error, collapse_runs, message_items
from mockserver.testing import strategies
from mockserver.testing.hypothesis_profiles import roundtrip_examples

EDGE = {"x-mockserver-edge-cases": "1"}
PROMPT = "Fill in the requested JSON with plausible values."
# Fixed examples (derandomized): the same requests every run, so the live and replay targets
# can record and replay them; random exploration happens in tests/ without HTTP.
ROUNDTRIPS = settings(max_examples=roundtrip_examples(), derandomize=True, database=None)


class Step(BaseModel):
    explanation: str
    output: str


class MathReasoning(BaseModel):
    steps: list[Step]
    final_answer: str
    confidence: float | None


def json_schema_format(schema: dict[str, Any], strict: bool | None = True) -> dict[str, Any]:
    fmt: dict[str, Any] = {"type": "json_schema", "name": "answer", "schema": schema}
    if strict is not None:
        fmt["strict"] = strict
    return {"format": fmt}


def assert_valid(schema: dict[str, Any], text: str) -> Any:
    value = json.loads(text)
    validator = jsonschema_rs.validator_for(schema, validate_formats=True)
    assert validator.is_valid(value), (schema, value)
    return value


def test_parse_returns_a_model_instance(client: openai.OpenAI, model: str) -> None:
    response = client.responses.parse(
        model=model, input="Solve 8x + 7 = -23 step by step.", text_format=MathReasoning
    )
    assert isinstance(response.output_parsed, MathReasoning)
    fmt = response.text.format
    assert fmt.type == "json_schema" and fmt.name == "MathReasoning"
    assert fmt.strict is True and fmt.description is None
    assert fmt.schema_ == to_strict_json_schema(MathReasoning)
    [message] = message_items(response)
    assert message.content[0].type == "output_text"
    assert json.loads(message.content[0].text) == response.output_parsed.model_dump()


async def test_async_parse(async_client: openai.AsyncOpenAI, model: str) -> None:
    response = await async_client.responses.parse(
        model=model, input="Solve 2x = 4.", text_format=MathReasoning
    )
    assert isinstance(response.output_parsed, MathReasoning)


def test_stream_helper_with_text_format(client: openai.OpenAI, model: str) -> None:
    with client.responses.stream(
        model=model, input="Solve 3x = 9.", text_format=MathReasoning
    ) as stream:
        events = list(stream)
        final = stream.get_final_response()
    types = collapse_runs(e.type for e in events)
    assert types[:5] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
        "response.output_text.delta",
    ]
    assert types[-4:] == [
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    deltas = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    assert isinstance(final.output_parsed, MathReasoning)
    assert json.loads(deltas) == final.output_parsed.model_dump()


@ROUNDTRIPS
@pytest.mark.drawn_inputs
@given(strategies.pydantic_models(depth=1), st.booleans(), st.booleans())
def test_parse_any_model(
    client: openai.OpenAI, model: str, text_format: type[BaseModel], edge: bool, stream: bool
) -> None:
    headers = EDGE if edge else {}
    if stream:
        with client.responses.stream(
            model=model, input=PROMPT, text_format=text_format, extra_headers=headers
        ) as events:
            for _ in events:
                pass
            parsed = events.get_final_response().output_parsed
    else:
        parsed = client.responses.parse(
            model=model, input=PROMPT, text_format=text_format, extra_headers=headers
        ).output_parsed
    assert isinstance(parsed, text_format)


@ROUNDTRIPS
@pytest.mark.drawn_inputs
@given(strategies.strict_schemas(), st.booleans(), st.booleans())
def test_any_strict_schema_gets_valid_json(
    client: openai.OpenAI, model: str, schema: dict[str, Any], edge: bool, stream: bool
) -> None:
    headers = EDGE if edge else {}
    text = json_schema_format(schema)
    if stream:
        events = list(
            client.responses.create(
                model=model, input=PROMPT, text=text, stream=True, extra_headers=headers
            )
        )
        deltas = "".join(e.delta for e in events if e.type == "response.output_text.delta")
        final = events[-1].response
        assert final.status == "completed"
        assert deltas == final.output_text
        output = final.output_text
    else:
        output = client.responses.create(
            model=model, input=PROMPT, text=text, extra_headers=headers
        ).output_text
    assert_valid(schema, output)


@ROUNDTRIPS
@pytest.mark.drawn_inputs
@given(strategies.rejected_schemas())
def test_schemas_breaking_the_strict_rules_get_invalid_json_schema(
    client: openai.OpenAI, model: str, schema: dict[str, Any]
) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model=model, input=PROMPT, text=json_schema_format(schema))
    body = assert_api_error(
        raised.value, status=400, param="text.format.schema", code="invalid_json_schema"
    )
    assert body["message"].startswith("Invalid schema for response_format 'answer': ")


def test_a_missing_additional_properties_is_named(client: openai.OpenAI, model: str) -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model=model, input=PROMPT, text=json_schema_format(schema))
    assert_api_error(
        raised.value,
        status=400,
        param="text.format.schema",
        code="invalid_json_schema",
        message="Invalid schema for response_format 'answer': In context=(), "
        "'additionalProperties' is required to be supplied and to be false.",
    )


def test_non_strict_schemas_are_accepted(client: openai.OpenAI, model: str) -> None:
    schema = {"type": "object", "properties": {"city": {"type": "string", "minLength": 1}}}
    response = client.responses.create(
        model=model,
        input="Name a city, as JSON.",
        text=json_schema_format(schema, strict=False),
    )
    assert response.status == "completed"
    assert response.text.format.strict is False
    json.loads(response.output_text)


def test_strict_left_out_is_echoed_as_true_for_a_strict_schema(
    client: openai.OpenAI, model: str, on_mock: bool
) -> None:
    # Recorded: a schema that follows the rules, sent without `strict`, comes back strict.
    schema = to_strict_json_schema(Step)
    response = client.responses.create(
        model=model, input=PROMPT, text=json_schema_format(schema, strict=None)
    )
    assert response.text.format.strict is True
    assert_valid(schema, response.output_text)
    if on_mock:  # our documented choice for a schema strict mode cannot take
        loose = {"type": "object", "properties": {"a": {"type": "string"}}}
        response = client.responses.create(
            model=model, input=PROMPT, text=json_schema_format(loose, strict=None)
        )
        assert response.text.format.strict is False


def test_json_mode(client: openai.OpenAI, model: str) -> None:
    response = client.responses.create(
        model=model,
        input="Reply with a JSON object describing a cat.",
        text={"format": {"type": "json_object"}},
    )
    assert response.text.format.type == "json_object"
    assert isinstance(json.loads(response.output_text), dict)


def test_json_mode_needs_the_word_json(client: openai.OpenAI, model: str) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(
            model=model,
            input="Describe a cat.",
            instructions="Answer in JSON.",  # instructions do not count
            text={"format": {"type": "json_object"}},
        )
    assert_api_error(
        raised.value,
        status=400,
        param="text.format",
        code=None,
        message="Response input messages must contain the word 'json' in some form to use "
        "'text.format' of type 'json_object'.",
    )


@pytest.mark.mock_only
def test_edge_answers_replay_from_the_reported_seed(client: openai.OpenAI, model: str) -> None:
    schema = to_strict_json_schema(MathReasoning)
    raw = client.responses.with_raw_response.create(
        model=model, input=PROMPT, text=json_schema_format(schema), extra_headers=EDGE
    )
    seed = raw.headers["x-mockserver-seed"]
    first = raw.parse().output_text
    assert_valid(schema, first)
    again = client.responses.create(
        model=model,
        input=PROMPT,
        text=json_schema_format(schema),
        extra_headers={"x-mockserver-seed": seed},
    )
    assert again.output_text == first
    plain = client.responses.with_raw_response.create(
        model=model, input=PROMPT, text=json_schema_format(schema)
    )
    assert "x-mockserver-seed" not in plain.headers


@pytest.mark.mock_only
def test_default_answers_are_deterministic(client: openai.OpenAI, model: str) -> None:
    texts = {
        client.responses.parse(model=model, input=PROMPT, text_format=MathReasoning).output_text
        for _ in range(3)
    }
    assert len(texts) == 1


@pytest.mark.mock_only
def test_refusal_instead_of_json(client: openai.OpenAI, model: str) -> None:
    headers = {"x-mockserver-refusal": "I can't help with that."}
    response = client.responses.parse(
        model=model, input=PROMPT, text_format=MathReasoning, extra_headers=headers
    )
    assert response.output_parsed is None
    [message] = message_items(response)
    [part] = message.content
    assert part.type == "refusal" and part.refusal == "I can't help with that."
    with client.responses.stream(
        model=model, input=PROMPT, text_format=MathReasoning, extra_headers=headers
    ) as stream:
        types = collapse_runs(e.type for e in stream)
    assert types[2:8] == [
        "response.output_item.added",
        "response.content_part.added",
        "response.refusal.delta",
        "response.refusal.done",
        "response.content_part.done",
        "response.output_item.done",
    ]
