"""Function calling: tool choice, ``function_call`` items and their stream, the call -> execute ->
answer loop, tool outputs that answer nothing, strict parameter schemas and custom tools."""

from __future__ import annotations

import json
from typing import Any

import jsonschema_rs
import openai
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from contract_tests.helpers import (
    FUNCTION_CALL_TURN,
    assert_api_error,
    collapse_runs,
    message_items,
)
from mockserver.testing import strategies
from mockserver.testing.hypothesis_profiles import roundtrip_examples

# Fixed examples (derandomized): the same requests every run, so the live and replay targets
# can record and replay them; random exploration happens in tests/ without HTTP.
ROUNDTRIPS = settings(max_examples=roundtrip_examples(), derandomize=True, database=None)
WEATHER_PARAMS = {
    "type": "object",
    "properties": {
        "location": {"type": "string"},
        "unit": {"type": ["string", "null"], "enum": ["C", "F", None]},
    },
    "required": ["location", "unit"],
    "additionalProperties": False,
}
WEATHER = {
    "type": "function",
    "name": "get_weather",
    "description": "Current weather at a location.",
    "parameters": WEATHER_PARAMS,
    "strict": True,
}
TIME = {
    "type": "function",
    "name": "get_time",
    "description": "Current local time at a location.",
    "parameters": {
        "type": "object",
        "properties": {"location": {"type": "string"}},
        "required": ["location"],
        "additionalProperties": False,
    },
    "strict": True,
}
FORCE_WEATHER = {"type": "function", "name": "get_weather"}
QUESTION = "What's the weather in Paris right now? Use get_weather."


def function_calls(response: Any) -> list[Any]:
    return [item for item in response.output if item.type == "function_call"]


def assert_call(call: Any, tool: dict[str, Any]) -> Any:
    assert call.type == "function_call" and call.status == "completed"
    assert call.id.startswith("fc_") and call.call_id.startswith("call_")
    assert call.name == tool["name"]
    arguments = json.loads(call.arguments)
    assert jsonschema_rs.validator_for(tool["parameters"]).is_valid(arguments), arguments
    return arguments


def test_a_forced_call(client: openai.OpenAI, model: str) -> None:
    response = client.responses.create(
        model=model, input=QUESTION, tools=[WEATHER], tool_choice=FORCE_WEATHER
    )
    [call] = function_calls(response)
    assert_call(call, WEATHER)
    assert response.tool_choice.type == "function" and response.tool_choice.name == "get_weather"
    [echoed] = response.tools
    assert echoed.name == "get_weather" and echoed.strict is True
    assert echoed.parameters == WEATHER_PARAMS


def test_required_calls_and_none_does_not(client: openai.OpenAI, model: str) -> None:
    required = client.responses.create(
        model=model, input=QUESTION, tools=[WEATHER], tool_choice="required"
    )
    assert function_calls(required)
    answered = client.responses.create(
        model=model, input=QUESTION, tools=[WEATHER], tool_choice="none"
    )
    assert not function_calls(answered) and message_items(answered)


def test_a_call_streams_in_the_real_order(client: openai.OpenAI, model: str) -> None:
    events = list(
        client.responses.create(
            model=model, input=QUESTION, tools=[WEATHER], tool_choice=FORCE_WEATHER, stream=True
        )
    )
    assert collapse_runs(e.type for e in events) == FUNCTION_CALL_TURN
    added, done = events[2], events[-2]
    assert added.item.arguments == "" and added.item.status == "in_progress"
    deltas = "".join(e.delta for e in events if e.type == "response.function_call_arguments.delta")
    arguments_done = events[-3]
    assert arguments_done.arguments == deltas == done.item.arguments
    assert done.item.id == added.item.id and done.item.call_id == added.item.call_id
    assert_call(done.item, WEATHER)


def run_tool(call: Any) -> str:
    arguments = json.loads(call.arguments)
    return json.dumps({"location": arguments.get("location"), "temperature": 22, "sky": "clear"})


def test_the_call_execute_answer_loop(client: openai.OpenAI, model: str, on_mock: bool) -> None:
    first = client.responses.create(
        model=model, input=QUESTION, tools=[WEATHER], tool_choice=FORCE_WEATHER
    )
    [call] = function_calls(first)
    output = run_tool(call)
    final = client.responses.create(
        model=model,
        previous_response_id=first.id,
        input=[{"type": "function_call_output", "call_id": call.call_id, "output": output}],
        tools=[WEATHER],
    )
    assert final.status == "completed" and not function_calls(final)
    assert final.output_text
    if on_mock:
        assert "temperature" in final.output_text  # the reply quotes the output
    items = client.responses.input_items.list(final.id)
    assert items.data[0].type == "function_call_output"


def test_the_loop_with_the_full_input(client: openai.OpenAI, model: str) -> None:
    history: list[Any] = [{"role": "user", "content": QUESTION}]
    first = client.responses.create(
        model=model, input=history, tools=[WEATHER], tool_choice=FORCE_WEATHER, store=False
    )
    history += [item.model_dump(exclude_none=True) for item in first.output]
    for call in function_calls(first):
        history.append(
            {"type": "function_call_output", "call_id": call.call_id, "output": run_tool(call)}
        )
    final = client.responses.create(model=model, input=history, tools=[WEATHER], store=False)
    assert final.output_text and not function_calls(final)


def test_an_output_without_its_call(client: openai.OpenAI, model: str) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(
            model=model,
            input=[
                {"role": "user", "content": QUESTION},
                {"type": "function_call_output", "call_id": "call_nope", "output": "22"},
            ],
            tools=[WEATHER],
        )
    assert_api_error(
        raised.value,
        status=400,
        param="input",
        code=None,
        message="No tool call found for function call output with call_id call_nope.",
    )


def test_continuing_without_the_output(client: openai.OpenAI, model: str) -> None:
    first = client.responses.create(
        model=model, input=QUESTION, tools=[WEATHER], tool_choice=FORCE_WEATHER
    )
    [call] = function_calls(first)
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(
            model=model, previous_response_id=first.id, input="Never mind.", tools=[WEATHER]
        )
    assert raised.value.status_code == 400
    assert raised.value.body["message"] == f"No tool output found for function call {call.call_id}."


def test_strict_parameters_follow_the_rules(client: openai.OpenAI, model: str) -> None:
    loose = {
        **WEATHER,
        "parameters": {"type": "object", "properties": {"location": {"type": "string"}}},
    }
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model=model, input=QUESTION, tools=[TIME, loose])
    assert_api_error(
        raised.value,
        status=400,
        param="tools[1].parameters",
        code="invalid_function_parameters",
        message="Invalid schema for function 'get_weather': In context=(), "
        "'additionalProperties' is required to be supplied and to be false.",
    )
    response = client.responses.create(
        model=model, input=QUESTION, tools=[{**loose, "strict": False}], tool_choice=FORCE_WEATHER
    )
    [call] = function_calls(response)
    assert response.tools[0].strict is False
    assert "location" in json.loads(call.arguments) or call.arguments == "{}"


def test_function_names_must_match_the_pattern(client: openai.OpenAI, model: str) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(
            model=model, input=QUESTION, tools=[{**WEATHER, "name": "get.weather"}]
        )
    assert_api_error(
        raised.value,
        status=400,
        param="tools[0].name",
        code="invalid_value",
        message="Invalid 'tools[0].name': string does not match pattern. Expected a string that "
        "matches the pattern '^[a-zA-Z0-9_-]+$'.",
    )


class Lookup(BaseModel):
    city: str
    days: int


def test_parse_with_a_pydantic_tool(client: openai.OpenAI, model: str) -> None:
    tool = openai.pydantic_function_tool(Lookup, name="lookup")
    response = client.responses.parse(
        model=model,
        input="Look up the forecast for Oslo for 3 days with lookup.",
        tools=[tool],
        tool_choice={"type": "function", "name": "lookup"},
    )
    [call] = function_calls(response)
    assert isinstance(call.parsed_arguments, Lookup)


@ROUNDTRIPS
@pytest.mark.drawn_inputs
@given(strategies.function_tools(), st.booleans(), st.booleans())
def test_arguments_validate_for_any_strict_tool(
    client: openai.OpenAI, model: str, tool: dict[str, Any], edge: bool, stream: bool
) -> None:
    request = {
        "model": model,
        "input": "Call the tool with plausible arguments.",
        "tools": [tool],
        "tool_choice": {"type": "function", "name": tool["name"]},
        "extra_headers": {"x-mockserver-edge-cases": "1"} if edge else {},
    }
    if stream:
        response = list(client.responses.create(**request, stream=True))[-1].response
    else:
        response = client.responses.create(**request)
    [call] = function_calls(response)
    assert_call(call, tool)


@pytest.mark.mock_only
def test_named_tools_are_called_in_parallel(client: openai.OpenAI, model: str) -> None:
    response = client.responses.create(
        model=model, input="Use get_weather and get_time for Paris.", tools=[WEATHER, TIME]
    )
    assert [c.name for c in function_calls(response)] == ["get_weather", "get_time"]
    assert len({c.call_id for c in function_calls(response)}) == 2
    single = client.responses.create(
        model=model,
        input="Use get_weather and get_time for Paris.",
        tools=[WEATHER, TIME],
        parallel_tool_calls=False,
    )
    assert [c.name for c in function_calls(single)] == ["get_weather"]
    outputs = [
        {"type": "function_call_output", "call_id": c.call_id, "output": f"out-{c.name}"}
        for c in function_calls(response)
    ]
    final = client.responses.create(
        model=model, previous_response_id=response.id, input=outputs, tools=[WEATHER, TIME]
    )
    assert '"out-get_weather"; "out-get_time"' in final.output_text


@pytest.mark.mock_only
def test_the_header_asks_for_calls(client: openai.OpenAI, model: str) -> None:
    response = client.responses.create(
        model=model,
        input="Hello there.",
        tools=[WEATHER, TIME],
        extra_headers={"x-mockserver-tool-calls": "get_time"},
    )
    assert [c.name for c in function_calls(response)] == ["get_time"]
    plain = client.responses.create(model=model, input="Hello there.", tools=[WEATHER, TIME])
    assert not function_calls(plain)


@pytest.mark.mock_only
def test_custom_tools_stream_their_input(client: openai.OpenAI, model: str) -> None:
    tool = {
        "type": "custom",
        "name": "ticket_id",
        "description": "Files a ticket.",
        "format": {"type": "grammar", "syntax": "regex", "definition": r"^[A-Z]{3}-\d{4}$"},
    }
    events = list(
        client.responses.create(
            model=model,
            input="File a ticket.",
            tools=[tool],
            tool_choice={"type": "custom", "name": "ticket_id"},
            stream=True,
        )
    )
    assert collapse_runs(e.type for e in events)[2:6] == [
        "response.output_item.added",
        "response.custom_tool_call_input.delta",
        "response.custom_tool_call_input.done",
        "response.output_item.done",
    ]
    call = events[-2].item
    assert call.type == "custom_tool_call" and call.id.startswith("ctc_")
    deltas = "".join(e.delta for e in events if e.type == "response.custom_tool_call_input.delta")
    assert deltas == call.input and len(call.input) == 8 and call.input[3] == "-"
    final = client.responses.create(
        model=model,
        previous_response_id=events[-1].response.id,
        input=[{"type": "custom_tool_call_output", "call_id": call.call_id, "output": "filed"}],
        tools=[tool],
    )
    assert "filed" in final.output_text
