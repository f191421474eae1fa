"""JSON mode follows the shape the prompt shows: a JSON Schema or an example object."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
from hypothesis import given
from hypothesis import strategies as st

from mockserver.contract.models import resolve_model
from mockserver.model.structured.prompted import prompted_schema, schema_of_example
from mockserver.model.synthesis import synthesize
from mockserver.testing import strategies

MODEL = resolve_model("gpt-4o-mini")
JSON_MODE = {"text": {"format": {"type": "json_object"}}}
FORECAST = {
    "properties": {
        "city": {"title": "City", "type": "string"},
        "high": {"title": "High", "type": "integer", "minimum": -50, "maximum": 60},
    },
    "required": ["city", "high"],
    "title": "Forecast",
    "type": "object",
}


def user(text: str) -> dict[str, Any]:
    return {"type": "message", "role": "user", "content": text}


def answer(params: dict[str, Any], context: list[Any]) -> Any:
    result = synthesize({**JSON_MODE, **params}, MODEL, context, lambda p: f"{p}_1")
    return json.loads(result.items[0]["content"][0]["text"])


def test_a_schema_in_the_instructions_shapes_the_answer() -> None:
    instructions = (
        "Always respond with a JSON object that's compatible with this description and schema:"
        f"\n\n{json.dumps(FORECAST)}\n\nDon't include any text or Markdown fencing."
    )
    value = answer({"instructions": instructions}, [user("Forecast for Paris")])
    jsonschema.validate(value, FORECAST)


def test_a_schema_in_the_user_message_and_an_example_object() -> None:
    text = f"Give a forecast. Use this JSON schema: {json.dumps(FORECAST)}"
    jsonschema.validate(answer({}, [user(text)]), FORECAST)
    example = answer({}, [user('Reply like {"name": "Ada", "age": 36, "tags": ["x"]}')])
    assert set(example) == {"name", "age", "tags"}
    assert isinstance(example["name"], str) and isinstance(example["age"], int)
    assert isinstance(example["tags"], list)


def test_no_shape_in_the_prompt_keeps_the_reply_object() -> None:
    assert list(answer({}, [user("json please")])) == ["reply"]
    assert prompted_schema(None, [user("curly { but not json")]) is None
    # What the assistant wrote earlier is not a prompt.
    said = {"type": "message", "role": "assistant", "content": '{"a": 1}'}
    assert prompted_schema(None, [said, user("again")]) is None


def test_the_last_schema_wins_over_examples() -> None:
    text = f'Example: {{"x": 1}}. Schema: {json.dumps(FORECAST)}. Another example {{"y": 2}}'
    assert prompted_schema(None, [user(text)]) == FORECAST


@given(
    strategies.strict_schemas(),
    st.text(st.characters(exclude_characters="{}", exclude_categories=("Cs",)), max_size=40),
    st.integers(0, 2**32 - 1),
)
def test_any_schema_written_in_the_prompt_is_followed(
    schema: dict[str, Any], prefix: str, salt: int
) -> None:
    context = [user(f"{prefix} {json.dumps(schema)} #{salt}")]
    assert prompted_schema(None, context) == schema
    jsonschema.Draft202012Validator(schema).validate(answer({}, context))


@given(st.dictionaries(st.text(min_size=1, max_size=8), st.from_type(int) | st.text(), max_size=5))
def test_an_example_object_gives_a_schema_it_satisfies(example: dict[str, Any]) -> None:
    jsonschema.validate(example, schema_of_example(example))
