"""Scenario stubs, seen through the SDK: scripted answers, matching, states, and the journal.

All ``mock_only``: stubs are a feature of the mock server (the real API has no such thing).
"""

from __future__ import annotations

import json

import openai
import pytest

from contract_tests.helpers import FUNCTION_CALL_TURN

from .helpers import collapse_runs
from .mock_admin import add_stubs, journal, set_scenario, stub_entry

pytestmark = pytest.mark.mock_only

WEATHER_TOOL = {
    "type": "function",
    "name": "get_weather",
    "description": "Current weather in a city.",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
        "additionalProperties": False,
    },
    "strict": True,
}


def test_a_text_stub_answers_plain_and_streamed(client: openai.OpenAI, model: str) -> None:
    (entry,) = add_stubs(
        client, {"match": {"input": "weather"}, "answer": {"text": "Sunny, 21°C."}}
    )
    reply = client.responses.create(model=model, input="What's the weather?")
    assert reply.output_text == "Sunny, 21°C."
    with client.responses.stream(model=model, input="weather please") as stream:
        deltas = [e.delta for e in stream if e.type == "response.output_text.delta"]
        final = stream.get_final_response()
    assert "".join(deltas) == final.output_text == "Sunny, 21°C."
    assert stub_entry(client, entry["id"])["answered"] == 2
    unmatched = client.responses.create(model=model, input="Hello")
    assert unmatched.output_text != "Sunny, 21°C."


def test_a_tool_call_then_the_answer_and_the_second_call_carried_the_output(
    client: openai.OpenAI, model: str
) -> None:
    add_stubs(
        client,
        {
            "match": {"input": "Paris", "call": 1},
            "answer": {
                "output": [
                    {"type": "function_call", "name": "get_weather", "arguments": {"city": "Paris"}}
                ]
            },
        },
        {"match": {"input_types": "function_call_output"}, "answer": "It is sunny in Paris."},
    )
    first = client.responses.create(model=model, input="Weather in Paris?", tools=[WEATHER_TOOL])
    (call,) = first.output
    assert (
        call.type == "function_call"
        and call.id.startswith("fc_")
        and call.call_id.startswith("call_")
    )
    assert json.loads(call.arguments) == {"city": "Paris"}
    second = client.responses.create(
        model=model,
        previous_response_id=first.id,
        tools=[WEATHER_TOOL],
        input=[
            {"type": "function_call_output", "call_id": call.call_id, "output": '{"sky": "clear"}'}
        ],
    )
    assert second.output_text == "It is sunny in Paris."
    sent = [entry["request_body"] for entry in journal(client)]
    assert len(sent) == 2
    assert sent[1]["input"] == [
        {"type": "function_call_output", "call_id": call.call_id, "output": '{"sky": "clear"}'}
    ]


def test_function_call_arguments_stream_like_the_real_api(
    client: openai.OpenAI, model: str
) -> None:
    add_stubs(
        client,
        {
            "answer": {
                "output": [
                    {"type": "function_call", "name": "get_weather", "arguments": {"city": "Oslo"}}
                ]
            }
        },
    )
    with client.responses.stream(model=model, input="Oslo?", tools=[WEATHER_TOOL]) as stream:
        events = list(stream)
    assert collapse_runs(e.type for e in events) == FUNCTION_CALL_TURN


def test_a_refusal_stub(client: openai.OpenAI, model: str) -> None:
    add_stubs(client, {"answer": {"refusal": "I can't help with that."}})
    reply = client.responses.create(model=model, input="Something forbidden")
    (part,) = reply.output[0].content
    assert part.type == "refusal" and part.refusal == "I can't help with that."
    with client.responses.stream(model=model, input="Again") as stream:
        types = collapse_runs(e.type for e in stream)
    assert "response.refusal.delta" in types and "response.refusal.done" in types


def test_call_numbers_one_shot_rules_and_priorities(client: openai.OpenAI, model: str) -> None:
    add_stubs(
        client,
        {"match": {"input": "count"}, "answer": "Fallback."},
        {"match": {"input": "count", "call": 2}, "answer": "Second call."},
        {"match": {"input": "count"}, "times": 1, "priority": 5, "answer": "Only once, first."},
    )
    answers = [client.responses.create(model=model, input="count").output_text for _ in range(4)]
    assert answers == ["Only once, first.", "Second call.", "Fallback.", "Fallback."]


def test_scenario_states(client: openai.OpenAI, model: str) -> None:
    add_stubs(
        client,
        {
            "match": {"scenario": "order", "state": "start"},
            "set_state": "asked",
            "answer": "Which size?",
        },
        {
            "match": {"scenario": "order", "state": "asked"},
            "set_state": "done",
            "answer": "Ordered.",
        },
        {"match": {"scenario": "order", "state": "done"}, "answer": "Anything else?"},
    )
    said = [client.responses.create(model=model, input="pizza").output_text for _ in range(3)]
    assert said == ["Which size?", "Ordered.", "Anything else?"]
    set_scenario(client, "order", "asked")
    assert client.responses.create(model=model, input="pizza").output_text == "Ordered."


def test_matching_on_model_tools_choice_metadata_and_header(
    client: openai.OpenAI, model: str
) -> None:
    add_stubs(
        client,
        {
            "match": {
                "model": model,
                "tools": ["get_weather"],
                "tool_choice": "required",
                "metadata": {"suite": "contract"},
                "headers": {"x-test-case": "matching"},
            },
            "answer": "Matched every condition.",
        },
    )
    asked = dict(
        model=model,
        input="hi",
        tools=[WEATHER_TOOL],
        tool_choice="required",
        metadata={"suite": "contract"},
    )
    hit = client.responses.create(**asked, extra_headers={"x-test-case": "matching"})  # type: ignore[arg-type]
    assert hit.output_text == "Matched every condition."
    miss = client.responses.create(**asked, extra_headers={"x-test-case": "other"})  # type: ignore[arg-type]
    assert miss.output_text != "Matched every condition."


def test_an_error_stub_raises_the_sdk_error(client: openai.OpenAI, model: str) -> None:
    add_stubs(
        client,
        {
            "match": {"input": "bad"},
            "answer": {
                "error": {
                    "status": 400,
                    "message": "Scripted failure.",
                    "param": "input",
                    "code": "scripted",
                }
            },
        },
        {
            "match": {"method": "GET", "path": "/v1/responses/*"},
            "answer": {"error": {"status": 404, "message": "Gone."}},
        },
    )
    with pytest.raises(openai.BadRequestError) as caught:
        client.responses.create(model=model, input="bad input")
    assert caught.value.body == {
        "message": "Scripted failure.",
        "type": "invalid_request_error",
        "param": "input",
        "code": "scripted",
    }
    created = client.responses.create(model=model, input="fine")
    with pytest.raises(openai.NotFoundError, match=r"Gone\."):
        client.responses.retrieve(created.id)


def test_a_whole_response_stub(client: openai.OpenAI, model: str) -> None:
    add_stubs(
        client,
        {
            "answer": {
                "response": {
                    "status": "incomplete",
                    "incomplete_details": {"reason": "content_filter"},
                    "output": [{"type": "message", "text": "Partial answer"}],
                }
            }
        },
    )
    reply = client.responses.create(model=model, input="hi")
    assert reply.status == "incomplete" and reply.incomplete_details is not None
    assert reply.incomplete_details.reason == "content_filter"
    assert reply.output_text == "Partial answer"
    assert client.responses.retrieve(reply.id).status == "incomplete"


def test_stubbed_built_in_and_reasoning_items(client: openai.OpenAI) -> None:
    add_stubs(
        client,
        {
            "answer": {
                "output": [
                    {"type": "reasoning", "summary": ["Looking it up."]},
                    {"type": "web_search_call", "query": "otters"},
                    {"type": "message", "text": "Otters hold hands."},
                ]
            }
        },
    )
    with client.responses.stream(
        model="gpt-5-mini",
        input="otters?",
        tools=[{"type": "web_search"}],
        reasoning={"summary": "auto"},
    ) as stream:
        types = collapse_runs(e.type for e in stream)
        final = stream.get_final_response()
    assert [item.type for item in final.output] == ["reasoning", "web_search_call", "message"]
    assert final.output[1].action.query == "otters"  # type: ignore[union-attr]
    assert types.index("response.reasoning_summary_text.delta") < types.index(
        "response.web_search_call.searching"
    )


@pytest.mark.asyncio
async def test_stubs_answer_async_streams(
    client: openai.OpenAI, async_client: openai.AsyncOpenAI, model: str
) -> None:
    add_stubs(client, {"answer": "Async hello."})
    stream = await async_client.responses.create(model=model, input="hi", stream=True)
    text = "".join([e.delta async for e in stream if e.type == "response.output_text.delta"])
    assert text == "Async hello."


def test_a_bad_stub_is_rejected_with_the_rule_and_problem(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        add_stubs(
            client, {"answer": "ok"}, {"name": "typo", "match": {"modle": "x"}, "answer": "ok"}
        )
    message = caught.value.message
    assert "stub #2 'typo': match: unknown key 'modle' in match; valid keys are" in message
