"""Parsing stub rules: what is accepted, and errors naming the source, the rule and the problem."""

from __future__ import annotations

import pytest

from mockserver.contract.errors import ConfigurationError
from mockserver.scenarios.faults import Fault
from mockserver.scenarios.stubs.model import (
    CREATE_PATH,
    DEFAULT_SCENARIO,
    parse_stub,
    stub_definition,
)


def parse(data: object) -> object:
    return parse_stub(data, source="stubs/a.yaml", index=2)


def problem(data: object) -> str:
    with pytest.raises(ConfigurationError) as caught:
        parse(data)
    return str(caught.value)


def test_a_minimal_stub_answers_text_to_every_create_request() -> None:
    stub = parse({"answer": {"text": "Hi"}})
    assert stub.answer.text == "Hi"
    assert stub.conditions.method == "POST"
    assert stub.conditions.path == CREATE_PATH
    assert stub.conditions.scenario == DEFAULT_SCENARIO
    assert stub.name == "stubs/a.yaml#2"
    assert stub.priority == 0 and stub.times is None


def test_a_string_answer_is_text_and_a_string_input_is_a_substring() -> None:
    stub = parse({"name": "w", "match": {"input": "weather"}, "answer": "Sunny"})
    assert stub.answer.text == "Sunny"
    assert stub.conditions.input is not None
    assert stub.conditions.input.contains == "weather"
    assert stub.conditions.input.test("the weather today")
    assert not stub.conditions.input.test("Weather")


def test_every_condition_is_parsed() -> None:
    stub = parse(
        {
            "priority": 5,
            "times": 1,
            "set_state": "done",
            "match": {
                "method": "post",
                "model": {"regex": "^gpt-4"},
                "input": {"regex": "paris|london", "ignore_case": True, "scope": "context"},
                "input_types": "function_call_output",
                "tools": ["get_weather", "web_search"],
                "tool_choice": {"type": "function", "name": "get_weather"},
                "metadata": {"env": "test"},
                "headers": {"X-Test-Case": "a1"},
                "body": {"temperature": 0},
                "stream": True,
                "call": [1, 3],
                "scenario": "checkout",
                "state": "start",
            },
            "answer": {"text": "ok"},
        }
    )
    c = stub.conditions
    assert c.method == "POST"
    assert c.model is not None and c.model.test("gpt-4o-mini") and not c.model.test("o3")
    assert c.input is not None and c.input.scope == "context" and c.input.test("to PARIS")
    assert c.input_types == ("function_call_output",)
    assert c.tools == ("get_weather", "web_search")
    assert set(c.headers) == {"x-test-case"}
    assert c.call == frozenset({1, 3})
    assert (c.scenario, c.state, stub.set_state, stub.times, stub.priority) == (
        "checkout",
        "start",
        "done",
        1,
        5,
    )
    assert c.specificity > 10


def test_output_items_error_fault_and_pacing_are_parsed() -> None:
    stub = parse(
        {
            "answer": {
                "output": [
                    "plain text",
                    {"type": "function_call", "name": "f", "arguments": {"a": 1}},
                    {"type": "web_search_call", "query": "cats"},
                ],
                "fault": "cut_stream;after_events=3",
                "pacing": {"first_event_ms": 300, "tokens_per_second": 50},
            }
        }
    )
    assert stub.answer.output is not None
    assert [i["type"] for i in stub.answer.output] == [
        "message",
        "function_call",
        "web_search_call",
    ]
    assert stub.answer.fault == Fault("cut_stream", after_events=3)
    assert stub.answer.pacing is not None
    assert stub.answer.pacing.first_event_seconds == 0.3
    error = parse({"answer": {"error": {"status": 418, "message": "teapot", "code": "tea"}}})
    assert error.answer.error is not None
    assert error.answer.error.status == 418
    assert error.answer.error.body == {
        "error": {
            "message": "teapot",
            "type": "invalid_request_error",
            "param": None,
            "code": "tea",
        }
    }
    server = parse({"answer": {"error": {"status": 503}}})
    assert server.answer.error is not None
    assert server.answer.error.body["error"]["type"] == "server_error"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"match": {}}, "missing 'answer'"),
        ({"answer": {"txt": "hi"}}, "unknown key 'txt' in answer; valid keys are 'text'"),
        ({"answer": {"text": "a", "refusal": "b"}}, "give only one of 'text' and 'refusal'"),
        ({"answer": {}}, "answer: empty; give one of"),
        ({"answer": "x", "match": {"modle": "x"}}, "unknown key 'modle' in match"),
        ({"answer": "x", "match": {"input": {"regex": "("}}}, "invalid regular expression '('"),
        (
            {"answer": "x", "match": {"input": {"scope": "all", "contains": "a"}}},
            "'all' is not one of",
        ),
        ({"answer": "x", "match": {"call": 0}}, "call numbers count from 1"),
        ({"answer": "x", "times": 0}, "must be at least 1"),
        ({"answer": "x", "priority": "high"}, "priority: expected a whole number"),
        ({"answer": "x", "match": {"path": "/responses"}}, "is not an API path"),
        ({"answer": {"fault": "slow"}}, "unknown fault 'slow'; valid faults are 'rate_limit'"),
        ({"answer": {"fault": "cut_stream;after=3"}}, "has no option 'after'; its options are"),
        ({"answer": {"output": [{"type": "function", "name": "f"}]}}, "answer.output[0].type"),
        ({"answer": {"output": [{"type": "function_call"}]}}, "a function_call item needs 'name'"),
        ({"answer": {"error": {"message": "x"}}}, "needs 'status'"),
        ({"answer": {"error": {"status": 200}}}, "must be from 400 to 599"),
        (
            {"answer": {"error": {"status": 400}, "fault": "rate_limit"}},
            "either 'error' or 'fault'",
        ),
        (
            {"match": {"method": "GET", "path": "/v1/responses/*"}, "answer": "x"},
            "does not return a model reply",
        ),
        (
            {
                "match": {"method": "GET", "path": "/v1/responses/*"},
                "answer": {"fault": "incomplete"},
            },
            "only POST /v1/responses has one",
        ),
        ({"answer": {"pacing": {"first_event_ms": -1}}}, "first_event_ms must be between 0 and"),
        (["not", "a", "mapping"], "a stub must be a mapping"),
    ],
)
def test_bad_rules_name_the_file_the_rule_and_the_problem(data: object, expected: str) -> None:
    message = problem(data)
    assert message.startswith("stubs/a.yaml: stub #2"), message
    assert expected in message, message


def test_the_rule_name_is_in_the_error() -> None:
    assert "stubs/a.yaml: stub #2 'weather':" in problem({"name": "weather", "answer": {"x": 1}})


def test_http_faults_and_errors_may_answer_any_api_path() -> None:
    stub = parse(
        {"match": {"method": "GET", "path": "/v1/responses/*"}, "answer": {"fault": "server_error"}}
    )
    assert stub.answer.fault is not None and stub.answer.fault.is_http
    assert not stub.conditions.targets_create


def test_stub_definition_sorts_keywords_into_rule_match_and_answer() -> None:
    definition = stub_definition(
        name="n", times=1, input="weather", call=2, text="Sunny", fault=Fault("incomplete")
    )
    assert definition == {
        "name": "n",
        "times": 1,
        "match": {"input": "weather", "call": 2},
        "answer": {"text": "Sunny", "fault": {"type": "incomplete", "reason": "content_filter"}},
    }
    assert parse(definition).answer.fault == Fault("incomplete")
    assert stub_definition(answer="hi") == {"answer": {"text": "hi"}}
    with pytest.raises(ConfigurationError, match="unknown keyword 'inptu'"):
        stub_definition(inptu="x", text="y")


def test_turn_is_first_or_any() -> None:
    assert "'first' and 'any'" in problem({"match": {"turn": "last"}, "answer": "x"})
    assert parse({"match": {"turn": "first"}, "answer": "x"}).conditions.turn == "first"
